import pytest

from portal.catalogue.services import load_catalogue


@pytest.fixture
def catalogue(db):
    """The default catalogue, loaded from portal/catalogue/data/*.yaml."""
    return load_catalogue()
