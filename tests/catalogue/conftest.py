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
    """The default catalogue, loaded from portal/catalogue/data/*.yaml."""
    return load_catalogue()
