"""The citizen page: a host files the night's guests (rows f-guests-<i>-<field>) and lands on the
dossier page, which is the confirmation ("Đã ghi nhận")."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from portal.dossiers.models import Dossier, State
from residence.models import Stay
from tests.residence.stay.conftest import HOST_STREET, local

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_host_files_two_guests_on_the_page(clock, client, citizen, stay_procedure, area):
    clock.set(local(2026, 12, 1, 22, 15))
    client.force_login(citizen)
    # (The empty form's rows are rendered by the engine's list widget template, tested there.)
    rows = {}
    for i, (pid, name) in enumerate(
        [("038095001111", "Đỗ Minh Khang"), ("038095002222", "Vũ Thị Lan")]
    ):
        rows.update(
            {
                f"f-guests-{i}-personal_id": pid,
                f"f-guests-{i}-full_name": name,
                f"f-guests-{i}-date_of_birth": "",
                f"f-guests-{i}-arrives_at": "2026-12-01T21:00",
                f"f-guests-{i}-leaves_on": "2026-12-03",
            }
        )
    response = client.post(
        reverse("dossiers:start", kwargs={"procedure_code": "2.001159"}),
        {
            "area": area.pk,
            "result_method": "electronic",
            "result_address": "",
            "f-host_name": "Nhà nghỉ Hoa Mai",
            "f-street": HOST_STREET,
            "f-guests-2-personal_id": "",  # an empty extra row is ignored
            **rows,
            "action": "submit",
        },
    )
    dossier = Dossier.objects.get(citizen=citizen)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == reverse("dossiers:detail", kwargs={"code": dossier.code})
    assert dossier.state == State.RESULT_RETURNED
    assert sorted(Stay.objects.values_list("guest_name", flat=True)) == [
        "Vũ Thị Lan",
        "Đỗ Minh Khang",
    ]
    html = client.get(response["Location"]).content.decode()
    assert "Đã ghi nhận" in html
    assert "Đã ghi nhận thông báo" in html
    assert "Quá hạn" not in html
