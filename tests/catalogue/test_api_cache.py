"""The catalogue list kept rendered per catalogue version (issue 13): in the shared cache and in
the process, only the version read per request, an ETag, and an edit seen at once."""

from __future__ import annotations

import pytest

from portal.catalogue import cache as catalogue_cache
from portal.catalogue.models import Procedure

URL = "/api/v1/procedures/"


def names(response) -> dict[str, str]:
    return {row["code"]: row["name_vi"] for row in response.json()["results"]}


def test_an_edit_is_visible_at_once_even_with_the_answer_kept_in_the_process(
    client, catalogue, django_assert_num_queries
):
    first = client.get(URL, HTTP_ACCEPT="application/json")
    assert first.status_code == 200 and first["Content-Type"] == "application/json"
    with django_assert_num_queries(0):
        again = client.get(URL, HTTP_ACCEPT="application/json")
    assert again.content == first.content
    procedure = Procedure.objects.get(code="1.004222")
    procedure.name_vi = "Tên đã sửa"
    procedure.save()  # a staff edit: the version changes, the kept bytes are stale
    assert names(client.get(URL, HTTP_ACCEPT="application/json"))["1.004222"] == "Tên đã sửa"


def test_another_process_bumping_the_version_is_seen(client, catalogue):
    """A process keeps bytes per version; another process's edit only changes the shared version."""
    client.get(URL)
    Procedure.objects.filter(code="1.004222").update(name_vi="Sửa ở tiến trình khác")
    catalogue_cache.bump_catalogue_version()  # what the other process's signal did
    assert names(client.get(URL))["1.004222"] == "Sửa ở tiến trình khác"


def test_answer_carries_drf_headers_and_an_etag_and_304_when_unchanged(client, catalogue):
    response = client.get(URL, HTTP_ACCEPT="application/json")
    etag = response["ETag"]
    assert etag.startswith('"') and response["Allow"] == "GET, HEAD, OPTIONS"
    assert "Accept" in response["Vary"] and response.get("Content-Security-Policy")
    not_modified = client.get(URL, HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified["ETag"] == etag
    stale = client.get(URL, HTTP_IF_NONE_MATCH='"something-else"')
    assert stale.status_code == 200 and stale.content == response.content


def test_the_first_answer_and_the_kept_one_are_identical(client, catalogue):
    catalogue_cache._local.clear()
    made = client.get(URL, {"field": "identity"})
    from_shared = client.get(URL, {"field": "identity"})  # read from the shared cache
    catalogue_cache._local.clear()
    kept = client.get(URL, {"field": "identity"})
    assert made.content == from_shared.content == kept.content
    assert made["ETag"] == kept["ETag"]
    assert set(names(made)) == {"2.000200", "2.001195", "2.001194", "2.001178"}


@pytest.mark.parametrize(
    "accept",
    ["text/html", "application/json; indent=4", "image/png", "text/html, application/json"],
)
def test_other_formats_still_go_through_drf(client, catalogue, accept):
    response = client.get(URL, HTTP_ACCEPT=accept)
    assert "ETag" not in response
    if accept == "image/png":
        assert response.status_code == 406
    elif accept == "text/html":  # the browsable API
        assert response.status_code == 200 and "text/html" in response["Content-Type"]
    elif "html" in accept:  # DRF decides (JSON here), uncached
        assert response.json()["count"] == 14
    else:
        assert response.json()["count"] == 14 and b"\n    " in response.content


def test_search_language_and_pages_are_answered_as_before(client, catalogue):
    assert set(names(client.get(URL, {"q": "1.010041"}))) == {"1.010041"}
    english = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    vietnamese = client.get(URL, HTTP_ACCEPT_LANGUAGE="vi")
    assert english.content != vietnamese.content  # deadline_text is translated
    assert client.get(URL, {"page": 99}).status_code == 404
    assert client.get(URL, {"page": 1}).json()["count"] == 14


def test_head_is_answered_from_the_kept_bytes(client, catalogue, django_assert_num_queries):
    get = client.get(URL)
    with django_assert_num_queries(0):
        head = client.head(URL)
    assert head.status_code == 200 and head["ETag"] == get["ETag"] and head.content == b""


def test_without_the_cache_the_answer_is_computed(client, catalogue, monkeypatch):
    monkeypatch.setattr(catalogue_cache, "current_version", lambda: None)
    response = client.get(URL)
    assert response.status_code == 200 and response.json()["count"] == 14


def test_the_kept_answers_are_bounded(monkeypatch):
    monkeypatch.setattr(catalogue_cache, "_local", {})
    monkeypatch.setattr(catalogue_cache, "LOCAL_MAX", 3)
    for i in range(10):
        catalogue_cache._remember(f"k{i}", "v", b"{}")
    assert len(catalogue_cache._local) <= 3
