"""Postal return fixtures: the engine's and the back office's fixtures, plus a dossier whose
citizen chose the result by post."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.accounts.models import Role
from portal.catalogue.models import Procedure
from portal.postal.models import PostalFeeRate
from tests.backoffice.conftest import staff_client  # noqa: F401
from tests.dossiers.conftest import *  # noqa: F403 - reuse the engine's fixtures
from tests.dossiers.conftest import valid_absence_form

ADDRESS = "Số 12 đường Hoàng Văn Thụ, phường Phan Đình Phùng, tỉnh Thái Nguyên"


@pytest.fixture(autouse=True)
def _postal_secret(settings):
    settings.POSTAL_WEBHOOK_SECRET = "test-postal-secret"
    settings.POSTAL_PROVIDER = "portal.postal.providers.SimulatorProvider"


@pytest.fixture
def postal_rate(db):
    return PostalFeeRate.objects.create(valid_from=dt.date(2020, 1, 1), amount=25000)


@pytest.fixture
def post_allowed(procedure) -> Procedure:
    procedure.result_methods = ["in_person", "post"]
    procedure.save(update_fields=["result_methods"])
    return procedure


@pytest.fixture
def post_dossier(post_allowed, citizen, area, staff_by_role, pdf_bytes, postal_rate):
    """post_dossier(state) → a dossier filed with the result by post, brought to `state`
    ("draft", "submitted" or "approved") through the services."""
    from portal.dossiers import services

    def _make(state: str = "approved"):
        dossier = services.create_draft(
            citizen=citizen, procedure=post_allowed, area=area, form_data=valid_absence_form()
        )
        dossier = services.update_draft(
            dossier=dossier, actor=citizen, result_method="post", result_address=ADDRESS
        )
        if state == "draft":
            return dossier
        services.add_attachment(
            dossier=dossier,
            actor=citizen,
            uploaded_file=SimpleUploadedFile("to-khai.pdf", pdf_bytes),
            requirement_key="to-khai",
        )
        dossier = services.submit(dossier=dossier, actor=citizen)
        if state == "submitted":
            return dossier
        dossier = services.receive(dossier=dossier, actor=staff_by_role[Role.RECEIVING_OFFICER])
        dossier = services.start_processing(
            dossier=dossier, actor=staff_by_role[Role.HANDLING_OFFICER]
        )
        dossier = services.approve(dossier=dossier, actor=staff_by_role[Role.UNIT_LEADER])
        assert state == "approved", state
        return dossier

    return _make
