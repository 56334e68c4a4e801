"""The identity procedures under their national codes: the data migration renames the local CC-*
rows keeping their dossiers; the catalogue lists the four codes with their sources, fees by date
and the DC02 form; the forms of Circular 17/2024 download as PDF (blank and filled)."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.test import Client

from portal.catalogue.models import Procedure
from portal.catalogue.services import load_catalogue
from portal.dossiers.models import Dossier
from tests.conftest import pdf_text
from tests.dossiers.conftest import make_procedure

pytestmark = pytest.mark.django_db

migration = importlib.import_module("citizen_id.migrations.0002_national_identity_codes")
NATIONAL = {"2.000200", "2.001195", "2.001194", "2.001178"}


def _migrate():
    migration.forwards(apps, None)


def _draft(citizen, procedure, area):
    from portal.dossiers import services

    return services.create_draft(citizen=citizen, procedure=procedure, area=area, form_data={})


def test_migration_renames_local_rows_and_keeps_their_dossiers(citizen, area, unit):
    from portal.backoffice.models import RefusalReason

    local = make_procedure("CC-DOI", "Cấp đổi thẻ căn cước", level=3)
    local.field = "identity"
    local.save()
    dossier = _draft(citizen, local, area)
    reason = RefusalReason.objects.create(
        code="khong-thuoc-cap-doi",
        title="Không thuộc trường hợp cấp đổi",
        legal_provision="Điều 24 Luật Căn cước",
        procedure_codes=["CC-DOI", "1.004222"],
    )
    _migrate()
    local.refresh_from_db()
    assert local.code == "2.001195"
    dossier.refresh_from_db()
    assert dossier.procedure_id == local.pk
    reason.refresh_from_db()
    assert reason.procedure_codes == ["2.001195", "1.004222"]
    assert not Procedure.objects.filter(code__startswith="CC-").exists()


def test_migration_moves_dossiers_when_the_national_row_exists(citizen, area, unit):
    local = make_procedure("CC-LAI", "Cấp lại thẻ căn cước", level=3)
    national = make_procedure("2.001194", "Cấp lại thẻ căn cước", level=2)
    dossier = _draft(citizen, local, area)
    _migrate()
    dossier.refresh_from_db()
    assert dossier.procedure_id == national.pk
    assert not Procedure.objects.filter(code="CC-LAI").exists()
    assert Dossier.objects.filter(procedure=national).count() == 1


def test_catalogue_has_the_national_codes_with_sources_and_fees_by_date():
    load_catalogue()
    identity = {p.code: p for p in Procedure.objects.filter(field="identity")}
    assert set(identity) >= NATIONAL
    assert not {c for c in identity if c.startswith("CC-")}
    assert "1.000889" in identity["2.001195"].source  # central-level twin kept in the data
    assert "1.014061" in identity["2.000200"].source  # unverified commune codes, as a note
    assert identity["2.001178"].name_vi == (
        "Cấp xác nhận số chứng minh nhân dân 9 số, số định danh cá nhân"
    )
    fees = {
        (code, day): (p.fee_on(day, "online").amount if p.fee_on(day, "online") else 0)
        for code, p in identity.items()
        for day in (
            dt.date(2025, 6, 30),
            dt.date(2025, 7, 1),
            dt.date(2026, 12, 31),
            dt.date(2027, 1, 1),
        )
    }
    assert [fees[("2.001195", d)] for d in sorted({d for _, d in fees})] == [
        50000,
        25000,
        25000,
        50000,
    ]
    assert [fees[("2.001194", d)] for d in sorted({d for _, d in fees})] == [
        70000,
        35000,
        35000,
        70000,
    ]
    assert all(fees[("2.000200", d)] == 0 and fees[("2.001178", d)] == 0 for _, d in fees)
    assert {p.deadline_days for p in identity.values()} == {7, 3}
    assert all([f.code for f in p.forms.all()] == ["DC02"] for p in identity.values())


def test_dc02_downloads_blank_from_the_procedure_page():
    load_catalogue()
    client = Client()
    assert "/thu-tuc/2.000200/mau/DC02.pdf" in client.get("/thu-tuc/2.000200/").content.decode()
    response = client.get("/thu-tuc/2.000200/mau/DC02.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(response.streaming_content))
    assert "PHIẾU ĐỀ NGHỊ GIẢI QUYẾT THỦ TỤC VỀ CĂN CƯỚC" in text.upper()
    assert "17/2024/TT-BCA" in text
    assert "66/2023" not in text


def test_forms_render_filled(holder, unit):
    from citizen_id.documents import person_data, render_form

    data = {**person_data(holder), "request_label": "Cấp đổi thẻ căn cước"}
    dc02 = pdf_text(render_form("DC02", {"data": data}))
    assert "NGUYỄN VĂN AN" in dc02.upper() and "17/05/1990" in dc02 and "Cấp đổi" in dc02
    unit_ctx = {"name": unit.name, "address": unit.address}
    cc02 = pdf_text(
        render_form(
            "CC02",
            {
                "data": data,
                "unit": unit_ctx,
                "code": "X-1",
                "return_on": dt.date(2026, 12, 10),
                "receive_method_label": "Nhận qua dịch vụ bưu chính",
            },
        )
    )
    assert "GIẤY HẸN TRẢ THẺ CĂN CƯỚC" in cc02.upper() and "10 tháng 12 năm 2026" in cc02
    cc03 = pdf_text(render_form("CC03", {"data": data, "reason": "Sai ảnh"}))
    assert "từ chối" in cc03 and "Sai ảnh" in cc03
    cc01 = pdf_text(render_form("CC01", {"data": data, "captured_on": dt.date(2026, 12, 1)}))
    assert "PHIẾU THU NHẬN THÔNG TIN CĂN CƯỚC" in cc01.upper() and "01/12/2026" in cc01
