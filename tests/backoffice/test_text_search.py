"""Issue 14, "Text and search": NFC at every boundary, accent- and case-insensitive staff search
on an index, and person names that refuse markup and control characters."""

from __future__ import annotations

import importlib
import unicodedata

import pytest
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from portal.accounts.models import User
from portal.backoffice import selectors
from portal.core.text import fold
from portal.dossiers import services
from portal.dossiers.models import Attachment, Dossier, State
from tests.accounts.conftest import PASSWORD
from tests.conftest import require_service
from tests.dossiers.conftest import (
    make_citizen,
    make_pdf_bytes,
    put_in_registry,
    valid_absence_form,
)

from .test_admin import CHANGELIST

pytestmark = pytest.mark.django_db

NAME = "Lê Văn Ân"
NFD_NAME = unicodedata.normalize("NFD", NAME)
ADDRESS = "Xóm Đồng Tâm, xã Định Hóa, tỉnh Thái Nguyên"
NFD_ADDRESS = unicodedata.normalize("NFD", ADDRESS)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def is_nfc(text: str) -> bool:
    return unicodedata.is_normalized("NFC", text)


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def admin_codes(client, term) -> list[str]:
    response = client.get(reverse(CHANGELIST), {"q": term})
    assert response.status_code == 200
    return sorted(d.code for d in response.context["cl"].result_list)


def api_codes(user, term) -> list[str]:
    response = api_as(user).get("/api/v1/staff/dossiers/", {"q": term})
    assert response.status_code == 200, response.content
    return sorted(d["code"] for d in response.json()["results"])


def file_dossier(citizen, procedure, area) -> Dossier:
    if not (citizen.phone and citizen.phone_verified_at):  # filing needs a verified phone
        User.objects.filter(pk=citizen.pk).update(
            phone=citizen.phone or "+84912000999", phone_verified_at=timezone.now()
        )
        citizen.refresh_from_db()
    put_in_registry(citizen)  # khai báo tạm vắng is for residents in the registry
    dossier = services.create_draft(
        citizen=citizen, procedure=procedure, area=area, form_data=valid_absence_form()
    )
    services.add_attachment(
        dossier=dossier,
        actor=citizen,
        uploaded_file=SimpleUploadedFile("to-khai.pdf", make_pdf_bytes()),
        requirement_key="to-khai",
    )
    return services.submit(dossier=dossier, actor=citizen)


SIGNUP_PAGE = {
    "full_name": NFD_NAME,
    "personal_id": "019085001111",
    "date_of_birth": "1985-03-02",
    "sex": "M",
    "phone": "0987 111 222",
    "email": "",
    "permanent_address": NFD_ADDRESS,
    "current_address": NFD_ADDRESS,
    "password1": PASSWORD,
    "password2": PASSWORD,
}
SIGNUP_API = {
    "personal_id": "019085002222",
    "full_name": NFD_NAME,
    "date_of_birth": "1985-03-02",
    "sex": "M",
    "phone": "0868 222 333",
    "password": PASSWORD,
    "current_address": NFD_ADDRESS,
}


# --- 1. NFC at every boundary -------------------------------------------------------------------


def test_nfd_name_typed_on_the_page_and_the_api_is_stored_nfc_and_staff_find_it(
    client, settings, procedure, area, unit, staff_client, receiving_officer
):
    settings.ACCOUNTS_POST_SIGNUP_REDIRECT = ""
    assert client.post("/tai-khoan/dang-ky/", SIGNUP_PAGE).status_code == 302
    response = APIClient().post("/api/v1/auth/signup/", SIGNUP_API, format="json")
    assert response.status_code == 201, response.json()
    by_page = User.objects.get(username="019085001111")
    by_api = User.objects.get(username="019085002222")
    for user in (by_page, by_api):
        assert user.full_name == NAME  # NFC, character for character
        assert user.current_address == ADDRESS
    assert by_page.permanent_address == ADDRESS

    filed = sorted(file_dossier(u, procedure, area).code for u in (by_page, by_api))
    assert all(d.applicant_name == NAME for d in Dossier.objects.filter(code__in=filed))
    admin = staff_client(receiving_officer)
    for term in (NAME, NFD_NAME, "Le Van An", "LÊ VĂN ÂN", "le van an"):
        assert admin_codes(admin, term) == filed, term
        assert api_codes(receiving_officer, term) == filed, term


