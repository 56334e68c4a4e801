"""Fixtures for the identity procedures: the real catalogue rows (codes, fees by date, documents),
the engine's people and units, the card registry helpers, and the booking clock."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.booking.conftest import MONDAY, _booking_settings, at, clock  # noqa: F401 - re-exported for the tests  # noqa: F401 - fixtures
from tests.citizen_id.cards.conftest import (  # noqa: F401 - fixtures
    _fresh_rate_limits,
    _vietnamese,
    card,
    holder,
    person_of,
)
from tests.dossiers.conftest import *  # noqa: F403 - areas, units, staff, citizens
from tests.dossiers.conftest import (  # noqa: F401 - autouse, not in *
    _fast_password_hashing,
    make_citizen,
    make_pdf_bytes,
)

FIRST_ISSUE, RENEWAL, REISSUE, CONFIRMATION = "2.000200", "2.001195", "2.001194", "2.001178"
# Tuesday 2 March 2027, 09:00 (the booking clock starts on Monday 1 March).
VISIT = at(2027, 3, 2, 9, 0)


@pytest.fixture
def catalogue(db, unit):
    """The identity procedures as the catalogue YAML defines them (levels, fees, documents)."""
    from portal.catalogue.models import Procedure
    from portal.catalogue.services import load_catalogue

    load_catalogue()
    return {p.code: p for p in Procedure.objects.filter(field="identity")}


@pytest.fixture
def file_dossier(catalogue, area):
    """file_dossier(citizen, code, form, result_method=..., result_address=..., attachments=...)
    → a submitted dossier, through the engine's services."""
    from portal.dossiers import services

    def _file(
        citizen,
        code,
        form,
        *,
        result_method="in_person",
        result_address="",
        attachments=(),
        submit=True,
    ):
        dossier = services.create_draft(
            citizen=citizen, procedure=catalogue[code], area=area, form_data={}
        )
        dossier = services.update_draft(
            dossier=dossier,
            actor=citizen,
            form_data={**dossier.form_data, **form},
            result_method=result_method,
            result_address=result_address,
        )
        for key in attachments:
            services.add_attachment(
                dossier=dossier,
                actor=citizen,
                uploaded_file=SimpleUploadedFile(f"{key}.pdf", make_pdf_bytes(key)),
                requirement_key=key,
            )
        if submit:
            dossier = services.submit(dossier=dossier, actor=citizen)
        return dossier

    return _file


@pytest.fixture
def visit(clock, receiving_officer):  # noqa: F811 - the imported fixture
    """visit(dossier) books 09:00 on Tuesday 2 March 2027 for the dossier's citizen and checks
    them in at the unit (the booking helper's services)."""
    from portal.booking import services as booking

    def _visit(dossier):
        appointment = booking.book(citizen=dossier.citizen, dossier=dossier, starts_at=VISIT)
        clock.set(VISIT + dt.timedelta(minutes=5))
        return booking.check_in(actor=receiving_officer, appointment=appointment)

    return _visit


@pytest.fixture
def decide(receiving_officer, handling_officer, unit_leader):
    """decide(dossier) receives, processes and approves a submitted dossier (staff services)."""
    from portal.dossiers import services

    def _decide(dossier, *, receive=True):
        if receive:
            dossier = services.receive(dossier=dossier, actor=receiving_officer)
        dossier = services.start_processing(dossier=dossier, actor=handling_officer)
        return services.approve(dossier=dossier, actor=unit_leader)

    return _decide


@pytest.fixture
def child_citizen_factory(area):
    """A citizen account born on a given date (for the age rules)."""
    counter = iter(range(1, 100))

    def _make(born: dt.date, name: str = "Lê Minh Khang"):
        return make_citizen(
            f"0192{born.year % 100:02d}{next(counter):06d}",
            name,
            area=area,
            date_of_birth=born,
            sex="M",
            phone=f"+8491{next(counter):07d}",
        )

    return _make
