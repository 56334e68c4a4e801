import pytest

from portal.catalogue.services import load_catalogue


@pytest.fixture(autouse=True)
def _vietnamese(settings):
    """Messages are checked in Vietnamese: a test client request for English elsewhere in the suite
    leaves English active in this thread (the locale middleware does not reset it)."""
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def catalogue(db):
    """The default catalogue, loaded from portal/catalogue/data/*.yaml. Its level 3–4 procedures
    are offered online only with a plugin: a simple test plugin stands in for any a field app has
    not registered (the field apps' own are kept)."""
    from portal.catalogue.models import Procedure
    from tests.dossiers.conftest import register_test_plugin

    summary = load_catalogue()
    for code in Procedure.objects.filter(level__gte=3).values_list("code", flat=True):
        register_test_plugin(code)
    return summary
