from django.core.management.base import BaseCommand

from notifications.services import load_default_templates


class Command(BaseCommand):
    help = "Load the default Vietnamese notification templates (idempotent; keeps staff edits)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--overwrite", action="store_true", help="Replace edited templates by the defaults."
        )

    def handle(self, *args, overwrite=False, **options):
        created, updated = load_default_templates(overwrite=overwrite)
        self.stdout.write(f"notification templates: {created} created, {updated} updated")
