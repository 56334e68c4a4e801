"""Shared fixtures for the dossier engine, API and pages tests.

Everything is built directly (fast, no catalogue files needed):

- areas: a province (`province_area`) with two communes (`area`, `other_area`);
- units: `province_unit` (supervisors) → `unit` (serves `area`) and `other_unit` (serves `other_area`);
- people: `citizen`, `other_citizen`; `receiving_officer`, `handling_officer`, `unit_leader` of
  `unit`; `other_unit_officer` (all three officer roles, of `other_unit`); `supervisor` of the
  province unit; `staff_by_role` maps a role name to its user;
- procedures: `procedure` (1.003677 khai báo tạm vắng, level 3, 1 working day, one mandatory and one
  optional document), `procedure_level2` (info only), `procedure_level4` (online fee 10,000 đ);
- helpers: `pdf_bytes`, `png_bytes`, `jpeg_bytes`, `upload(name, content)`; `make_dossier(state=...)`
  builds a dossier in any state through the services (so history, dates and code are real).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal.accounts.models import Role, StaffRole, User
from portal.catalogue.models import Procedure, ProcedureFee, RequiredDocument
from portal.dossiers import payments
from portal.dossiers.registry import ProcedurePlugin, registry
from portal.units.models import AdministrativeArea, PoliceUnit

TEMPORARY_ABSENCE = "1.003677"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Seven accounts per test: PBKDF2 would make each test take seconds on a small machine."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


PASSWORD = "Mat-khau-rat-kho-2024"


# --- files ------------------------------------------------------------------------------------


def make_pdf_bytes(text: str = "Giấy tờ") -> bytes:
    """A small valid one-page PDF (hand-written, parses with pypdf)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def make_image_bytes(fmt: str = "PNG") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture
def pdf_bytes() -> bytes:
    return make_pdf_bytes()


@pytest.fixture
def png_bytes() -> bytes:
    return make_image_bytes("PNG")


@pytest.fixture
def jpeg_bytes() -> bytes:
    return make_image_bytes("JPEG")


@pytest.fixture
def upload():
    def _upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
        return SimpleUploadedFile(name, content, content_type=content_type)

    return _upload


# --- areas and units --------------------------------------------------------------------------


@pytest.fixture
def province_area(db) -> AdministrativeArea:
    return AdministrativeArea.objects.create(code="19", name="Tỉnh Thái Nguyên", kind="province")


@pytest.fixture
def area(province_area) -> AdministrativeArea:
    return AdministrativeArea.objects.create(
        code="05500", name="Phường Phan Đình Phùng", kind="commune", parent=province_area
    )


@pytest.fixture
def other_area(province_area) -> AdministrativeArea:
    return AdministrativeArea.objects.create(
        code="05501", name="Phường Quyết Thắng", kind="commune", parent=province_area
    )


@pytest.fixture
def province_unit(province_area) -> PoliceUnit:
    return PoliceUnit.objects.create(
        code="G19", name="Công an tỉnh Thái Nguyên", level="province", area=province_area
    )


@pytest.fixture
def unit(province_unit, area) -> PoliceUnit:
    return PoliceUnit.objects.create(
        code="G19.55",
        name="Công an phường Phan Đình Phùng",
        level="commune",
        parent=province_unit,
        area=area,
        address="Số 1 đường Hoàng Văn Thụ, phường Phan Đình Phùng, tỉnh Thái Nguyên",
        phone="02083855000",
    )


@pytest.fixture
def other_unit(province_unit, other_area) -> PoliceUnit:
    return PoliceUnit.objects.create(
        code="G19.56",
        name="Công an phường Quyết Thắng",
        level="commune",
        parent=province_unit,
        area=other_area,
        address="Số 2 đường Quang Trung, phường Quyết Thắng",
    )


# --- people -----------------------------------------------------------------------------------


