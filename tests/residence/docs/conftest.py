# ruff: noqa: F811 - fixtures imported from tests.dossiers.conftest are requested by name
"""Fixtures for the documents of the residence procedures (CT07, CT08, the CT01–CT03 forms).

A small registry: the citizen Nguyễn Văn An is head of a household at Tổ 5 with his wife and son,
has a temporary residence in the other commune and a permanent residence that ended earlier;
Trần Thị Bình (`other_citizen`) lives in another household.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from portal.accounts.models import Role
from portal.catalogue.models import Procedure, RequiredDocument
from residence.models import (
    Household,
    HouseholdMember,
    PermanentResidence,
    TemporaryResidence,
)
from residence.services.common import get_or_create_address
from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    area,
    citizen,
    handling_officer,
    make_procedure,
    other_area,
    other_citizen,
    other_unit,
    province_area,
    province_unit,
    receiving_officer,
    staff_by_role,
    unit,
    unit_leader,
    upsert_person,
)

CONFIRMATION = "1.010041"


@pytest.fixture
def confirmation_procedure(db, unit) -> Procedure:
    """1.010041 at level 3: ½ working day, at most 3; the catalogue's CT01 upload requirement."""
    proc = Procedure.objects.filter(code=CONFIRMATION).first()
    if proc is None:
        proc = make_procedure(CONFIRMATION, "Xác nhận thông tin về cư trú", deadline_days="0.5")
    proc.level = 3
    proc.deadline_days = Decimal("0.5")
    proc.deadline_days_max = Decimal("3")
    proc.handling_level = "commune"
    proc.save()
    proc.required_documents.all().delete()
    proc.fees.all().delete()
    RequiredDocument.objects.create(
        procedure=proc, key="to-khai-ct01", name="Tờ khai thay đổi thông tin cư trú (CT01)"
    )
    return proc


@pytest.fixture
def registry(area, other_area, citizen, other_citizen):
    """The registry rows of the citizens (see the module docstring)."""
    home = get_or_create_address(area=area, street="Số 12, tổ 5")
    old_home = get_or_create_address(area=other_area, street="Số 3, ngõ 7, tổ 2")
    rented = get_or_create_address(area=other_area, street="Phòng 204, số 88 đường Quang Trung")
    an = upsert_person(
        personal_id=citizen.personal_id,
        full_name="Nguyễn Văn An",
        date_of_birth=dt.date(1990, 5, 17),
        sex="M",
        hometown="Xã Phú Đình, tỉnh Thái Nguyên",
    )
    wife = upsert_person(
        personal_id="019190007777",
        full_name="Lê Thị Hoa",
        date_of_birth=dt.date(1992, 8, 1),
        sex="F",
    )
    son = upsert_person(
        personal_id="019215008888",
        full_name="Nguyễn Minh Khôi",
        date_of_birth=dt.date(2015, 3, 9),
        sex="M",
    )
    binh = upsert_person(
        personal_id=other_citizen.personal_id,
        full_name="Trần Thị Bình",
        date_of_birth=dt.date(1995, 2, 3),
        sex="F",
    )
    household = Household.objects.create(number="HK0000000101", address=home)
    other_household = Household.objects.create(number="HK0000000102", address=old_home)
    since = dt.date(2019, 6, 1)
    for person, relation in ((an, "head"), (wife, "spouse"), (son, "child")):
        HouseholdMember.objects.create(
            household=household, person=person, relation=relation, joined_on=since
        )
        PermanentResidence.objects.create(
            person=person, address=home, household=household, registered_on=since
        )
    HouseholdMember.objects.create(
        household=other_household, person=binh, relation="head", joined_on=since
    )
    PermanentResidence.objects.create(
        person=an,
        address=old_home,
        registered_on=dt.date(2010, 1, 4),
        ended_on=dt.date(2019, 5, 31),
        end_reason="Chuyển đi nơi khác",
    )
    today = dt.date.today()
    TemporaryResidence.objects.create(
        person=an,
        address=rented,
        registered_on=today - dt.timedelta(days=100),
        expires_on=today + dt.timedelta(days=265),
    )
    return {"an": an, "wife": wife, "son": son, "binh": binh, "household": household}


@pytest.fixture
def move(staff_by_role):
    """move(dossier, "approved") → the dossier taken from submitted through the staff steps."""
    from portal.dossiers import services

    def _move(dossier, state: str):
        dossier = services.receive(dossier=dossier, actor=staff_by_role[Role.RECEIVING_OFFICER])
        if state == "received":
            return dossier
        dossier = services.start_processing(
            dossier=dossier, actor=staff_by_role[Role.HANDLING_OFFICER]
        )
        if state == "processing":
            return dossier
        return services.approve(dossier=dossier, actor=staff_by_role[Role.UNIT_LEADER])

    return _move
