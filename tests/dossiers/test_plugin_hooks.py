"""The engine uses the plugin's routing (`area_for`) and deadline (`deadline_working_days`) hooks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.core.errors import DomainError
from portal.dossiers import services
from portal.dossiers.registry import ProcedurePlugin
from portal.units.models import AdministrativeArea
from portal.workcalendar.services import due_moment
from tests.dossiers.conftest import make_pdf_bytes, make_procedure, register_test_plugin

pytestmark = pytest.mark.django_db

CODE = "9.400001"


class AddressForm(forms.Form):
    commune = forms.CharField(label="Xã / phường nơi có chỗ ở", max_length=20)
    street = forms.CharField(label="Số nhà, đường", max_length=200)


class RoutedPlugin(ProcedurePlugin):
    """Routes to the commune named in the form; half a working day when the street says so."""

    procedure_code = CODE
    form_class = AddressForm

    def area_for(self, *, dossier, data):
        return AdministrativeArea.objects.filter(code=data.get("commune")).first()

    def deadline_working_days(self, *, dossier):
        return Decimal("0.5") if "nhanh" in dossier.form_data.get("street", "") else None


@pytest.fixture
def routed(db, unit, other_unit):
    register_test_plugin(CODE, RoutedPlugin())
    return make_procedure(CODE, "Thủ tục có địa chỉ", level=3, deadline_days="3")


def _draft(citizen, procedure, area, **data):
    return services.create_draft(citizen=citizen, procedure=procedure, area=area, form_data=data)


def _submit(dossier, citizen):
    return services.submit(dossier=dossier, actor=citizen)


def test_update_draft_routes_the_dossier_to_the_police_of_the_address_commune(
    citizen, routed, area, other_area, unit, other_unit
):
    dossier = _draft(citizen, routed, area)
    assert dossier.unit == unit
    dossier = services.update_draft(
        dossier=dossier, actor=citizen, form_data={"commune": other_area.code, "street": "Số 2"}
    )
    dossier.refresh_from_db()
    assert (dossier.area, dossier.unit) == (other_area, other_unit)


def test_submit_routes_too_and_staff_of_the_commune_see_it(
    citizen, routed, area, other_area, other_unit, other_unit_officer
):
    from portal.dossiers.selectors import get_dossier_for_user

    dossier = _draft(citizen, routed, area, commune=other_area.code, street="Số 2")
    dossier = _submit(dossier, citizen)
    dossier.refresh_from_db()
    assert (dossier.area, dossier.unit) == (other_area, other_unit)
    assert get_dossier_for_user(user=other_unit_officer, code=dossier.code) == dossier


def test_a_commune_without_police_unit_is_refused_naming_it(citizen, routed, area, province_area):
    nowhere = AdministrativeArea.objects.create(
        code="05599", name="Xã Không Có Công An", kind="commune", parent=province_area
    )
    dossier = _draft(citizen, routed, area)
    with pytest.raises(DomainError) as exc:
        services.update_draft(
            dossier=dossier, actor=citizen, form_data={"commune": nowhere.code, "street": "Số 2"}
        )
    assert exc.value.code == "no_receiving_unit"
    assert "Xã Không Có Công An" in exc.value.message
    dossier.refresh_from_db()
    assert dossier.area == area and dossier.form_data == {}  # nothing changed


def test_the_page_shows_the_missing_unit_on_the_form_and_keeps_what_was_typed(
    client, citizen, routed, area, province_area
):
    from django.urls import reverse

    AdministrativeArea.objects.create(
        code="05599", name="Xã Không Có Công An", kind="commune", parent=province_area
    )
    dossier = _draft(citizen, routed, area)
    client.force_login(citizen)
    response = client.post(
        reverse("dossiers:edit", kwargs={"code": dossier.code}),
        {"f-commune": "05599", "f-street": "Số 9 đường Mới", "action": "submit"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Chưa có đơn vị Công an tiếp nhận hồ sơ tại Xã Không Có Công An." in html
    assert 'value="Số 9 đường Mới"' in html


def test_the_plugin_deadline_replaces_the_catalogue_one(citizen, routed, area, unit):
    fast = _submit(_draft(citizen, routed, area, commune=area.code, street="Số 1 nhanh"), citizen)
    usual = _submit(_draft(citizen, routed, area, commune=area.code, street="Số 1"), citizen)
    assert fast.due_at == due_moment(
        received_at=fast.received_at, working_days=Decimal("0.5"), unit=unit
    )
    assert usual.due_at == due_moment(
        received_at=usual.received_at, working_days=Decimal("3"), unit=unit
    )
    assert fast.due_at < usual.due_at


def test_the_plugin_deadline_counts_again_at_reception_after_reopening(
    citizen, routed, area, unit, unit_leader, receiving_officer, supervisor
):
    dossier = _draft(citizen, routed, area, commune=area.code, street="Số 1 nhanh")
    services.add_attachment(
        dossier=dossier,
        actor=citizen,
        uploaded_file=SimpleUploadedFile("a.pdf", make_pdf_bytes()),
    )
    dossier = _submit(dossier, citizen)
    dossier = services.refuse(
        dossier=dossier, actor=unit_leader, reason="Thiếu giấy tờ", legal_provision="Điều 22"
    )
    dossier = services.reopen(dossier=dossier, actor=supervisor, reason="Phản ánh đúng")
    assert dossier.due_at == due_moment(
        received_at=dossier.received_at, working_days=Decimal("0.5"), unit=unit
    )
