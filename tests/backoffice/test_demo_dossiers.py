"""`make run`'s demo: staff queues at Công an xã Định Hóa are not empty, and a re-run adds nothing."""

import pytest
from django.core.management import call_command

from portal.backoffice.models import RefusalReview
from portal.dossiers.models import Dossier


@pytest.mark.django_db
def test_seed_demo_files_dossiers_in_the_states_staff_work_on(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", verbosity=0)
    states = sorted(
        Dossier.objects.filter(unit__code="CAX.DINHHOA").values_list("state", flat=True)
    )
    assert states == sorted(
        [
            "submitted",
            "submitted",
            "received",
            "processing",
            "supplement_requested",
            "approved",
            "refused",
        ]
    )
    assert RefusalReview.objects.count() == 1  # the refusal is in the supervisor's review list
    codes = set(Dossier.objects.values_list("code", flat=True))
    call_command("seed_demo", verbosity=0)
    assert set(Dossier.objects.values_list("code", flat=True)) == codes
