from django.core.management.base import BaseCommand

from notifications.services import purge_personal_content, sweep


class Command(BaseCommand):
    help = (
        "Re-queue notifications stuck in 'created'; with --purge also apply the retention period."
    )

    def add_arguments(self, parser):
        parser.add_argument("--purge", action="store_true")

    def handle(self, *args, purge=False, **options):
        self.stdout.write(f"re-queued: {sweep()}")
        if purge:
            self.stdout.write(f"purged: {purge_personal_content()}")
