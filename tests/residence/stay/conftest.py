"""Fixtures for the stay notice (thông báo lưu trú, 2.001159): the dossier engine's fixtures plus
the procedure as the catalogue has it, a registry slice and a clock the tests can set."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from portal.catalogue.models import Procedure
from residence.models import Person
from tests.dossiers.conftest import *  # noqa: F403 - reuse the engine's fixtures
from tests.dossiers.conftest import (
    _fast_password_hashing,  # noqa: F401 - autouse, not in *
    upsert_person,
)

STAY_NOTICE = "2.001159"
HOST_STREET = "Số 12 đường Hoàng Văn Thụ, tổ 3"


@pytest.fixture
def stay_procedure(unit) -> Procedure:
    """2.001159 as catalogued: level 4, immediate, received 24/7, free, nothing to attach (with
    `unit`, the commune police of `area`, to receive it)."""
    proc = Procedure.objects.filter(code=STAY_NOTICE).first() or Procedure(code=STAY_NOTICE)
    proc.name_vi = "Thông báo lưu trú"
    proc.field = "residence"
    proc.level = 4
    proc.deadline_kind = "immediate"
    proc.deadline_days = Decimal("0")
    proc.reception_mode = "round_the_clock"
    proc.handling_level = "commune"
    proc.result_methods = ["electronic"]
    proc.is_published = True
    proc.save()
    proc.required_documents.all().delete()
    proc.fees.all().delete()
    return proc


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def clock(monkeypatch):
    """clock.set(local datetime): the engine's and the stay rules' "now" (the pattern of
    tests/dossiers/test_engine.py: patch the module's `_now`)."""
    from portal.dossiers import services
    from residence.services import stays

    class Clock:
        now = timezone.now()

        def set(self, moment: dt.datetime) -> None:
            self.now = moment

    c = Clock()
    monkeypatch.setattr(services, "_now", lambda: c.now)
    monkeypatch.setattr(stays, "_now", lambda: c.now)
    return c


@pytest.fixture
def registry_guests(db) -> list[Person]:
    """Five persons in the registry (numbers 0010900000{1..5})."""
    return [
        upsert_person(
            personal_id=f"00109000000{i}",
            full_name=name,
            date_of_birth=dt.date(1980 + i, i, 10 + i),
            sex="M" if i % 2 else "F",
        )
        for i, name in enumerate(
            ["Nguyễn Văn Ánh", "Trần Thị Bích", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em"],
            start=1,
        )
    ]


def guest(personal_id: str, *, name: str = "", arrives: dt.datetime, days: int = 2, **extra):
    item = {
        "personal_id": personal_id,
        "full_name": name,
        "arrives_at": timezone.localtime(arrives).strftime("%Y-%m-%dT%H:%M"),
        "leaves_on": (timezone.localtime(arrives).date() + dt.timedelta(days=days)).isoformat(),
    }
    item.update(extra)
    return item


def notice(*guests, host_name: str = "Nhà nghỉ Hoa Mai", street: str = HOST_STREET) -> dict:
    return {"host_name": host_name, "street": street, "guests": list(guests)}
