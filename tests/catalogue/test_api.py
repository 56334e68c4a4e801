import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from portal.catalogue.models import Procedure, ProcedureFee


def codes(response) -> set[str]:
    return {row["code"] for row in response.json()["results"]}


def test_list_is_paginated_and_public(client, catalogue):
    body = client.get("/api/v1/procedures/").json()
    assert body["count"] == 14
    assert {"next", "previous", "results"} <= body.keys()
    row = next(r for r in body["results"] if r["code"] == "1.004222")
    assert row["level"] == 3  # until online payment exists (the fee is paid at the office)
    assert row["decree_42_name"] == "Dịch vụ công trực tuyến một phần"
    assert row["online_submission_allowed"] is True
    assert row["deadline_text"] == "07 ngày làm việc"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "dang ky tam tru"}, {"1.004194", "1.010028"}),  # incl. "Xóa đăng ký tạm trú"
        ({"q": "TẠM TRÚ"}, {"1.004194", "1.002755", "1.010028"}),
        ({"q": "1.010041"}, {"1.010041"}),
        ({"field": "identity"}, {"2.000200", "2.001195", "2.001194", "2.001178"}),
        ({"level": "2"}, {"2.000200", "2.001195", "2.001194", "2.001178"}),
        ({"field": "identity", "level": "1"}, set()),
        ({"field": "nonsense"}, set()),
        ({"level": "abc"}, set()),
    ],
)
def test_list_filters(client, catalogue, params, expected):
    response = client.get("/api/v1/procedures/", params)
    assert response.status_code == 200
    assert codes(response) == expected


def test_detail_has_everything(client, catalogue):
    body = client.get("/api/v1/procedures/1.004222/").json()
    assert body["decree_42_name"] == "Dịch vụ công trực tuyến một phần"
    assert {"number": "68/2020/QH14", "issued_on": "2020-11-13", "title": "Luật Cư trú"} in body[
        "legal_bases"
    ]
    online = [f for f in body["fees"] if f["channel"] == "online"]
    assert online[0]["amount"] == 10000 and online[0]["valid_from"]
    assert any(
        d["key"] == "cho-o-hop-phap" and d["is_mandatory"] for d in body["required_documents"]
    )
    forms = {f["code"]: f["pdf_url"] for f in body["forms"]}
    assert forms["CT01"].endswith("/thu-tuc/1.004222/mau/CT01.pdf")
    assert set(body["result_methods"]) == {"electronic", "post", "in_person"}
    assert body["online_submission_allowed"] is True
    assert body["handling_level"] == "commune"


def test_detail_fee_periods_of_identity_card(client, catalogue):
    fees = client.get("/api/v1/procedures/2.001195/").json()["fees"]
    periods = sorted(
        (f["valid_from"], f["valid_to"], f["amount"]) for f in fees if f["channel"] == "in_person"
    )
    assert periods == [
        ("2024-07-01", "2025-06-30", 50000),
        ("2025-07-01", "2026-12-31", 25000),
        ("2027-01-01", None, 50000),
    ]


def test_level_1_detail_has_no_forms_and_no_online_submission(client, catalogue):
    Procedure.objects.filter(code="2.001178").update(level=1)  # its forms stay linked
    body = client.get("/api/v1/procedures/2.001178/").json()
    assert body["level"] == 1
    assert body["online_submission_allowed"] is False
    assert body["forms"] == []


def test_unknown_code_is_404_json(client, catalogue):
    response = client.get("/api/v1/procedures/0.000000/")
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "procedure_not_found"
    assert "0.000000" in body["message"]


def test_api_is_read_only(client, catalogue):
    assert client.post("/api/v1/procedures/", {}).status_code == 405
    assert client.delete("/api/v1/procedures/1.004222/").status_code == 405


def test_list_query_count_is_constant(client, catalogue, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as before:
        client.get("/api/v1/procedures/")
    for i in range(10):
        p = Procedure.objects.create(
            code=f"9.10000{i}", name_vi=f"Thử {i}", field="identity", level=3
        )
        ProcedureFee.objects.create(
            procedure=p, channel="in_person", amount=5, valid_from=dt.date(2020, 1, 1)
        )
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert client.get("/api/v1/procedures/").json()["count"] == 24


def test_detail_query_count(client, catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        client.get("/api/v1/procedures/1.004222/")


def test_schema_renders_without_catalogue_warnings(client, db):
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    problems = [
        msg
        for msg in [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
        if "catalogue" in msg or ("Procedure" in msg and "Estimate" not in msg)
    ]
    assert problems == []
    assert "/api/v1/procedures/" in schema["paths"]
    assert "/api/v1/procedures/{code}/" in schema["paths"]
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/procedures/{code}/" in response.content


def test_docs_page_serves(client, db):
    assert client.get("/api/docs/").status_code == 200
