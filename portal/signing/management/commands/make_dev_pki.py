"""Create the development root CA and one signing certificate per police unit (idempotent)."""

from django.core.management.base import BaseCommand

from portal.signing import pki
from portal.units.models import PoliceUnit


class Command(BaseCommand):
    help = "Development PKI under SIGNING_PKI_DIR: a root CA and a certificate per police unit."

    def handle(self, *args, **options):
        if pki.production_configured():
            self.stdout.write("SIGNING_PKCS12_PATH is set: the development PKI is not used.")
            return
        pki.ensure_root()
        created = 0
        for unit in PoliceUnit.objects.order_by("code"):
            created += pki.ensure_unit(code=unit.code, name=unit.name).created
        self.stdout.write(
            f"Development PKI in {pki.pki_dir()}: {created} new unit certificate(s); "
            f"root CA {pki.pki_dir() / pki.ROOT_CERT}"
        )
