"""Statistics fixtures: the dossier and back-office fixtures, a settable clock for the engine, and
a hand-computed scenario of June 2026 (see `scenario`)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.backoffice.conftest import staff_client  # noqa: F401
from tests.dossiers.conftest import *  # noqa: F403 - units, staff, procedures, citizens
from tests.dossiers.conftest import make_pdf_bytes, valid_absence_form
from tests.dossiers.test_browser import (  # noqa: F401 - the Chromium launch fixtures
    _media_url_for_live_server,
    browser,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=HCM)


@pytest.fixture
def refusal_reason(db, procedure):
    """A managed refusal category that applies to the procedure (khai báo tạm vắng). Created when
    missing: transactional tests lose the data migration's rows."""
    from portal.backoffice.models import RefusalReason

    applicable = RefusalReason.for_procedure(procedure)
    return (
        applicable[0]
        if applicable
        else RefusalReason.objects.create(
            code="thong-tin-sai-su-that",
            title="Giấy tờ, thông tin kê khai sai sự thật",
            legal_provision="Điều 7 Luật Cư trú 2020",
        )
    )


@pytest.fixture
def clock(monkeypatch):
    """clock.set(moment): the engine's notion of "now" (every transition's time)."""
    from portal.dossiers import services

    class Clock:
        now = at(2026, 6, 1, 9, 0)

        def set(self, moment):
            self.now = moment

    c = Clock()
    monkeypatch.setattr(services, "_now", lambda: c.now)
    return c


@pytest.fixture
def file_dossier(clock, citizen, procedure):
    """file_dossier(moment, area=...) → a dossier submitted at `moment` through the services."""
    from portal.dossiers import services

    def _file(moment, *, area, who=citizen):
        clock.set(moment)
        dossier = services.create_draft(
            citizen=who, procedure=procedure, area=area, form_data=valid_absence_form()
        )
        services.add_attachment(
            dossier=dossier,
            actor=who,
            uploaded_file=SimpleUploadedFile("to-khai.pdf", make_pdf_bytes()),
            requirement_key="to-khai",
        )
        return services.submit(dossier=dossier, actor=who)

    return _file