def make_citizen(
    personal_id: str, full_name: str, *, area=None, in_registry: bool = True, **extra
) -> User:
    """A citizen; with a phone number, verified already (filing requires it) unless the test
    passes phone_verified_at=None. Unless `in_registry=False`, the person is also in the
    residence registry (khai báo tạm vắng, the engine tests' procedure, requires it)."""
    if extra.get("phone"):
        extra.setdefault("phone_verified_at", timezone.now())
    user = User.objects.create_user(
        username=personal_id,
        password=PASSWORD,
        personal_id=personal_id,
        kind=User.Kind.CITIZEN,
        full_name=full_name,
        **extra,
    )
    if area is not None:
        user.permanent_area = area
        user.current_area = area
        user.save(update_fields=["permanent_area", "current_area"])
    if in_registry and personal_id:
        put_in_registry(user)
    return user


def put_in_registry(user: User):
    """The registry person of an account (date of birth and sex from the account, else read from
    the personal identification number: digit 4 century and sex, digits 5–6 the year)."""
    from residence.services.common import get_or_create_person

    pid = user.personal_id
    century = {"0": 1900, "1": 1900, "2": 2000, "3": 2000}.get(pid[3:4], 1900)
    year = century + int(pid[4:6]) if pid[4:6].isdigit() else 1990
    born = user.date_of_birth or dt.date(year, 1, 1)
    sex = user.sex or ("F" if pid[3:4] and pid[3:4] in "13579" else "M")
    return get_or_create_person(
        personal_id=pid, full_name=user.full_name or user.username, date_of_birth=born, sex=sex
    )


def make_staff(username: str, unit: PoliceUnit, *roles: str) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        kind=User.Kind.STAFF,
        is_staff=True,
        full_name=f"Cán bộ {username}",
        unit=unit,
    )
    StaffRole.objects.bulk_create([StaffRole(user=user, role=r) for r in roles])
    return user


@pytest.fixture
def citizen(area) -> User:
    return make_citizen(
        "019090001234",
        "Nguyễn Văn An",
        area=area,
        date_of_birth=dt.date(1990, 5, 17),
        sex="M",
        phone="+84912345678",
        email="an@example.test",
        permanent_address="Tổ 5, phường Phan Đình Phùng, tỉnh Thái Nguyên",
        current_address="Tổ 5, phường Phan Đình Phùng, tỉnh Thái Nguyên",
    )


@pytest.fixture
def other_citizen(area) -> User:
    return make_citizen(
        "001195004321",
        "Trần Thị Bình",
        area=area,
        date_of_birth=dt.date(1995, 2, 3),
        sex="F",
        phone="+84987654321",
        permanent_address="Tổ 7, phường Phan Đình Phùng",
    )


@pytest.fixture
def receiving_officer(unit) -> User:
    return make_staff("tiepnhan", unit, Role.RECEIVING_OFFICER)


@pytest.fixture
def handling_officer(unit) -> User:
    return make_staff("xuly", unit, Role.HANDLING_OFFICER)


@pytest.fixture
def unit_leader(unit) -> User:
    return make_staff("lanhdao", unit, Role.UNIT_LEADER)


@pytest.fixture
def other_unit_officer(other_unit) -> User:
    return make_staff(
        "donvikhac", other_unit, Role.RECEIVING_OFFICER, Role.HANDLING_OFFICER, Role.UNIT_LEADER
    )


@pytest.fixture
def supervisor(province_unit) -> User:
    return make_staff("giamsat", province_unit, Role.SUPERVISOR)


@pytest.fixture
def staff_by_role(receiving_officer, handling_officer, unit_leader) -> dict[str, User]:
    return {
        Role.RECEIVING_OFFICER: receiving_officer,
        Role.HANDLING_OFFICER: handling_officer,
        Role.UNIT_LEADER: unit_leader,
    }


# --- procedures -------------------------------------------------------------------------------


