"""Booking fixtures: the dossier and back-office fixtures, a procedure whose plugin says a visit is
needed, and a clock for the booking services (the booking window and the check-in / no-show rules
depend on "now"; the dates below are fixed so that holidays are known)."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.dossiers.registry import registry
from portal.workcalendar.services import LOCAL_TZ
from tests.backoffice.conftest import *  # noqa: F403 - units, staff, dossiers, staff_client
from tests.dossiers.test_browser import _media_url_for_live_server  # noqa: F401

VISIT_REASON = "Cần đến trụ sở để thu nhận vân tay và ảnh chân dung."


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A Vietnam local time."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=LOCAL_TZ)


# Monday 1 March 2027, 09:00: the booking window is Tuesday 2 … Monday 15 March (14 days).
MONDAY = at(2027, 3, 1, 9, 0)


@pytest.fixture(autouse=True)
def _vietnamese(settings):
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _booking_settings(settings):
    settings.BOOKING_DAYS_AHEAD = 14
    settings.BOOKING_DEFAULT_SLOT_MINUTES = 30
    settings.BOOKING_DEFAULT_CAPACITY = 2


class Clock:
    def __init__(self, monkeypatch) -> None:
        self._monkeypatch = monkeypatch
        self.now = MONDAY
        monkeypatch.setattr("portal.booking.services._now", lambda: self.now)

    def set(self, moment: dt.datetime) -> None:
        self.now = moment


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """The booking services' "now" (default MONDAY); `clock.set(moment)` moves it."""
    return Clock(monkeypatch)


@pytest.fixture
def visit_plugin(procedure):
    """The test procedure's plugin, answering that a visit is needed (as identity procedures do)."""
    from portal.dossiers.registry import DefaultPlugin

    original = registry.get(procedure.code)

    class NeedsVisit(type(original) if original else DefaultPlugin):
        def needs_visit(self, *, dossier):
            return True, VISIT_REASON

    registry.unregister(procedure.code)
    NeedsVisit.procedure_code = procedure.code
    registry.register(NeedsVisit())
    yield registry.get(procedure.code)
    registry.unregister(procedure.code)
    if original is not None:
        registry.register(original)


@pytest.fixture
def dossier(make_dossier, visit_plugin):
    """A submitted dossier of `citizen` at `unit` that needs a visit."""
    return make_dossier("submitted")
