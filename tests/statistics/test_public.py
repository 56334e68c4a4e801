"""The public transparency page /minh-bach/ and GET /api/v1/statistics/units/: anonymous, no
personal data, a bad month is a 400 with a Vietnamese JSON error, and the cost does not grow with
the number of dossiers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from portal.statistics import services
from portal.statistics.models import UnitMonthStats

JUNE = dt.date(2026, 6, 1)

pytestmark = pytest.mark.django_db


@pytest.fixture
def june(scenario):
    services.refresh_month(month=JUNE)
    return scenario


def test_api_lists_each_unit_of_the_month_without_personal_data(june, unit, other_unit, citizen):
    response = APIClient().get("/api/v1/statistics/units/", {"month": "2026-06"})
    assert response.status_code == 200
    body = response.json()
    assert body["month"] == "2026-06" and body["count"] == 2
    by_code = {r["unit_code"]: r for r in body["results"]}
    assert by_code[unit.code] == {
        "unit_code": unit.code,
        "unit_name": unit.name,
        "month": "2026-06",
        "received": 6,
        "completed": 4,
        "on_time_rate": 75.0,
        "online_share": 100.0,
        "satisfaction_average": None,
        "satisfaction_count": 0,
        "complaints_received": 0,
        "complaints_resolved": 0,
    }
    assert by_code[other_unit.code]["on_time_rate"] == 100.0
    text = response.content.decode()
    for personal in (citizen.full_name, citizen.personal_id, june["D1"].code, citizen.phone):
        assert personal not in text


@pytest.mark.parametrize("month", ["2026-13", "2026-6", "juni", "1999-12", "2026-06-01", ""])
def test_api_bad_month_is_a_400_json_error_in_vietnamese(month):
    response = APIClient().get("/api/v1/statistics/units/", {"month": month})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_month"
    assert "Tháng" in body["message"]
    assert "month" in body["errors"]


def test_api_month_without_data_is_an_empty_list():
    response = APIClient().get("/api/v1/statistics/units/", {"month": "2030-01"})
    assert response.status_code == 200
    assert response.json()["results"] == [] and response.json()["count"] == 0


def test_api_needs_no_login_and_ignores_a_bad_token(june):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get("/api/v1/statistics/units/", {"month": "2026-06"}).status_code == 200


def test_public_page_shows_the_month_in_vietnamese_and_is_linked_from_every_page(june, unit):
    home = Client().get("/")
    assert 'href="/minh-bach/"' in home.content.decode()
    response = Client().get("/minh-bach/", {"thang": "2026-06"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Minh bạch kết quả giải quyết hồ sơ" in html
    assert unit.name in html
    assert "75,0%" in html and "100,0%" in html  # Vietnamese decimal comma
    assert "<script" not in html
    assert june["D1"].code not in html and june["D1"].applicant_name not in html


def test_public_page_bad_month_says_so(june):
    response = Client().get("/minh-bach/", {"thang": "2026-99"})
    assert response.status_code == 400
    assert "Tháng không hợp lệ" in response.content.decode()


def _more_units_and_rows(n: int, month=JUNE):
    """Aggregate rows as the refresh would write them for `n` more units."""
    from portal.units.models import PoliceUnit

    for i in range(n):
        extra = PoliceUnit.objects.create(code=f"X{i}", name=f"Công an xã Thử {i}", level="commune")
        UnitMonthStats.objects.create(unit=extra, month=month, received=i, completed=i)


def test_public_page_and_api_cost_does_not_grow_with_dossiers(
    june, file_dossier, area, django_assert_num_queries
):
    def measure():
        with CaptureQueriesContext(connection) as page:
            assert Client().get("/minh-bach/", {"thang": "2026-06"}).status_code == 200
        with CaptureQueriesContext(connection) as api:
            assert (
                APIClient().get("/api/v1/statistics/units/", {"month": "2026-06"}).status_code
                == 200
            )
        return len(page), len(api)

    page_queries, api_queries = measure()
    for day in range(8, 13):  # five more dossiers, and more units with figures
        file_dossier(dt.datetime(2026, 6, day, 9, tzinfo=services.LOCAL_TZ), area=area)
    services.refresh_month(month=JUNE)
    _more_units_and_rows(5)
    with django_assert_num_queries(page_queries):
        assert Client().get("/minh-bach/", {"thang": "2026-06"}).status_code == 200
    with django_assert_num_queries(api_queries):
        assert APIClient().get("/api/v1/statistics/units/", {"month": "2026-06"}).status_code == 200


def test_schema_documents_the_statistics_endpoint_without_warnings():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    messages = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    assert [m for m in messages if "statistic" in m.lower()] == []
    operation = schema["paths"]["/api/v1/statistics/units/"]["get"]
    ref = operation["responses"]["400"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/ApiError")
