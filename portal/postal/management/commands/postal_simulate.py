"""Development: let the postal simulator move a shipment on (accepted → in transit → delivered,
or `--to returned`), sending a signed event to the webhook like a real operator would."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from portal.postal.models import FINAL_STATES, Shipment, ShipmentState
from portal.postal.providers import SimulatorProvider, http_sender, in_process_sender


class Command(BaseCommand):
    help = "Advance a postal shipment with the simulator (by tracking number or dossier code)."

    def add_arguments(self, parser):
        parser.add_argument("reference", nargs="?", help="tracking number or dossier code")
        parser.add_argument("--to", choices=ShipmentState.values, help="state to report")
        parser.add_argument("--all", action="store_true", help="every shipment not yet final")
        parser.add_argument(
            "--url",
            help="post over HTTP to this site (e.g. http://127.0.0.1:8000); "
            "default: straight to the webhook's service in this process",
        )

    def handle(self, *args, reference=None, to=None, all=False, url=None, **options):
        if all:
            shipments = list(Shipment.objects.exclude(state__in=FINAL_STATES))
        elif reference:
            shipments = list(
                Shipment.objects.filter(
                    Q(tracking_number=reference) | Q(dossier__code=reference)
                ).exclude(state__in=FINAL_STATES)
            )
            if not shipments:
                raise CommandError(f"No shipment in progress for {reference!r}.")
        else:
            raise CommandError("Give a tracking number or dossier code, or --all.")
        provider = SimulatorProvider()
        send = http_sender(url) if url else in_process_sender()
        for shipment in shipments:
            delivery = provider.advance(shipment, to=to, send=send)
            if delivery is None:
                self.stdout.write(f"{shipment.tracking_number}: already final")
                continue
            self.stdout.write(
                f"{shipment.tracking_number}: HTTP {delivery.status} {delivery.body.decode()}"
            )