class SimpleTestPlugin(ProcedurePlugin):
    """The plugin of a procedure a test made up: the engine files a procedure online only when a
    plugin is registered for it (no form fields beyond the engine's, the catalogue's documents)."""

    def __init__(self, code: str, form_class=None) -> None:
        self.procedure_code = code
        if form_class is not None:
            self.form_class = form_class


_TEST_PLUGINS: set[str] = set()
_TEST_PAYMENT_PROVIDERS: set[str] = set()


def register_test_plugin(code: str, plugin: ProcedurePlugin | None = None) -> ProcedurePlugin:
    """Register `plugin` (default: a SimpleTestPlugin) for `code` unless a real one is registered;
    unregistered after the test (tests/conftest.py `_test_plugins_unregistered`)."""
    existing = registry.get(code)
    if existing is not None and (plugin is None or code not in _TEST_PLUGINS):
        return existing  # a field app's real plugin (or the test's own): keep it
    registry.unregister(code)
    plugin = registry.register(plugin or SimpleTestPlugin(code))
    _TEST_PLUGINS.add(code)
    return plugin


def register_test_payment_provider(name: str = "test-payments") -> None:
    payments.register(name, object())
    _TEST_PAYMENT_PROVIDERS.add(name)


def unregister_test_plugins() -> None:
    for code in list(_TEST_PLUGINS):
        registry.unregister(code)
    _TEST_PLUGINS.clear()
    for name in list(_TEST_PAYMENT_PROVIDERS):
        payments.unregister(name)
    _TEST_PAYMENT_PROVIDERS.clear()


def make_procedure(
    code: str, name: str, *, level: int = 3, deadline_days="1", plugin: bool = True, **extra
):
    """A procedure; at level 3–4 a simple test plugin is registered for it (unless `plugin=False`
    or a field app registered a real one)."""
    if plugin and level >= 3:
        register_test_plugin(code)
    return Procedure.objects.create(
        code=code,
        name_vi=name,
        field="residence",
        level=level,
        deadline_days=Decimal(deadline_days),
        handling_level="commune",
        result_methods=["in_person", "electronic"],
        **extra,
    )


@pytest.fixture
def procedure(db) -> Procedure:
    """Khai báo tạm vắng (1.003677), level 3, 1 working day, free."""
    proc = Procedure.objects.filter(code=TEMPORARY_ABSENCE).first()
    if proc is None:
        proc = make_procedure(TEMPORARY_ABSENCE, "Khai báo tạm vắng", level=3, deadline_days="1")
    else:  # loaded by a data migration / catalogue: make the test independent of its values
        proc.level = 3
        proc.deadline_days = Decimal("1")
        proc.handling_level = "commune"
        proc.save()
        proc.required_documents.all().delete()
        proc.fees.all().delete()
    RequiredDocument.objects.create(
        procedure=proc, key="to-khai", name="Tờ khai thay đổi thông tin cư trú (CT01)", position=1
    )
    RequiredDocument.objects.create(
        procedure=proc,
        key="giay-to-khac",
        name="Giấy tờ chứng minh lý do tạm vắng",
        is_mandatory=False,
        position=2,
    )
    return proc


@pytest.fixture
def procedure_level2(db) -> Procedure:
    return make_procedure("1.010028", "Xóa đăng ký tạm trú", level=2, deadline_days="2")


@pytest.fixture
def procedure_level4(db) -> Procedure:
    """Level 4 with an online fee: a (test) payment provider exists, so it waits for payment."""
    register_test_payment_provider()
    proc = make_procedure("1.004194", "Đăng ký tạm trú", level=4, deadline_days="3")
    ProcedureFee.objects.create(
        procedure=proc, channel="online", amount=7000, valid_from=dt.date(2022, 1, 1)
    )
    ProcedureFee.objects.create(
        procedure=proc, channel="in_person", amount=15000, valid_from=dt.date(2022, 1, 1)
    )
    RequiredDocument.objects.create(
        procedure=proc, key="to-khai", name="Tờ khai thay đổi thông tin cư trú (CT01)", position=1
    )
    return proc


