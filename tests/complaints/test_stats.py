"""The statistics interface (portal/complaints/stats.py) against a hand-computed fixture.

Period: June 2026 (Asia/Ho_Chi_Minh), [start, end). Complaints are built through the services at
chosen moments (time is frozen by patching `services._now`), so history rows are real.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from portal.complaints import services
from portal.complaints.models import SatisfactionRating
from portal.complaints.stats import complaint_counts_by_unit, rating_summary_by_unit
from tests.complaints.conftest import CORRECTIVE, INSTRUCTION, NOTE, RESOLUTION, SUMMARY

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
START = dt.datetime(2026, 6, 1, tzinfo=VN)
END = dt.datetime(2026, 7, 1, tzinfo=VN)


def at(month, day, hour=9):
    return dt.datetime(2026, month, day, hour, tzinfo=VN)


@pytest.fixture
def clock(monkeypatch):
    """clock(moment): the services' "now" (the one place time enters them)."""
    holder = {}
    monkeypatch.setattr(services, "_now", lambda: holder["now"])

    def _set(moment):
        holder["now"] = moment

    return _set


def test_complaint_counts_by_unit(
    clock,
    file_complaint,
    citizen,
    other_citizen,
    supervisor,
    receiving_officer,
    unit_leader,
    unit,
    other_unit,
):
    def file(moment, who=citizen, where=unit, category="other"):
        clock(moment)
        return file_complaint(actor=who, unit=where, category=category)

    def step(moment, name, complaint, **kw):
        clock(moment)
        return getattr(services, name)(complaint=complaint, **kw)

    def to_resolved(complaint, day):
        step(at(*day, 9), "direct", complaint, actor=supervisor, instruction=INSTRUCTION)
        step(
            at(*day, 10),
            "contact",
            complaint,
            actor=receiving_officer,
            contacted_at=at(*day, 10),
            channel="phone",
            summary=SUMMARY,
        )
        return step(
            at(*day, 11),
            "resolve",
            complaint,
            actor=unit_leader,
            resolution=RESOLUTION,
            corrective_action=CORRECTIVE,
        )

    # unit:
    # a: filed in May, resolved in May, closed in June → resolved counts in June (closed there)
    a = file(at(5, 10))
    to_resolved(a, (5, 12))
    step(at(6, 2), "close", a, actor=supervisor, note=NOTE)
    # b: filed in May, still open, deadline long past at the end of June → open + overdue
    file(at(5, 20), who=other_citizen)
    # c: filed 3 June, resolved 5 June and closed 8 June → received, resolved, not open; it is
    #    a repeat of a (same citizen, same unit, 24 days later)
    c = file(at(6, 3), category="late_result")
    assert c.is_repeat
    to_resolved(c, (6, 5))
    step(at(6, 8), "close", c, actor=supervisor, note=NOTE)
    # d: a repeat of c (same citizen, same unit) on 10 June; directed with a deadline in July
    d = file(at(6, 10))
    assert d.is_repeat
    clock(at(6, 30, 16))
    d = services.direct(complaint=d, actor=supervisor, instruction=INSTRUCTION, response_hours=40)
    assert d.step_due_at >= END
    # e: filed in July: outside the period entirely
    file(at(7, 2), who=other_citizen, category="staff_conduct")
    # other_unit:
    # f: filed 15 June, resolved 20 June, reopened by the citizen 25 June → resolved in June and
    #    open at the end (back to received, its new deadline before the end → overdue)
    f = file(at(6, 15), who=other_citizen, where=other_unit)
    from portal.accounts.models import Role
    from tests.dossiers.conftest import make_staff

    other_leader = make_staff("lanhdao.khac", other_unit, Role.UNIT_LEADER)
    step(at(6, 18), "direct", f, actor=supervisor, instruction=INSTRUCTION)
    step(
        at(6, 19),
        "contact",
        f,
        actor=other_leader,
        contacted_at=at(6, 19),
        channel="phone",
        summary=SUMMARY,
    )
    step(
        at(6, 20),
        "resolve",
        f,
        actor=other_leader,
        resolution=RESOLUTION,
        corrective_action=CORRECTIVE,
    )
    step(at(6, 25), "reopen", f, actor=other_citizen, reason="Đơn vị vẫn chưa trả hồ sơ cho tôi.")
    # g: filed on the first instant of July: not in June, not open at END
    file(END, who=other_citizen, where=other_unit, category="late_result")

    counts = complaint_counts_by_unit(start=START, end=END)
    assert counts == {
        unit.pk: {"received": 2, "resolved": 2, "open": 2, "overdue": 1, "repeated": 2},
        other_unit.pk: {"received": 1, "resolved": 1, "open": 1, "overdue": 1, "repeated": 0},
    }
    # May alone: a and b received, a resolved; at the end of May a (resolved, waiting for the
    # supervisor's confirmation since 12 May: 16 working hours are long over) and b are open and
    # both overdue
    may = complaint_counts_by_unit(start=at(5, 1, 0), end=START)
    assert may == {unit.pk: {"received": 2, "resolved": 1, "open": 2, "overdue": 2, "repeated": 0}}


def test_rating_summary_by_unit(make_dossier, citizen, unit, other_unit, other_area):
    def rate(score, moment, area=None):
        dossier = make_dossier("result_returned", **({"area": area} if area else {}))
        return SatisfactionRating.objects.create(
            dossier=dossier, citizen=citizen, score=score, created_at=moment
        )

    rate(5, at(6, 2))
    rate(2, at(6, 3))
    rate(1, at(6, 30, 23))
    rate(4, at(5, 31, 23))  # May
    rate(3, END)  # July
    summary = rating_summary_by_unit(start=START, end=END)
    assert summary == {unit.pk: {"count": 3, "average": pytest.approx(8 / 3), "low": 2}}
    assert rating_summary_by_unit(start=at(8, 1), end=at(9, 1)) == {}
