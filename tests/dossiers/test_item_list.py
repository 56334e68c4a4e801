"""A list in a procedure form (ItemListField: guests, household members) on the citizen's filing
page and through the API: rows as fieldsets, "Thêm dòng" without JavaScript, drafts keep the
list, item errors next to the list, a JSON array in the API."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.urls import reverse

from portal.dossiers import services
from portal.dossiers.formfields import ItemListField
from portal.dossiers.models import Dossier, State
from portal.dossiers.registry import ProcedurePlugin
from tests.dossiers.conftest import make_procedure, register_test_plugin

pytestmark = pytest.mark.django_db

CODE = "9.300001"


class GuestForm(forms.Form):
    personal_id = forms.RegexField(
        label="Số định danh cá nhân",
        regex=r"^\d{12}$",
        max_length=12,
        error_messages={"invalid": "Số định danh cá nhân gồm đúng 12 chữ số."},
    )
    full_name = forms.CharField(label="Họ và tên", max_length=150)


class StayForm(forms.Form):
    host_name = forms.CharField(label="Tên cơ sở lưu trú", max_length=200)
    guests = ItemListField(item_form=GuestForm, item_label="Khách", label="Khách lưu trú")


class StayPlugin(ProcedurePlugin):
    procedure_code = CODE
    form_class = StayForm


@pytest.fixture
def stay_procedure(db, unit):
    register_test_plugin(CODE, StayPlugin())
    return make_procedure(CODE, "Thông báo lưu trú (thử)", level=3)


@pytest.fixture
def citizen_client(client, citizen):
    client.force_login(citizen)
    return client


GUEST_1 = {"personal_id": "001090000001", "full_name": "Lê Văn Khách"}
GUEST_2 = {"personal_id": "001090000002", "full_name": "Phạm Thị Hai"}


def start_url() -> str:
    return reverse("dossiers:start", kwargs={"procedure_code": CODE})


def rows_post(*guests, rows: int | None = None, **extra) -> dict:
    data = {"area": "", "f-host_name": "Nhà nghỉ Hoa Hồng", "result_method": "in_person"}
    for i, guest in enumerate(guests):
        for key, value in guest.items():
            data[f"f-guests-{i}-{key}"] = value
    data["f-guests-rows"] = str(rows if rows is not None else max(len(guests), 1))
    data.update(extra)
    return data


def legends(html: str) -> list[str]:
    return re.findall(r"<legend>(Khách \d+)</legend>", html)


def test_filing_page_renders_the_list_as_labelled_fieldsets_with_an_add_button(
    citizen_client, stay_procedure
):
    html = citizen_client.get(start_url()).content.decode()
    assert legends(html) == ["Khách 1"]
    assert '<label for="id_f-guests-0-personal_id">Số định danh cá nhân' in html
    assert 'id="id_f-guests-0-personal_id"' in html and 'name="f-guests-0-full_name"' in html
    assert 'role="group" id="id_f-guests" aria-labelledby="id_f-guests-label"' in html
    assert '<span class="label" id="id_f-guests-label">Khách lưu trú' in html
    assert re.search(r'<button type="submit" name="add_row" value="f-guests"[^>]*>Thêm dòng', html)
    assert "<script" not in html.split("<main", 1)[-1]


def test_add_row_shows_one_more_empty_row_and_keeps_what_was_typed(
    citizen_client, stay_procedure, area
):
    data = rows_post(GUEST_1, area=area.pk, add_row="f-guests")
    response = citizen_client.post(start_url(), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert legends(html) == ["Khách 1", "Khách 2"]
    assert 'value="001090000001"' in html and 'value="Lê Văn Khách"' in html
    assert 'value="Nhà nghỉ Hoa Hồng"' in html
    assert 'name="f-guests-1-personal_id"' in html
    assert 'class="error"' not in html  # an incomplete list is not an error yet
    # Pressed again on the draft (nothing typed in row 2): a third row.
    dossier = Dossier.objects.get(procedure=stay_procedure)
    again = citizen_client.post(
        reverse("dossiers:edit", kwargs={"code": dossier.code}),
        rows_post(GUEST_1, rows=2, add_row="f-guests"),
    )
    assert legends(again.content.decode()) == ["Khách 1", "Khách 2", "Khách 3"]


def test_add_row_saves_the_draft_with_the_list(citizen_client, stay_procedure, area):
    citizen_client.post(start_url(), rows_post(GUEST_1, area=area.pk, add_row="f-guests"))
    dossier = Dossier.objects.get(procedure=stay_procedure)
    assert dossier.state == State.DRAFT
    assert dossier.form_data["guests"] == [GUEST_1]
    # and the draft page shows the saved rows again
    html = citizen_client.get(reverse("dossiers:edit", kwargs={"code": dossier.code})).content
    assert legends(html.decode()) == ["Khách 1"]
    assert 'value="Lê Văn Khách"' in html.decode()


def test_save_draft_keeps_every_row(citizen_client, stay_procedure, area):
    response = citizen_client.post(
        start_url(), rows_post(GUEST_1, GUEST_2, area=area.pk, action="save")
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get(procedure=stay_procedure)
    assert dossier.form_data["guests"] == [GUEST_1, GUEST_2]


def test_item_errors_are_shown_next_to_the_list_and_nothing_is_lost(
    citizen_client, stay_procedure, area
):
    citizen_client.post(start_url(), rows_post(GUEST_1, area=area.pk, action="save"))
    dossier = Dossier.objects.get(procedure=stay_procedure)
    bad = {"personal_id": "12345", "full_name": "Phạm Thị Hai"}
    response = citizen_client.post(
        reverse("dossiers:edit", kwargs={"code": dossier.code}),
        rows_post(GUEST_1, bad, action="submit"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    field = html.split('id="id_f-guests-label"', 1)[1].split('<div class="field', 1)[0]
    assert "Khách 2 – Số định danh cá nhân: Số định danh cá nhân gồm đúng 12 chữ số." in field
    assert 'value="12345"' in html and 'value="Phạm Thị Hai"' in html
    dossier.refresh_from_db()
    assert dossier.state == State.DRAFT
    assert dossier.form_data["guests"] == [GUEST_1]  # what was saved before stays


def test_api_accepts_a_json_array_for_a_list_field(client, citizen, stay_procedure, area):
    client.force_login(citizen)
    created = client.post(
        "/api/v1/dossiers/",
        {"procedure": CODE, "area": area.code, "form_data": {"host_name": "Nhà A"}},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    code = created.json()["code"]
    patched = client.patch(
        f"/api/v1/dossiers/{code}/",
        {"form_data": {"host_name": "Nhà A", "guests": [GUEST_1, GUEST_2]}},
        content_type="application/json",
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["form_data"]["guests"] == [GUEST_1, GUEST_2]
    invalid = client.patch(
        f"/api/v1/dossiers/{code}/",
        {"form_data": {"host_name": "Nhà A", "guests": [{"personal_id": "1", "full_name": ""}]}},
        content_type="application/json",
    )
    assert invalid.status_code == 400
    messages = invalid.json()["errors"]["guests"]
    assert "Khách 1 – Số định danh cá nhân: Số định danh cá nhân gồm đúng 12 chữ số." in messages
    assert Dossier.objects.get(code=code).form_data["guests"] == [GUEST_1, GUEST_2]


def test_a_list_given_at_creation_is_submitted(citizen, stay_procedure, area):
    dossier = services.create_draft(
        citizen=citizen,
        procedure=stay_procedure,
        area=area,
        form_data={"host_name": "Nhà A", "guests": [GUEST_1]},
    )
    dossier = services.submit(dossier=dossier, actor=citizen)
    assert dossier.state == State.SUBMITTED
    assert dossier.form_data["guests"] == [GUEST_1]


def test_a_draft_keeps_an_incomplete_list_but_not_an_overlong_value(
    client, citizen, stay_procedure, area
):
    client.force_login(citizen)
    code = client.post(
        "/api/v1/dossiers/",
        {"procedure": CODE, "area": area.code},
        content_type="application/json",
    ).json()["code"]
    incomplete = [{"personal_id": "", "full_name": "Chưa nhập số"}]
    saved = client.patch(
        f"/api/v1/dossiers/{code}/",
        {"form_data": {"guests": incomplete}, "save_incomplete": True},
        content_type="application/json",
    )
    assert saved.status_code == 200
    assert saved.json()["form_data"]["guests"] == incomplete
    overlong = [{"personal_id": "001090000001", "full_name": "A" * 151}]
    refused = client.patch(
        f"/api/v1/dossiers/{code}/",
        {"form_data": {"guests": overlong}, "save_incomplete": True},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["errors"]["guests"][0].startswith("Khách 1 – Họ và tên:")
    assert Dossier.objects.get(code=code).form_data["guests"] == incomplete
