from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from portal.workcalendar.models import OfficeHours, SessionKind
from portal.workcalendar.services import LOCAL_TZ


@pytest.fixture(autouse=True)
def _vietnamese(settings):
    """Messages are checked in Vietnamese: a test client request for English elsewhere in the suite
    leaves English active in this thread (the locale middleware does not reset it)."""
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A Vietnam local time."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=LOCAL_TZ)


@pytest.fixture
def make_unit(db):
    from portal.units.models import PoliceUnit

    counter = iter(range(1, 1000))

    def make(*, sessions=(), code: str | None = None, **extra) -> PoliceUnit:
        unit = PoliceUnit.objects.create(
            code=code or f"T{next(counter):02d}",
            name=extra.pop("name", "Công an xã Thử nghiệm"),
            level=extra.pop("level", "commune"),
            **extra,
        )
        for weekday, opens, closes, kind in sessions:
            OfficeHours.objects.create(
                unit=unit,
                weekday=weekday,
                opens=dt.time.fromisoformat(opens),
                closes=dt.time.fromisoformat(closes),
                kind=kind,
            )
        return unit

    return make


W = SessionKind.WORKING.value
R = SessionKind.RECEPTION_ONLY.value

# 08:00–12:00 and 13:00–17:00 Mon–Fri (8 h day), Saturday 08:00–11:00 and Sunday 08:00–10:00 reception.
EIGHT_HOUR_UNIT = [
    *[(d, "08:00", "12:00", W) for d in range(5)],
    *[(d, "13:00", "17:00", W) for d in range(5)],
    (5, "08:00", "11:00", R),
    (6, "08:00", "10:00", R),
]


@pytest.fixture
def make_procedure(db):
    from portal.catalogue.models import Procedure

    def make(code: str = "1.004194", **fields) -> Procedure:
        defaults = {
            "name_vi": "Đăng ký tạm trú",
            "field": "residence",
            "level": 4,
            "deadline_kind": "working_days",
            "deadline_days": Decimal("3"),
            "reception_mode": "office_hours",
        }
        defaults.update(fields)
        return Procedure.objects.create(code=code, **defaults)

    return make