@pytest.fixture
def scenario(
    clock,
    file_dossier,
    area,
    other_area,
    citizen,
    receiving_officer,
    handling_officer,
    unit_leader,
    other_unit_officer,
    refusal_reason,
):
    """June 2026 (Mon 1 June; office hours 07:30–11:30, 13:30–17:00 = 7 h 30 = 1 working day;
    the procedure's deadline is 1 working day).

    Unit `unit`:
      D1 filed Mon 09:00 (due Tue 09:00), approved Mon 15:00, returned Tue 08:00 → on time, 4 h.
      D2 filed Mon 09:00, approved Wed 09:00, returned Wed 10:00 → late, 15 h = 2 days.
      D3 filed Mon 09:00, refused Mon 11:00 with a managed category → on time, 2 h.
      D4 filed Tue 08:00 (due Wed 08:00), supplement asked Tue 10:00, resubmitted Thu 09:00
         (due Thu 16:30), approved Thu 14:00, returned Fri 09:00 → on time, 2 h + 3 h = 5 h, 1 supplement.
      D5 filed Fri 09:00, received, still open.
      D6 filed Fri 10:00, withdrawn by the citizen.
    Unit `other_unit`:
      D7 filed Mon 09:00, stopped by the leader Mon 16:00 → on time, 2 h 30 + 2 h 30 = 5 h.
      D8 filed Sun 31 May 20:00 (a May arrival; received Mon 07:30), refused through the engine
         (no category) Mon 09:00 → on time, 1 h 30.
    """
    from portal.backoffice import services as backoffice
    from portal.dossiers import services

    def step(moment, func, **kwargs):
        clock.set(moment)
        return func(**kwargs)

    d = {}
    d["D8"] = file_dossier(at(2026, 5, 31, 20, 0), area=other_area)
    for name in ("D1", "D2", "D3"):
        d[name] = file_dossier(at(2026, 6, 1, 9, 0), area=area)
    d["D7"] = file_dossier(at(2026, 6, 1, 9, 0), area=other_area)

    step(at(2026, 6, 1, 8, 0), services.receive, dossier=d["D8"], actor=other_unit_officer)
    step(
        at(2026, 6, 1, 9, 0),
        services.refuse,
        dossier=d["D8"],
        actor=other_unit_officer,
        reason="Không thuộc thẩm quyền",
        legal_provision="Khoản 1 Điều 31 Luật Cư trú 2020",
    )
    for name, received, started, approved, returned in (
        (
            "D1",
            at(2026, 6, 1, 10, 0),
            at(2026, 6, 1, 10, 30),
            at(2026, 6, 1, 15),
            at(2026, 6, 2, 8),
        ),
        ("D2", at(2026, 6, 1, 9, 30), at(2026, 6, 1, 10, 0), at(2026, 6, 3, 9), at(2026, 6, 3, 10)),
    ):
        step(received, services.receive, dossier=d[name], actor=receiving_officer)
        step(started, services.start_processing, dossier=d[name], actor=handling_officer)
        step(approved, services.approve, dossier=d[name], actor=unit_leader)
        step(
            returned,
            services.return_result,
            dossier=d[name],
            actor=receiving_officer,
            method="in_person",
            details={},
        )
    step(
        at(2026, 6, 1, 11, 0),
        backoffice.refuse,
        dossier=d["D3"],
        actor=unit_leader,
        reason_category=refusal_reason,
        explanation="Người khai báo không thuộc diện phải khai báo tạm vắng theo quy định.",
    )
    step(at(2026, 6, 1, 9, 30), services.receive, dossier=d["D7"], actor=other_unit_officer)
    step(at(2026, 6, 1, 10), services.start_processing, dossier=d["D7"], actor=other_unit_officer)
    step(
        at(2026, 6, 1, 16),
        services.stop,
        dossier=d["D7"],
        actor=other_unit_officer,
        reason="Công dân đề nghị dừng giải quyết",
    )

    d["D4"] = file_dossier(at(2026, 6, 2, 8, 0), area=area)
    step(at(2026, 6, 2, 8, 30), services.receive, dossier=d["D4"], actor=receiving_officer)
    step(
        at(2026, 6, 2, 10, 0),
        services.request_supplement,
        dossier=d["D4"],
        actor=receiving_officer,
        items=[{"document": "Tờ khai CT01", "copy_kind": "original", "problem": "Thiếu chữ ký"}],
        guidance="Ký và tải lại tờ khai CT01.",
    )
    services.add_attachment(
        dossier=d["D4"],
        actor=citizen,
        uploaded_file=SimpleUploadedFile("ct01.pdf", make_pdf_bytes()),
        requirement_key="to-khai",
    )
    d["D4"] = step(at(2026, 6, 4, 9, 0), services.resubmit, dossier=d["D4"], actor=citizen)
    assert d["D4"].due_at == at(2026, 6, 4, 16, 30)
    step(at(2026, 6, 4, 9, 30), services.receive, dossier=d["D4"], actor=receiving_officer)
    step(at(2026, 6, 4, 10), services.start_processing, dossier=d["D4"], actor=handling_officer)
    step(at(2026, 6, 4, 14), services.approve, dossier=d["D4"], actor=unit_leader)
    step(
        at(2026, 6, 5, 9),
        services.return_result,
        dossier=d["D4"],
        actor=receiving_officer,
        method="in_person",
        details={},
    )

    d["D5"] = file_dossier(at(2026, 6, 5, 9, 0), area=area)
    step(at(2026, 6, 5, 9, 30), services.receive, dossier=d["D5"], actor=receiving_officer)
    d["D6"] = file_dossier(at(2026, 6, 5, 10, 0), area=area)
    step(at(2026, 6, 5, 10, 30), services.withdraw, dossier=d["D6"], actor=citizen, reason="")
    for dossier in d.values():
        dossier.refresh_from_db()
    return d
