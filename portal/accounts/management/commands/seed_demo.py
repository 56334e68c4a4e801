"""Demo data for `make run`: deterministic and idempotent (a second run changes nothing)."""

import os

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

from portal.accounts.demo import demo_password, seed_people, seed_units
from portal.units.services import load_areas


class Command(BaseCommand):
    help = (
        "Load administrative areas, the procedure catalogue and the notification templates, then the "
        "demo police units, staff "
        "and citizens (password: env DEMO_PASSWORD, default 'demo-CongAn-2025')."
    )

    # It reloads the catalogue first, which repairs one that fails the start-up checks.
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("--citizens", type=int, default=36, help="number of demo citizens")

    def handle(self, *args, citizens: int = 36, **options):
        verbosity = options.get("verbosity", 1)
        results = load_areas()
        if verbosity:
            self.stdout.write(
                "Areas: "
                + ", ".join(
                    f"{k} {r.total} (+{r.created}, ~{r.updated})" for k, r in results.items()
                )
            )
        if "load_catalogue" in get_commands():
            call_command("load_catalogue", verbosity=verbosity, stdout=self.stdout)
        from notifications.services import load_default_templates

        load_default_templates()
        units = seed_units()
        report = seed_people(units, citizens=citizens)
        from residence.demo import seed_registry

        seed_registry(units, citizens=citizens)
        from portal.backoffice.demo import seed_backoffice_demo
        from portal.backoffice.demo_dossiers import seed_dossiers

        totp_help = seed_backoffice_demo(
            usernames=[r.login for r in report.logins if r.login and not r.login.isdigit()]
        )
        made = seed_dossiers()
        from portal.complaints.demo import seed_complaints

        complaints = seed_complaints()
        from citizen_id.demo import seed_cards

        seed_cards()
        from portal.postal.demo import seed_postal_rates

        seed_postal_rates()
        if verbosity:
            self._print_logins(report)
            self.stdout.write(totp_help)
            if made:
                self.stdout.write(f"Demo dossiers at Công an xã Định Hóa: {len(made)} created.")
            if complaints:
                self.stdout.write(f"Demo complaints about Công an xã Định Hóa: {len(complaints)}.")

    def _print_logins(self, report):
        password = demo_password()
        staff = [r for r in report.logins if r.login and not r.login.isdigit()]
        citizens = [r for r in report.logins if r.login.isdigit()]
        rows = [("Vai trò", "Đăng nhập", "Mật khẩu", "Đơn vị / địa bàn")]
        rows += [(r.role, r.login, password, r.unit) for r in staff]
        rows += [(f"{r.role} ({r.name})", r.login, password, r.unit) for r in citizens[:3]]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
        port = os.environ.get("PORT", "8000")
        self.stdout.write(f"\nDemo logins (http://127.0.0.1:{port}/tai-khoan/dang-nhap/, /admin/):")
        self.stdout.write(line)
        for i, row in enumerate(rows):
            self.stdout.write(
                "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
            )
            if i == 0:
                self.stdout.write(line)
        self.stdout.write(line)
        self.stdout.write(
            f"… and {max(len(citizens) - 3, 0)} more citizens (same password); "
            "staff accounts also open /admin/."
        )
