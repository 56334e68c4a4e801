"""Fixtures for the temporary-residence procedures and khai báo tạm vắng's registry effect: the
engine's fixtures (areas, units, citizens, staff …) plus the three procedures, the citizen's
registry record (a permanent home in `area`, head of a household) and helpers to file a dossier
and move it through the states."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.accounts.models import Role
from portal.catalogue.models import Procedure, RequiredDocument
from portal.dossiers import services
from portal.dossiers.models import Document
from residence.models import Household, HouseholdMember, PermanentResidence, TemporaryResidence
from residence.services.common import get_or_create_address, new_household_number
from tests.conftest import pdf_text
from tests.dossiers.conftest import *  # noqa: F403 - reuse the engine's fixtures
from tests.dossiers.conftest import make_pdf_bytes, put_in_registry

CT01 = ("to-khai-ct01", "Tờ khai thay đổi thông tin cư trú (Mẫu CT01)", True)


def residence_procedure(code: str, name: str, deadline_days: str, documents) -> Procedure:
    """The procedure at level 3 without fee (whatever the catalogue loaded), with `documents`."""
    proc = Procedure.objects.filter(code=code).first()
    if proc is None:
        proc = Procedure.objects.create(
            code=code,
            name_vi=name,
            field="residence",
            level=3,
            deadline_days=Decimal(deadline_days),
            handling_level="commune",
            result_methods=["in_person", "electronic"],
        )
    else:
        proc.level = 3
        proc.deadline_days = Decimal(deadline_days)
        proc.handling_level = "commune"
        proc.save()
        proc.required_documents.all().delete()
        proc.fees.all().delete()
    for position, (key, doc_name, mandatory) in enumerate(documents, start=1):
        RequiredDocument.objects.create(
            procedure=proc, key=key, name=doc_name, is_mandatory=mandatory, position=position
        )
    return proc


@pytest.fixture
def registration_procedure(db) -> Procedure:
    return residence_procedure(
        "1.004194",
        "Đăng ký tạm trú",
        "3",
        [
            CT01,
            ("cho-o-hop-phap", "Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp", True),
            (
                "y-kien-chu-ho",
                "Văn bản đồng ý của chủ hộ, chủ sở hữu chỗ ở hợp pháp hoặc người được ủy quyền",
                False,
            ),
        ],
    )


@pytest.fixture
def extension_procedure(db) -> Procedure:
    return residence_procedure("1.002755", "Gia hạn tạm trú", "3", [CT01])


@pytest.fixture
def removal_procedure(db) -> Procedure:
    return residence_procedure(
        "1.010028",
        "Xóa đăng ký tạm trú",
        "2",
        [
            CT01,
            (
                "chung-minh-thuoc-dien",
                "Giấy tờ, tài liệu chứng minh thuộc trường hợp xóa đăng ký tạm trú",
                True,
            ),
        ],
    )


@pytest.fixture
def person(citizen):
    """The citizen's registry record."""
    return put_in_registry(citizen)


@pytest.fixture
def household(person, area):
    """The citizen's permanent home in `area` ("Tổ 5"), as head of a household."""
    address = get_or_create_address(area=area, street="Tổ 5")
    home = Household.objects.create(number=new_household_number(), address=address)
    HouseholdMember.objects.create(
        household=home, person=person, relation="head", joined_on=dt.date(2015, 1, 1)
    )
    PermanentResidence.objects.create(
        person=person, address=address, household=home, registered_on=dt.date(2015, 1, 1)
    )
    return home


def add_temporary(person, area, street: str, *, expires_on: dt.date, registered_on=None):
    return TemporaryResidence.objects.create(
        person=person,
        address=get_or_create_address(area=area, street=street),
        registered_on=registered_on or expires_on - dt.timedelta(days=365),
        expires_on=expires_on,
    )


def file_dossier(*, citizen, procedure, area, form: dict):
    """Create, attach every mandatory document the plugin asks for, submit."""
    dossier = services.create_draft(citizen=citizen, procedure=procedure, area=area, form_data=form)
    dossier = services.update_draft(dossier=dossier, actor=citizen, form_data=form)
    for document in services.missing_documents(dossier=dossier):
        services.add_attachment(
            dossier=dossier,
            actor=citizen,
            uploaded_file=SimpleUploadedFile(f"{document.key}.pdf", make_pdf_bytes()),
            requirement_key=document.key,
        )
    return services.submit(dossier=dossier, actor=citizen)


@pytest.fixture
def officers(staff_by_role, unit, other_unit, other_unit_officer):
    """officers(dossier) → (receiver, handler, leader) of the dossier's unit."""

    def _officers(dossier):
        if dossier.unit_id == other_unit.pk:
            return other_unit_officer, other_unit_officer, other_unit_officer
        return (
            staff_by_role[Role.RECEIVING_OFFICER],
            staff_by_role[Role.HANDLING_OFFICER],
            staff_by_role[Role.UNIT_LEADER],
        )

    return _officers


@pytest.fixture
def to_processing(officers):
    def _move(dossier):
        receiver, handler, _leader = officers(dossier)
        dossier = services.receive(dossier=dossier, actor=receiver)
        return services.start_processing(dossier=dossier, actor=handler)

    return _move


@pytest.fixture
def approve(officers, to_processing):
    """approve(dossier) → receive, process and approve it as the dossier's unit staff."""

    def _approve(dossier):
        dossier = to_processing(dossier)
        return services.approve(dossier=dossier, actor=officers(dossier)[2])

    return _approve


def result_text(dossier) -> str:
    """The text of the dossier's result document (rendered now), whitespace collapsed."""
    document = dossier.documents.get(kind=Document.Kind.RESULT)
    document = services.render_document(document_id=document.pk)
    assert document.status == Document.Status.READY, document.template_name
    with document.file.open("rb") as handle:
        return " ".join(pdf_text(handle.read()).split())


def form_errors(excinfo) -> dict[str, list[str]]:
    """field → messages of a ValidationError raised by update_draft."""
    return {k: [str(m) for m in v] for k, v in excinfo.value.message_dict.items()}
