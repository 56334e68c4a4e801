"""The supervisors' dashboard in the admin: scope (subtree / own unit / 404 elsewhere), figures,
drill-down into the existing lists, CSV and XLSX exports, SVG charts, constant query count."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.accounts.models import Role
from portal.statistics import services
from portal.statistics.models import UnitMonthStats
from portal.units.models import PoliceUnit
from tests.dossiers.conftest import make_staff

JUNE = dt.date(2026, 6, 1)
DASHBOARD = "/admin/statistics/unitmonthstats/"
PERIOD = {"tu": "2026-06", "den": "2026-06"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def june(scenario):
    services.refresh_month(month=JUNE)
    return scenario


@pytest.fixture
def other_province():
    province = PoliceUnit.objects.create(
        code="G01", name="Công an thành phố Hà Nội", level="province"
    )
    commune = PoliceUnit.objects.create(
        code="G01.1", name="Công an phường Hoàn Kiếm", level="commune", parent=province
    )
    UnitMonthStats.objects.create(unit=commune, month=JUNE, received=9, completed=9, on_time=9)
    return province, commune


def test_supervisor_sees_the_subtree_with_figures_and_totals(
    june, supervisor, staff_client, unit, other_unit, other_province
):
    response = staff_client(supervisor).get(DASHBOARD, PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert unit.name in html and other_unit.name in html
    assert other_province[1].name not in html  # another province: not in the subtree
    rows = {r.code: r.figures for r in response.context["rows"]}
    assert set(rows) == {unit.code, other_unit.code}
    assert (rows[unit.code].received, rows[unit.code].late) == (6, 1)
    total = response.context["total"]
    assert (total.received, total.completed, total.on_time, total.late) == (7, 6, 5, 1)
    assert "75,0%" in html
    # refusals by category, the unknown one named as such
    refusals = dict(response.context["refusals"])
    assert sum(refusals.values()) == 2 and "Không rõ danh mục" in refusals
    # charts: inline SVG, no inline script (the admin's own <script src=…> files only)
    assert html.count('<svg class="stats-chart"') == 3
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []


def test_unit_staff_see_their_own_unit_only(
    june, receiving_officer, staff_client, unit, other_unit
):
    response = staff_client(receiving_officer).get(DASHBOARD, PERIOD)
    assert response.status_code == 200
    assert [r.code for r in response.context["rows"]] == [unit.code]
    assert other_unit.name not in response.content.decode()


def test_officer_of_another_unit_gets_404_on_drill_down_and_exports(
    june, other_unit_officer, staff_client, unit
):
    client = staff_client(other_unit_officer)
    assert client.get(f"{DASHBOARD}don-vi/{unit.pk}/", PERIOD).status_code == 404
    assert client.get(DASHBOARD, {**PERIOD, "don_vi": unit.pk}).status_code == 404
    assert client.get(f"{DASHBOARD}xuat.csv", {**PERIOD, "don_vi": unit.pk}).status_code == 404
    # and the dossier page the drill-down leads to is a 404 too (existing rule)
    d1 = june["D1"]
    assert client.get(f"/admin/dossiers/dossier/{d1.pk}/change/").status_code == 404


def test_supervisor_of_another_province_cannot_open_our_units(
    june, staff_client, unit, other_province
):
    outsider = make_staff("giamsat.hanoi", other_province[0], Role.SUPERVISOR)
    client = staff_client(outsider)
    assert client.get(f"{DASHBOARD}don-vi/{unit.pk}/", PERIOD).status_code == 404
    response = client.get(DASHBOARD, PERIOD)
    assert [r.code for r in response.context["rows"]] == [other_province[1].code]


def test_citizen_and_anonymous_cannot_open_the_dashboard(citizen, client):
    assert client.get(DASHBOARD).status_code == 302  # to the admin login
    client.force_login(citizen)
    assert client.get(DASHBOARD).status_code in (302, 403)


def test_drill_down_from_a_unit_to_the_filtered_lists(june, supervisor, staff_client, unit):
    client = staff_client(supervisor)
    response = client.get(f"{DASHBOARD}don-vi/{unit.pk}/", PERIOD)
    assert response.status_code == 200
    links = dict(response.context["links"])
    received = client.get(links["Hồ sơ nộp trong kỳ"])
    assert received.status_code == 200
    listed = received.content.decode()
    for name in ("D1", "D2", "D3", "D4", "D5", "D6"):
        assert june[name].code in listed
    assert june["D7"].code not in listed and june["D8"].code not in listed  # the other unit
    refused = client.get(links["Hồ sơ bị từ chối trong kỳ"]).content.decode()
    assert june["D3"].code in refused and june["D1"].code not in refused
    overdue = client.get(links["Hồ sơ đang quá hạn"])
    assert overdue.status_code == 200
    assert june["D5"].code in overdue.content.decode()  # received 5 June, due 8 June: overdue now
    reviews = client.get(links["Danh sách từ chối cần giám sát"]).content.decode()
    assert june["D3"].code in reviews
    months = response.context["series"]
    assert months[0][1].received == 6


def test_csv_export_has_one_row_per_unit_and_month(
    june, supervisor, staff_client, unit, other_unit
):
    response = staff_client(supervisor).get(f"{DASHBOARD}xuat.csv", PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "thong-ke-2026-06-2026-06.csv" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["Mã đơn vị", "Đơn vị", "Tháng", "Tiếp nhận"]
    by_code = {r[0]: dict(zip(header, r, strict=True)) for r in body}
    assert set(by_code) == {unit.code, other_unit.code}
    ours = by_code[unit.code]
    assert ours["Tháng"] == "2026-06"
    assert (ours["Tiếp nhận"], ours["Đã giải quyết"], ours["Trễ hạn"]) == ("6", "4", "1")
    assert ours["Tỷ lệ đúng hạn (%)"] == "75.0"
    assert ours["Thời gian giải quyết TB (ngày làm việc)"] == "0.87"


def test_xlsx_export_reads_back_with_openpyxl(june, supervisor, staff_client, unit):
    from openpyxl import load_workbook

    response = staff_client(supervisor).get(f"{DASHBOARD}xuat.xlsx", PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    ours = dict(zip(header, next(r for r in rows[1:] if r[0] == unit.code), strict=True))
    assert ours["Đơn vị"] == unit.name
    assert (ours["Tiếp nhận"], ours["Đúng hạn"], ours["Trễ hạn"]) == (6, 3, 1)
    assert ours["Tỷ lệ đúng hạn (%)"] == 75.0


def test_exports_neutralise_spreadsheet_formulas(staff_client, db):
    from openpyxl import load_workbook

    from portal.accounts.models import User

    unit = PoliceUnit.objects.create(
        code="=1+1", name='=HYPERLINK("http://x","y")', level="commune"
    )
    UnitMonthStats.objects.create(unit=unit, month=JUNE, received=1)
    admin = User.objects.create_superuser("quantri", password="x", kind=User.Kind.STAFF)
    client = staff_client(admin)
    text = client.get(f"{DASHBOARD}xuat.csv", PERIOD).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'=1+1" in text
    sheet = load_workbook(io.BytesIO(client.get(f"{DASHBOARD}xuat.xlsx", PERIOD).content)).active
    assert sheet["B2"].value.startswith("'=") and sheet["B2"].data_type == "s"


def test_bad_period_is_explained(june, supervisor, staff_client):
    client = staff_client(supervisor)
    response = client.get(DASHBOARD, {"tu": "2026-07", "den": "2026-01"}, follow=True)
    assert response.status_code == 200
    assert "Tháng kết thúc phải sau tháng bắt đầu." in response.content.decode()
    assert client.get(f"{DASHBOARD}xuat.csv", {"tu": "2026-13"}).status_code == 400


def test_dashboard_cost_does_not_grow_with_dossiers(
    june, supervisor, staff_client, file_dossier, area, other_province, django_assert_num_queries
):
    client = staff_client(supervisor)
    with CaptureQueriesContext(connection) as first:
        assert client.get(DASHBOARD, PERIOD).status_code == 200
    with CaptureQueriesContext(connection) as unit_page:
        assert client.get(f"{DASHBOARD}don-vi/{june['D1'].unit_id}/", PERIOD).status_code == 200
    for day in range(8, 13):
        file_dossier(dt.datetime(2026, 6, day, 9, tzinfo=services.LOCAL_TZ), area=area)
    services.refresh_month(month=JUNE)
    province = june["D1"].unit.parent
    for i in range(5):
        extra = PoliceUnit.objects.create(
            code=f"G19.9{i}", name=f"Công an xã Thử {i}", level="commune", parent=province
        )
        UnitMonthStats.objects.create(unit=extra, month=JUNE, received=i)  # as a refresh would
    with django_assert_num_queries(len(first)):
        response = client.get(DASHBOARD, PERIOD)
    assert len(response.context["rows"]) == 2 + 5
    with django_assert_num_queries(len(unit_page)):
        client.get(f"{DASHBOARD}don-vi/{june['D1'].unit_id}/", PERIOD)


def test_admin_index_links_to_the_dashboard(supervisor, staff_client):
    html = staff_client(supervisor).get("/admin/").content.decode()
    assert f'href="{DASHBOARD}"' in html
    assert "Thống kê, giám sát" in html


def test_statistics_pages_answer_the_strict_content_security_policy(
    june, supervisor, staff_client, unit, client
):
    """No inline script, handler or style anywhere: the charts are SVG elements with
    presentation attributes, the layout comes from static/css/statistics.css."""
    from tests.backoffice.test_csp import assert_strict

    assert_strict(client.get("/minh-bach/", {"thang": "2026-06"}))
    staff = staff_client(supervisor)
    for url in (DASHBOARD, f"{DASHBOARD}don-vi/{unit.pk}/"):
        response = staff.get(url, PERIOD)
        assert response.status_code == 200
        assert_strict(response)


def test_chart_labels_are_escaped(staff_client, db):
    from portal.accounts.models import User

    hostile = PoliceUnit.objects.create(
        code="G99", name='<img src=x onerror="alert(1)">Xã', level="commune"
    )
    UnitMonthStats.objects.create(unit=hostile, month=JUNE, received=2, completed=1, on_time=1)
    admin = User.objects.create_superuser("quantri", password="x", kind=User.Kind.STAFF)
    html = staff_client(admin).get(DASHBOARD, PERIOD).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;Xã" in html
