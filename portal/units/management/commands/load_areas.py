from django.core.management.base import BaseCommand

from portal.units.services import load_areas


class Command(BaseCommand):
    help = "Load the 34 provinces and 3,321 communes/wards (2025 reform) from vietnam-provinces."

    def handle(self, *args, **options):
        results = load_areas()
        for label, r in results.items():
            self.stdout.write(
                f"{label}: {r.total} ({r.created} created, {r.updated} updated, "
                f"{r.unchanged} unchanged)"
            )
