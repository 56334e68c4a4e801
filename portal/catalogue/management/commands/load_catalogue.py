from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.catalogue.services import DATA_DIR, load_catalogue
from portal.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Load (or reload) the procedure catalogue from portal/catalogue/data/*.yaml (idempotent)."
    )
    # This command repairs a catalogue that fails the start-up checks (e.g. a level-4 procedure
    # with no plugin in an older database), so those checks must not stop it.
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir", default=str(DATA_DIR), help="Folder with procedures.yaml and forms.yaml."
        )

    def handle(self, *args, **options):
        try:
            summary = load_catalogue(data_dir=Path(options["data_dir"]))
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(str(summary)))
