"""Concurrency on PostgreSQL with real connections (one per thread)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from portal.core.errors import Conflict
from portal.dossiers import services
from portal.dossiers.models import Dossier, DossierEvent
from tests.concurrency import run_at_once
from tests.conftest import require_service
from tests.dossiers.conftest import make_pdf_bytes, make_staff, valid_absence_form

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_officers_receive_at_once_exactly_one_wins(make_dossier, unit, receiving_officer):
    require_service(connection.vendor == "postgresql", "PostgreSQL")
    second_officer = make_staff("tiepnhan2", unit, "receiving_officer")
    dossier = make_dossier("submitted")
    version = dossier.version

    def receive_as(user, with_version):
        def go():
            fresh = Dossier.objects.get(pk=dossier.pk)
            return services.receive(
                dossier=fresh, actor=user, expected_version=version if with_version else None
            ).state

        return go

    for with_version in (False, True):
        if with_version:
            dossier = make_dossier("submitted")
            version = dossier.version
        results = run_at_once(
            [receive_as(receiving_officer, with_version), receive_as(second_officer, with_version)]
        )
        oks = [r for r in results if r[0] == "ok"]
        errors = [r[1] for r in results if r[0] == "error"]
        assert len(oks) == 1, results
        assert len(errors) == 1 and isinstance(errors[0], Conflict), results
        expected_code = "changed_by_someone_else" if with_version else "invalid_transition"
        assert errors[0].code == expected_code
        assert DossierEvent.objects.filter(dossier_id=dossier.pk, action="receive").count() == 1


def test_concurrent_submissions_get_distinct_codes(procedure, area, unit, citizen, other_citizen):
    require_service(connection.vendor == "postgresql", "PostgreSQL")
    from tests.dossiers.conftest import make_citizen

    citizens = [citizen, other_citizen] + [
        make_citizen(f"0010900{i:05d}", f"Công dân {i}", area=area, phone="+84912000999")
        for i in range(4)
    ]
    pdf = make_pdf_bytes()

    def file_for(user):
        def go():
            dossier = services.create_draft(
                citizen=user, procedure=procedure, area=area, form_data=valid_absence_form()
            )
            services.add_attachment(
                dossier=dossier,
                actor=user,
                uploaded_file=SimpleUploadedFile("a.pdf", pdf),
                requirement_key="to-khai",
            )
            return services.submit(dossier=dossier, actor=user).code

        return go

    results = run_at_once([file_for(u) for u in citizens])
    assert all(r[0] == "ok" for r in results), results
    codes = [r[1] for r in results]
    assert len(set(codes)) == len(codes) == 6
    assert sorted(int(c[-4:]) for c in codes) == list(range(1, 7))
