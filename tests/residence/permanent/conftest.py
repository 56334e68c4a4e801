"""Fixtures for the permanent-residence procedures (1.004222, 1.003197, 1.010038, 1.010039).

The four procedures come from the real catalogue (portal/catalogue/data/procedures.yaml, loaded
per test) so their attachments are the catalogue's. The registry is built directly: `settle`
puts a person into a household at an address with a current permanent residence. `file` takes
a dossier from draft to submitted (uploading exactly the documents the plugin requires, paying
the online fee when there is one); `decide` receives, processes and approves it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal.catalogue.models import Procedure
from portal.dossiers import services
from portal.dossiers.models import Document
from residence.models import Household, HouseholdMember, PermanentResidence, Person
from residence.services.common import get_or_create_address, new_household_number
from tests.conftest import pdf_text
from tests.dossiers.conftest import *  # noqa: F403 - areas, units, staff, citizens
from tests.dossiers.conftest import (  # noqa: F401 - used by tests
    _fast_password_hashing,  # noqa: F401 - autouse, not in *
    make_citizen,
    make_pdf_bytes,
    upsert_person,
)

CODES = ("1.004222", "1.003197", "1.010038", "1.010039")


@pytest.fixture
def procedures(db, unit, other_unit) -> dict[str, Procedure]:
    """The four procedures from the catalogue (with the two commune police units existing)."""
    from portal.catalogue.services import load_catalogue

    load_catalogue()
    procs = {p.code: p for p in Procedure.objects.filter(code__in=CODES)}
    assert set(procs) == set(CODES)
    return procs


def make_person(personal_id: str, full_name: str, born=dt.date(1980, 1, 1), sex="M") -> Person:
    return upsert_person(personal_id=personal_id, full_name=full_name, date_of_birth=born, sex=sex)


def settle(person: Person, *, area, street: str, household=None, relation="head") -> Household:
    """Put `person` permanently at (area, street), heading a new household or joining one."""
    address = get_or_create_address(area=area, street=street)
    if household is None:
        household = Household.objects.create(number=new_household_number(), address=address)
    day = dt.date(2015, 1, 1)
    HouseholdMember.objects.create(
        household=household, person=person, relation=relation, joined_on=day
    )
    PermanentResidence.objects.create(
        person=person, address=address, household=household, registered_on=day
    )
    return household


@pytest.fixture
def leader_of(unit, other_unit, staff_by_role, other_unit_officer):
    """The staff (receiver, handler, leader) of the unit a dossier is at."""

    def _for(dossier):
        if dossier.unit_id == other_unit.pk:
            return other_unit_officer, other_unit_officer, other_unit_officer
        return (
            staff_by_role["receiving_officer"],
            staff_by_role["handling_officer"],
            staff_by_role["unit_leader"],
        )

    return _for


@pytest.fixture
def file():
    def _file(citizen, procedure, data: dict, *, area, submit=True):
        dossier = services.create_draft(citizen=citizen, procedure=procedure, area=area)
        dossier = services.update_draft(dossier=dossier, actor=citizen, form_data=data)
        if not submit:
            return dossier
        for doc in services.missing_documents(dossier=dossier):
            services.add_attachment(
                dossier=dossier,
                actor=citizen,
                uploaded_file=SimpleUploadedFile(f"{doc.key}.pdf", make_pdf_bytes()),
                requirement_key=doc.key,
            )
        dossier = services.submit(dossier=dossier, actor=citizen)
        if dossier.state == "awaiting_payment":
            dossier = services.confirm_payment(dossier=dossier)
        return dossier

    return _file


@pytest.fixture
def decide(leader_of):
    def _decide(dossier, *, approve=True):
        receiver, handler, leader = leader_of(dossier)
        dossier = services.receive(dossier=dossier, actor=receiver)
        dossier = services.start_processing(dossier=dossier, actor=handler)
        if not approve:
            return dossier
        return services.approve(dossier=dossier, actor=leader)

    return _decide


def result_text(dossier) -> str:
    """The text of the dossier's result document (CT08), rendered now."""
    document = Document.objects.get(dossier=dossier, kind=Document.Kind.RESULT)
    document = services.render_document(document_id=document.pk)
    assert document.status == Document.Status.READY
    with document.file.open("rb") as fh:
        # Words, not lines: the notice wraps long values wherever the layout puts them.
        return " ".join(pdf_text(fh.read()).split())


def today_vn() -> str:
    return timezone.localdate().strftime("%d/%m/%Y")


@pytest.fixture
def family(citizen, other_citizen, area):
    """Household at Tổ 5 in `area`: Nguyễn Văn An (the `citizen`) heads it; Trần Thị Bình
    (`other_citizen`, his wife), their son Nguyễn Văn Cường (an account too, 2000) and his wife
    Đỗ Thị Dung and their child Nguyễn Văn Em are members."""
    an = make_person(citizen.personal_id, citizen.full_name, citizen.date_of_birth)
    household = settle(an, area=area, street="Tổ 5")
    binh = make_person(other_citizen.personal_id, other_citizen.full_name, dt.date(1995, 2, 3), "F")
    cuong_account = make_citizen(
        "019200000003",
        "Nguyễn Văn Cường",
        area=area,
        date_of_birth=dt.date(2000, 6, 1),
        phone="+84912000003",
    )
    cuong = make_person(cuong_account.personal_id, "Nguyễn Văn Cường", dt.date(2000, 6, 1))
    dung = make_person("019200000004", "Đỗ Thị Dung", dt.date(2001, 7, 2), "F")
    em = make_person("019200000005", "Nguyễn Văn Em", dt.date(2022, 8, 3))
    street = "Tổ 5"
    for person, relation in (
        (binh, "spouse"),
        (cuong, "child"),
        (dung, "child_in_law"),
        (em, "grandchild"),
    ):
        settle(person, area=area, street=street, household=household, relation=relation)
    return {
        "household": household,
        "an": an,
        "binh": binh,
        "cuong": cuong,
        "cuong_account": cuong_account,
        "dung": dung,
        "em": em,
    }


def errors_of(fn) -> dict[str, list[str]]:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        fn()
    return info.value.message_dict


def registry_snapshot() -> tuple:
    """Everything the four procedures may write, to compare before/after a refusal."""
    from residence.models import RegistryChange

    return (
        list(
            PermanentResidence.objects.order_by("pk").values_list("pk", "ended_on", "household_id")
        ),
        list(HouseholdMember.objects.order_by("pk").values_list("pk", "left_on", "relation")),
        list(Household.objects.order_by("pk").values_list("pk", "dissolved_at")),
        list(Person.objects.order_by("pk").values_list("pk", "full_name", "date_of_birth", "sex")),
        RegistryChange.objects.count(),
    )


@pytest.fixture
def refuse(decide, leader_of):
    def _refuse(dossier):
        dossier = decide(dossier, approve=False)
        return services.refuse(
            dossier=dossier,
            actor=leader_of(dossier)[2],
            reason="Hồ sơ không đủ căn cứ",
            legal_provision="Luật Cư trú 2020",
        )

    return _refuse
