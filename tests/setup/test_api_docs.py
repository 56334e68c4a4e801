"""The browsable API docs work without internet access: Swagger UI comes from the package."""

import pytest


@pytest.mark.django_db
def test_api_docs_are_served_from_local_static_files(client):
    html = client.get("/api/docs/").content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html
    assert client.get("/api/schema/").status_code == 200
