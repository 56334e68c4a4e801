"""GET /api/v1/procedures/{code}/form/: every plugin's form as data (fields in order, documents,
initial values for a logged-in citizen)."""

from __future__ import annotations

import pytest
from django import forms

from portal.catalogue.models import Procedure
from portal.dossiers.formfields import ItemListField
from portal.dossiers.registry import ProcedurePlugin, registry
from tests.dossiers.conftest import make_procedure, register_test_plugin

pytestmark = pytest.mark.django_db


def form_url(code: str) -> str:
    return f"/api/v1/procedures/{code}/form/"


class GuestForm(forms.Form):
    personal_id = forms.RegexField(label="Số định danh cá nhân", regex=r"^\d{12}$", max_length=12)
    full_name = forms.CharField(label="Họ và tên", max_length=150)
    arrives_at = forms.DateTimeField(label="Đến lúc")
    leaves_on = forms.DateField(label="Đi ngày", required=False, help_text="Ngày dự kiến đi.")


class ListForm(forms.Form):
    host_name = forms.CharField(label="Tên cơ sở lưu trú", max_length=200)
    kind = forms.ChoiceField(
        label="Loại cơ sở", choices=[("", "---"), ("hotel", "Khách sạn"), ("home", "Nhà ở")]
    )
    note = forms.CharField(label="Ghi chú", widget=forms.Textarea, required=False)
    agreed = forms.BooleanField(label="Cam đoan", required=False)
    rooms = forms.IntegerField(label="Số phòng", required=False)
    email = forms.EmailField(label="Thư điện tử", required=False)
    guests = ItemListField(item_form=GuestForm, item_label="Khách", label="Khách lưu trú")


class ListPlugin(ProcedurePlugin):
    procedure_code = "9.200001"
    form_class = ListForm

    def initial(self, *, citizen):
        return {"host_name": f"Nhà {citizen.full_name}", "guests": []}


@pytest.fixture
def list_procedure(db) -> Procedure:
    register_test_plugin(ListPlugin.procedure_code, ListPlugin())
    return make_procedure(ListPlugin.procedure_code, "Thông báo lưu trú (thử)", level=4)


def test_every_registered_plugin_describes_its_fields_in_order_with_labels(client, db):
    assert registry.codes(), "at least the field apps' plugins are registered"
    for code in registry.codes():
        if not Procedure.objects.filter(code=code).exists():
            make_procedure(code, f"Thủ tục {code}", level=3)
        response = client.get(form_url(code))
        assert response.status_code == 200, (code, response.content)
        body = response.json()
        form = registry.get(code).form_class()
        assert body["procedure"] == code
        assert [f["name"] for f in body["fields"]] == list(form.fields), code
        assert [f["label"] for f in body["fields"]] == [
            str(field.label) if field.label else name.replace("_", " ").capitalize()
            for name, field in form.fields.items()
        ], code
        assert [f["required"] for f in body["fields"]] == [
            field.required for field in form.fields.values()
        ], code


def test_temporary_absence_form_fields(client, procedure):
    body = client.get(form_url(procedure.code)).json()
    fields = {f["name"]: f for f in body["fields"]}
    assert [f["name"] for f in body["fields"]][:2] == ["full_name", "personal_id"]
    assert fields["reason"] == {
        "name": "reason",
        "type": "textarea",
        "label": "Lý do tạm vắng",
        "required": True,
        "choices": None,
        "help_text": "",
        "max_length": 500,
    }
    assert (fields["date_from"]["type"], fields["date_from"]["required"]) == ("date", True)
    assert (fields["date_of_birth"]["type"], fields["date_of_birth"]["required"]) == (
        "date",
        False,
    )
    assert fields["destination_address"]["max_length"] == 300
    assert fields["personal_id"]["type"] == "text"
    assert body["documents"] == [
        {
            "key": "to-khai",
            "name": "Tờ khai thay đổi thông tin cư trú (CT01)",
            "mandatory": True,
            "copy_kind": "original_or_copy",
            "copy_kind_label": "Bản chính hoặc bản sao",
            "quantity": 1,
            "note": "",
        },
        {
            "key": "giay-to-khac",
            "name": "Giấy tờ chứng minh lý do tạm vắng",
            "mandatory": False,
            "copy_kind": "original_or_copy",
            "copy_kind_label": "Bản chính hoặc bản sao",
            "quantity": 1,
            "note": "",
        },
    ]


def test_list_field_is_described_with_its_item_fields(client, list_procedure):
    body = client.get(form_url(list_procedure.code)).json()
    fields = {f["name"]: f for f in body["fields"]}
    assert [f["name"] for f in body["fields"]] == [
        "host_name",
        "kind",
        "note",
        "agreed",
        "rooms",
        "email",
        "guests",
    ]
    assert fields["kind"]["type"] == "choice"
    assert fields["kind"]["choices"] == [
        {"value": "hotel", "label": "Khách sạn"},
        {"value": "home", "label": "Nhà ở"},
    ]
    assert [fields[n]["type"] for n in ("note", "agreed", "rooms", "email")] == [
        "textarea",
        "boolean",
        "integer",
        "email",
    ]
    guests = fields["guests"]
    assert (guests["type"], guests["label"], guests["required"]) == ("list", "Khách lưu trú", True)
    assert (guests["item_label"], guests["min_items"], guests["max_items"]) == ("Khách", 1, 50)
    assert [(f["name"], f["type"], f["required"]) for f in guests["item_fields"]] == [
        ("personal_id", "text", True),
        ("full_name", "text", True),
        ("arrives_at", "datetime", True),
        ("leaves_on", "date", False),
    ]
    assert guests["item_fields"][0]["max_length"] == 12
    assert guests["item_fields"][3]["help_text"] == "Ngày dự kiến đi."
    assert "item_fields" not in fields["host_name"]


def test_initial_values_only_for_a_logged_in_citizen(client, procedure, citizen, receiving_officer):
    assert client.get(form_url(procedure.code)).json()["initial"] == {}
    client.force_login(citizen)
    initial = client.get(form_url(procedure.code)).json()["initial"]
    assert initial["full_name"] == "Nguyễn Văn An"
    assert initial["personal_id"] == "019090001234"
    assert initial["date_of_birth"] == "1990-05-17"
    client.logout()
    client.force_login(receiving_officer)
    assert client.get(form_url(procedure.code)).json()["initial"] == {}


def test_unknown_procedure_is_a_json_404(client, db):
    response = client.get(form_url("0.000000"))
    assert response.status_code == 404
    assert response.json()["code"] == "procedure_not_found"


def test_procedure_without_plugin_is_409_not_online(client, unit):
    make_procedure("9.200002", "Chưa có phần trực tuyến", level=3, plugin=False)
    response = client.get(form_url("9.200002"))
    assert response.status_code == 409
    assert response.json()["code"] == "procedure_not_online"


def test_the_form_endpoint_is_in_the_openapi_schema(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/procedures/{code}/form/"]["get"]
    assert set(operation["responses"]) >= {"200", "404", "409"}
    component = schema["components"]["schemas"]["ProcedureForm"]
    assert list(component["properties"]) == ["procedure", "fields", "documents", "initial"]