def test_nfd_form_data_and_file_names_through_the_page_and_the_api_are_stored_nfc(
    client, citizen, procedure, area, unit
):
    client.force_login(citizen)
    # the postal address is asked only when the procedure returns results by post
    procedure.result_methods = ["in_person", "post"]
    procedure.save(update_fields=["result_methods"])
    reason = "Đi thăm người thân ở Hà Nội"
    page_post = {
        "area": area.pk,
        "result_method": "post",
        "result_address": nfd("Số 9 ngõ Huế"),
        **{f"f-{k}": v for k, v in valid_absence_form(reason=nfd(reason)).items()},
        "file_to-khai": SimpleUploadedFile(
            nfd("Tờ khai ông Ân.pdf"), make_pdf_bytes(), content_type="application/pdf"
        ),
    }
    start = reverse("dossiers:start", kwargs={"procedure_code": procedure.code})
    assert client.post(start, page_post).status_code == 302
    by_page = Dossier.objects.get(citizen=citizen)
    assert by_page.form_data["reason"] == reason
    assert by_page.result_address == "Số 9 ngõ Huế"
    assert by_page.attachments.get().original_name == "Tờ khai ông Ân.pdf"

    api = api_as(citizen)
    created = api.post(
        "/api/v1/dossiers/",
        {
            "procedure": procedure.code,
            "area": area.code,
            "form_data": valid_absence_form(destination_address=nfd(ADDRESS)),
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    code = created.json()["code"]
    uploaded = api.post(
        f"/api/v1/dossiers/{code}/attachments/",
        {
            "file": SimpleUploadedFile(
                nfd("Giấy đi đường.pdf"), make_pdf_bytes(), content_type="application/pdf"
            ),
            "requirement_key": "to-khai",
        },
        format="multipart",
    )
    assert uploaded.status_code == 201, uploaded.json()
    by_api = Dossier.objects.get(code=code)
    assert by_api.form_data["destination_address"] == ADDRESS
    assert by_api.attachments.get().original_name == "Giấy đi đường.pdf"


def test_the_input_guard_hands_views_nfc_queries_forms_file_names_and_json(rf):
    """The one choke point: what every view (page or DRF) reads is NFC."""
    import json

    from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
    from rest_framework.request import Request

    from portal.core.middleware import InputGuardMiddleware

    seen = {}

    def view(request):
        drf = Request(request, parsers=[JSONParser(), FormParser(), MultiPartParser()])
        seen["GET"] = dict(request.GET.lists())
        seen["data"] = drf.data.dict() if hasattr(drf.data, "dict") else drf.data
        seen["files"] = [f.name for f in request.FILES.values()]
        return None

    guard = InputGuardMiddleware(view)
    guard(rf.get("/x/", {"q": NFD_NAME}))
    assert seen["GET"] == {"q": [NAME]}
    guard(rf.post("/api/x/", json.dumps({nfd("họ_tên"): [NFD_NAME]}), "application/json"))
    assert seen["data"] == {"họ_tên": [NAME]}
    escaped = json.dumps({"name": NFD_NAME})  # ASCII with \\u escapes for the marks
    assert escaped.isascii()
    guard(rf.post("/api/x/", escaped, "application/json"))
    assert seen["data"] == {"name": NAME}
    guard(rf.post("/x/", {"name": NFD_NAME}))  # multipart, read by Django before DRF
    assert seen["data"] == {"name": NAME}
    form = rf.post("/x/", f"name={NFD_NAME}", "application/x-www-form-urlencoded")
    guard(form)
    assert seen["data"] == {"name": NAME} and form.POST["name"] == NAME
    put = rf.put("/x/", f"name={NFD_NAME}", "application/x-www-form-urlencoded")
    guard(put)
    assert seen["data"] == {"name": NAME}
    upload = SimpleUploadedFile(nfd("Ảnh hộ khẩu.png"), b"x", content_type="image/png")
    guard(rf.post("/x/", {"file": upload}))
    assert seen["files"] == ["Ảnh hộ khẩu.png"]


def _migration(app: str, name: str):
    return importlib.import_module(f"portal.{app}.migrations.{name}")


def test_the_data_migrations_rewrite_stored_nfd_rows_in_nfc(make_dossier, citizen):
    dossier = make_dossier("submitted")
    attachment = dossier.attachments.get()
    Dossier.objects.filter(pk=dossier.pk).update(  # as stored before: NFD, no search text
        applicant_name=NFD_NAME,
        applicant_address=NFD_ADDRESS,
        form_data={**dossier.form_data, "reason": nfd("Đi học")},
        search_text="",
    )
    Attachment.objects.filter(pk=attachment.pk).update(original_name=nfd("Tờ khai.pdf"))
    User.objects.filter(pk=citizen.pk).update(full_name=NFD_NAME, current_address=NFD_ADDRESS)

    assert _migration("dossiers", "0003_search_text").normalise_rows(django_apps) == 2
    assert _migration("accounts", "0003_nfc_names").normalise_rows(django_apps) == 1
    dossier.refresh_from_db()
    citizen.refresh_from_db()
    assert dossier.applicant_name == NAME and dossier.applicant_address == ADDRESS
    assert dossier.form_data["reason"] == "Đi học"
    assert dossier.search_text == fold(f"{dossier.code} {NAME} {ADDRESS}")
    assert Attachment.objects.get(pk=attachment.pk).original_name == "Tờ khai.pdf"
    assert citizen.full_name == NAME and citizen.current_address == ADDRESS
    # a second run finds nothing left to do
    assert _migration("dossiers", "0003_search_text").normalise_rows(django_apps) == 0
    assert _migration("accounts", "0003_nfc_names").normalise_rows(django_apps) == 0


# --- 2. staff search: accents, case, đ, parts of codes, on indexes --------------------------------


@pytest.fixture
def people(area):
    return {
        "mai": make_citizen("019190000001", "Trần Thị Mai", area=area),
        "dao": make_citizen(
            "019190000002",
            "Đặng Thị Đào",
            area=area,
            current_address="Số 7 đường Đội Cấn, phường Đồng Quang",
        ),
        "other": make_citizen("019090000003", "Nguyễn Văn Bình", area=area),
    }


def test_staff_search_ignores_accents_and_case_in_names_and_addresses(
    people, procedure, area, unit, staff_client, receiving_officer
):
    codes = {k: file_dossier(u, procedure, area).code for k, u in people.items()}
    admin = staff_client(receiving_officer)
    cases = {
        "Tran Thi Mai": ["mai"],
        "tran thi mai": ["mai"],
        "TRẦN THỊ MAI": ["mai"],
        "trần thị mai": ["mai"],
        "thi": ["dao", "mai"],
        "Dang Thi Dao": ["dao"],  # đ/Đ ↔ d
        "đặng đào": ["dao"],
        "doi can": ["dao"],  # the address
        "Đồng Quang": ["dao"],
        "Binh": ["other"],
        "Trần Văn": [],
    }
    for term, keys in cases.items():
        expected = sorted(codes[k] for k in keys)
        assert admin_codes(admin, term) == expected, term
        assert api_codes(receiving_officer, term) == expected, term


def test_staff_search_finds_full_and_partial_codes_and_full_personal_numbers(
    people, procedure, area, unit, staff_client, receiving_officer
):
    filed = {k: file_dossier(u, procedure, area) for k, u in people.items()}
    code = filed["mai"].code  # e.g. G19.55-20261201-1
    admin = staff_client(receiving_officer)
    assert admin_codes(admin, code) == [code]
    assert admin_codes(admin, code.lower()) == [code]
    assert api_codes(receiving_officer, code) == [code]
    day_part = code.rsplit("-", 1)[0]  # unit and date: all three
    assert admin_codes(admin, day_part) == sorted(d.code for d in filed.values())
    tail = f"-{code.rsplit('-', 1)[1]}"  # the sequence
    assert code in admin_codes(admin, tail)
    assert admin_codes(admin, people["dao"].personal_id) == [filed["dao"].code]
    assert api_codes(receiving_officer, "019 190 000 002") == [filed["dao"].code]


def test_search_keeps_unit_scope_and_query_counts_do_not_grow_with_hits(
    area, procedure, unit, staff_client, receiving_officer, other_unit_officer, make_dossier
):
    few = [make_citizen(f"01919000100{i}", "Trần Thị Mai", area=area) for i in range(1)]
    many = [make_citizen(f"01919000200{i}", "Trần Văn Mạnh", area=area) for i in range(6)]
    for person in few + many:
        file_dossier(person, procedure, area)
    admin = staff_client(receiving_officer)

    def queries(term):
        with CaptureQueriesContext(connection) as ctx:
            hits = admin_codes(admin, term)
        return len(hits), len(ctx.captured_queries)

    one, one_queries = queries("tran thi mai")
    six, six_queries = queries("tran van manh")
    assert (one, six) == (1, 6)
    assert one_queries == six_queries
    outsider = staff_client(other_unit_officer)
    assert admin_codes(outsider, "tran") == []
    assert api_codes(other_unit_officer, "tran") == []


def test_admin_user_search_ignores_accents_and_case(people, staff_client, unit):
    from portal.accounts.models import Role
    from tests.dossiers.conftest import make_staff

    admin = staff_client(make_staff("quantri.test", unit, Role.ADMINISTRATOR))

    def found(term):
        response = admin.get(reverse("admin:accounts_user_changelist"), {"q": term})
        assert response.status_code == 200
        return sorted(u.full_name for u in response.context["cl"].result_list)

    assert found("tran thi mai") == ["Trần Thị Mai"]
    assert found(nfd("TRẦN THỊ MAI")) == ["Trần Thị Mai"]
    assert found("dang thi dao") == ["Đặng Thị Đào"]
    assert found("doi can") == ["Đặng Thị Đào"]  # the address
    assert found(people["other"].personal_id) == ["Nguyễn Văn Bình"]


@pytest.mark.postgres
def test_postgresql_uses_the_trigram_index_for_names_and_partial_codes(
    citizen, procedure, area, unit, receiving_officer
):
    require_service(connection.vendor == "postgresql", "PostgreSQL")
    # one unit with thousands of dossiers and varied names, as in production: the unit's own
    # index is not selective, a name or a part of a code is
    family = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
    middle = ["Văn", "Thị", "Hữu", "Đức", "Ngọc", "Minh"]
    given = ["Mai", "Bình", "Ân", "Hoa", "Lan", "Hùng", "Dũng", "Nam", "Tuấn", "Hương"]
    given += ["Quân", "Phúc", "Sơn", "Hải", "Long", "Khánh", "Yến", "Trang", "Vy", "Nga"]
    given += ["Thắng", "Hiếu", "Tâm", "Quỳnh", "Huệ", "Linh", "Châu", "Bảo", "Kiên", "Toàn"]
    given += ["Oanh", "Nhung", "Giang", "Hạnh", "Đào", "Uyên", "Xuân", "Yên", "Lực", "Cường"]
    rows = []
    for i in range(24_000):  # 2,400 different names, 10 dossiers each
        code = f"{unit.code}-20261201-{i}"
        name = f"{family[i % 10]} {middle[(i // 10) % 6]} {given[(i // 60) % 40]}"
        rows.append(
            Dossier(
                code=code,
                citizen=citizen,
                procedure=procedure,
                unit=unit,
                area=area,
                state=State.SUBMITTED,
                applicant_name=name,
                search_text=fold(f"{code} {name}"),
            )
        )
    Dossier.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dossiers_dossier")
        cursor.execute("SET enable_seqscan = off")
    base = selectors.dossiers_for_staff(user=receiving_officer)
    for term in ("Tran Thi Mai", "20261201-23999"):
        plan = selectors.search_dossiers(base, term).explain()
        assert "dossier_search_trgm" in plan, plan
    assert selectors.search_dossiers(base, "20261201-23999").count() == 1
    assert selectors.search_dossiers(base, "TRẦN THỊ MAI").count() == 10
    from portal.accounts.admin import search_users

    users = search_users(User.objects.all(), "Nguyen Van An").explain()
    assert "user_search_trgm" in users, users


# --- 3. names refuse markup and control characters -------------------------------------------------

GOOD_NAMES = [
    "Trần Thị Mai",
    "Nguyễn Ngọc Ánh Dương",
    "Đỗ Thị Hồng Nhung",
    "Lò Văn Pưởng",
    "H'Hen Niê",
    "Nguyễn-Trần Bảo Châu",
    "Ưng Hoàng Phúc",
    "Ksor H’Luynh",
    "Vũ Thị Ỷ",
    "Hoàng Thị Ỵ",
]
BAD_NAMES = [
    "<script>alert(1)</script>",
    "Trần <b>Mai</b>",
    "Mai > An",
    "Trần\u200bThị Mai",  # zero-width space
    "Trần Thị \u202eiaM",  # right-to-left override
    "Trần\x07Mai",  # C0 (bell)
    "Trần\x85Mai",  # C1 (next line)
    "Trần\u2028Mai",  # line separator
    "Trần\u2066Mai\u2069",  # bidi isolates
]


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_vietnamese_names_with_every_diacritic_hyphen_and_apostrophe_pass(client, settings, name):
    settings.ACCOUNTS_POST_SIGNUP_REDIRECT = ""
    assert client.post("/tai-khoan/dang-ky/", {**SIGNUP_PAGE, "full_name": name}).status_code == 302
    body = {**SIGNUP_API, "full_name": nfd(name)}
    assert APIClient().post("/api/v1/auth/signup/", body, format="json").status_code == 201
    assert set(User.objects.values_list("full_name", flat=True)) == {name}


@pytest.mark.parametrize("name", BAD_NAMES)
def test_markup_and_control_characters_are_refused_in_names_everywhere(
    client, name, unit, procedure, area, citizen
):
    page = client.post("/tai-khoan/dang-ky/", {**SIGNUP_PAGE, "full_name": name})
    assert page.status_code == 200
    assert "Họ và tên" in page.context["form"].errors["full_name"][0]
    api = APIClient().post("/api/v1/auth/signup/", {**SIGNUP_API, "full_name": name}, format="json")
    assert api.status_code == 400
    assert api.json()["errors"]["full_name"][0].startswith("Họ và tên")
    assert not User.objects.filter(username__in=["019085001111", "019085002222"]).exists()

    from django.core.exceptions import ValidationError

    from portal.accounts.services import create_staff

    with pytest.raises(ValidationError) as refused:
        create_staff(username="canbo.moi", full_name=name, unit=unit, roles=[], password=PASSWORD)
    assert "full_name" in refused.value.message_dict
    assert not User.objects.filter(username="canbo.moi").exists()

    draft = services.create_draft(citizen=citizen, procedure=procedure, area=area)
    with pytest.raises(ValidationError) as refused:
        services.update_draft(
            dossier=draft, actor=citizen, form_data=valid_absence_form(full_name=name)
        )
    assert "full_name" in refused.value.message_dict


def test_staff_creation_in_the_admin_refuses_markup_in_the_name(client, unit):
    from portal.accounts.admin import UserCreateForm

    form = UserCreateForm(
        data={
            "username": "canbo.moi",
            "full_name": "<img src=x>",
            "kind": "staff",
            "unit": unit.pk,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "usable_password": "true",
        }
    )
    assert not form.is_valid()
    assert "full_name" in form.errors


def test_the_header_never_shows_markup_from_a_name(client, citizen):
    # A name stored before the rule (or by a path that skipped it) is still only text.
    User.objects.filter(pk=citizen.pk).update(full_name='<script>alert("x")</script>')
    client.force_login(citizen)
    html = client.get("/").content.decode()
    header = html.split("</header>")[0] if "</header>" in html else html
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in header
