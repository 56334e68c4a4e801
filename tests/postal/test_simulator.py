"""End to end with the simulator: staff hand the result to the post on the back-office page,
the simulator posts signed events to the webhook, the citizen follows the tracking."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from portal.accounts.models import Role
from portal.dossiers.models import Dossier
from portal.postal.models import Shipment, ShipmentState
from portal.postal.providers import SIGNATURE_HEADER, Delivery, SimulatorProvider
from tests.postal.conftest import ADDRESS

pytestmark = pytest.mark.django_db


def client_sender(client: Client):
    """The simulator's transport through the test client: the real URL, headers and checks."""

    def send(body: bytes, headers: dict[str, str]) -> Delivery:
        response = client.post(
            "/api/v1/postal/events/",
            body,
            content_type=headers["Content-Type"],
            HTTP_X_POSTAL_SIGNATURE=headers[SIGNATURE_HEADER],
        )
        return Delivery(response.status_code, response.content)

    return send


def _backdate(shipment: Shipment, minutes: int = 30) -> None:
    earlier = timezone.now() - dt.timedelta(minutes=minutes)
    Shipment.objects.filter(pk=shipment.pk).update(last_event_at=earlier)
    shipment.events.update(occurred_at=earlier)
    shipment.refresh_from_db()


def test_simulator_end_to_end(post_dossier, staff_client, staff_by_role, citizen, unit):
    dossier = post_dossier("approved")
    officer = staff_client(staff_by_role[Role.RECEIVING_OFFICER])
    action = reverse("admin:dossiers_dossier_action", args=[dossier.pk, "return_result"])
    form = officer.get(action).content.decode()
    assert "postal_fee" not in form  # the fee comes from the table, staff do not type it
    response = officer.post(
        action,
        {
            "version": Dossier.objects.get(pk=dossier.pk).version,
            "method": "post",
            "postal_address": ADDRESS,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    shipment = Shipment.objects.get(dossier=dossier)
    assert shipment.state == ShipmentState.ACCEPTED
    _backdate(shipment)

    provider = SimulatorProvider()
    webhook = client_sender(Client())
    assert provider.advance(shipment, send=webhook).status == 200
    shipment.refresh_from_db()
    assert shipment.state == ShipmentState.IN_TRANSIT
    assert provider.advance(shipment, send=webhook).status == 200
    shipment.refresh_from_db()
    assert shipment.state == ShipmentState.DELIVERED
    assert provider.advance(shipment, send=webhook) is None  # the journey is over

    assert Notification.objects.filter(user=citizen, event="result_posted").count() == 2
    assert Notification.objects.filter(user=citizen, event="result_delivered").count() == 2

    # the citizen follows the tracking on the dossier page
    page = Client()
    page.force_login(citizen)
    html = page.get(reverse("dossiers:detail", kwargs={"code": dossier.code})).content.decode()
    assert shipment.tracking_number in html
    assert "Đã phát thành công" in html and "Đang vận chuyển" in html

    # staff see it on the back-office dossier page and in the shipments list
    staff_page = officer.get(reverse("admin:dossiers_dossier_change", args=[dossier.pk]))
    assert shipment.tracking_number in staff_page.content.decode()
    listing = officer.get(reverse("admin:postal_shipment_changelist")).content.decode()
    assert shipment.tracking_number in listing


def test_an_officer_of_another_unit_cannot_see_the_shipment(
    post_dossier, staff_client, staff_by_role, other_unit_officer
):
    from portal.backoffice import services as backoffice

    dossier = post_dossier("approved")
    backoffice.return_result(
        dossier=dossier,
        actor=staff_by_role[Role.RECEIVING_OFFICER],
        method="post",
        postal_address=ADDRESS,
    )
    shipment = Shipment.objects.get(dossier=dossier)
    other = staff_client(other_unit_officer)
    change = reverse("admin:postal_shipment_change", args=[shipment.pk])
    assert other.get(change).status_code == 404
    listing = other.get(reverse("admin:postal_shipment_changelist")).content.decode()
    assert shipment.tracking_number not in listing


def test_the_command_and_the_admin_action_advance_a_shipment(
    post_dossier, staff_by_role, staff_client, settings
):
    from portal.backoffice import services as backoffice

    dossier = post_dossier("approved")
    backoffice.return_result(
        dossier=dossier,
        actor=staff_by_role[Role.RECEIVING_OFFICER],
        method="post",
        postal_address=ADDRESS,
    )
    shipment = Shipment.objects.get(dossier=dossier)
    _backdate(shipment)
    out = StringIO()
    call_command("postal_simulate", dossier.code, stdout=out)
    assert "HTTP 200" in out.getvalue()
    shipment.refresh_from_db()
    assert shipment.state == ShipmentState.IN_TRANSIT

    settings.DEBUG = True  # the simulator's action exists in development only
    officer = staff_client(staff_by_role[Role.RECEIVING_OFFICER])
    response = officer.post(
        reverse("admin:postal_shipment_changelist"),
        {"action": "simulate_next_event", "_selected_action": [shipment.pk]},
    )
    assert response.status_code == 302
    shipment.refresh_from_db()
    assert shipment.state == ShipmentState.DELIVERED
