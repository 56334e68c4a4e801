"""Recompute the statistics tables for a range of months from the dossiers' history."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from portal.core.errors import DomainError
from portal.statistics.selectors import parse_month
from portal.statistics.services import current_month, month_start, rebuild


class Command(BaseCommand):
    help = (
        "Recompute the per-unit monthly statistics for months FROM..TO (YYYY-MM, inclusive; "
        "default: the previous and the current month, like the beat task)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from", dest="first", help="first month, YYYY-MM (default: last month)"
        )
        parser.add_argument("--to", dest="last", help="last month, YYYY-MM (default: this month)")

    def handle(self, *args, first=None, last=None, **options):
        try:
            this = current_month()
            start = parse_month(first) if first else month_start(this - dt.timedelta(days=1))
            end = parse_month(last) if last else this
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if end < start:
            raise CommandError("--to must not be before --from")
        done = rebuild(first=start, last=end)
        self.stdout.write(f"Rebuilt {len(done)} month(s): {', '.join(done)}")