# --- dossiers ---------------------------------------------------------------------------------


def valid_absence_form(**overrides) -> dict:
    today = dt.date.today()
    data = {
        "reason": "Đi làm việc tại Hà Nội",
        "date_from": (today + dt.timedelta(days=2)).isoformat(),
        "date_to": (today + dt.timedelta(days=60)).isoformat(),
        "destination_address": "Số 10 phố Huế, phường Hai Bà Trưng, Hà Nội",
    }
    data.update(overrides)
    return data


def valid_temporary_registration_form(**overrides) -> dict:
    """Đăng ký tạm trú (1.004194, `procedure_level4`) in the citizen's own home: the person's data
    come from the registry/account."""
    today = dt.date.today()
    data = {
        "street": "Số 12, tổ 3",
        "date_from": (today + dt.timedelta(days=1)).isoformat(),
        "date_to": (today + dt.timedelta(days=365)).isoformat(),
        "basis": "own",
    }
    data.update(overrides)
    return data


@pytest.fixture
def absence_form():
    return valid_absence_form


@pytest.fixture
def make_dossier(procedure, citizen, area, unit, staff_by_role, pdf_bytes):
    """make_dossier(state="draft", citizen=..., procedure=...) → a dossier brought to `state`
    through the services (needs the engine's services)."""

    def _make(state: str = "draft", *, citizen=citizen, procedure=procedure, area=area):
        from portal.dossiers import services

        dossier = services.create_draft(
            citizen=citizen, procedure=procedure, area=area, form_data=valid_absence_form()
        )
        if state == "draft":
            return dossier
        services.add_attachment(
            dossier=dossier,
            actor=citizen,
            uploaded_file=SimpleUploadedFile("to-khai.pdf", pdf_bytes),
            requirement_key="to-khai",
        )
        dossier = services.submit(dossier=dossier, actor=citizen)
        if state in ("submitted", "awaiting_payment"):
            return dossier
        if state == "withdrawn":
            return services.withdraw(dossier=dossier, actor=citizen, reason="Không cần nữa")
        receiver = staff_by_role[Role.RECEIVING_OFFICER]
        handler = staff_by_role[Role.HANDLING_OFFICER]
        leader = staff_by_role[Role.UNIT_LEADER]
        if state == "refused":
            return services.refuse(
                dossier=dossier,
                actor=leader,
                reason="Không thuộc thẩm quyền",
                legal_provision="Khoản 1 Điều 31 Luật Cư trú 2020",
            )
        dossier = services.receive(dossier=dossier, actor=receiver)
        if state == "received":
            return dossier
        if state == "supplement_requested":
            return services.request_supplement(
                dossier=dossier,
                actor=receiver,
                items=[
                    {"document": "Tờ khai CT01", "copy_kind": "original", "problem": "Thiếu chữ ký"}
                ],
                guidance="Ký và tải lại tờ khai.",
            )
        dossier = services.start_processing(dossier=dossier, actor=handler)
        if state == "processing":
            return dossier
        if state == "stopped":
            return services.stop(dossier=dossier, actor=leader, reason="Công dân đề nghị dừng")
        dossier = services.approve(dossier=dossier, actor=leader)
        if state == "approved":
            return dossier
        if state == "result_returned":
            return services.return_result(
                dossier=dossier, actor=receiver, method="in_person", details={}
            )
        raise ValueError(state)

    return _make


@pytest.fixture
def eager_tasks():
    """Background tasks run in-process even with REDIS_URL set, for a test that reads what they
    wrote (the SMS outbox) without a worker."""
    from portal.celery import app

    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old


def upsert_person(*, personal_id: str, **fields):
    """A registry person with these exact data, whether or not `make_citizen` already put the
    account's person in the registry (same personal identification number)."""
    from residence.models import Person

    return Person.objects.update_or_create(personal_id=personal_id, defaults=fields)[0]
