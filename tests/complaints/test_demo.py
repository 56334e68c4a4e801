"""seed_demo leaves complaints in the supervisor's queue, once (idempotent)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from portal.accounts.models import User
from portal.complaints.models import Complaint, ComplaintState
from portal.complaints.selectors import visible_complaints


@pytest.mark.django_db
def test_seed_demo_files_two_complaints_once(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", "--citizens", "9", stdout=io.StringIO())
    call_command("seed_demo", "--citizens", "9", stdout=io.StringIO())
    complaints = list(Complaint.objects.order_by("pk"))
    assert [c.state for c in complaints] == [ComplaintState.RECEIVED, ComplaintState.DIRECTED]
    assert complaints[0].dossier is not None and complaints[0].dossier.state == "refused"
    supervisor = User.objects.get(username="giamsat.thainguyen")
    assert visible_complaints(user=supervisor).count() == 2
    assert all(c.handling_unit == supervisor.unit for c in complaints)
