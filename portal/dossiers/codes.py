"""Dossier codes: `settings.DOSSIER_CODE_FORMAT`, by default `<unit code>-<yyyymmdd>-<sequence>`.

The sequence is a per (unit, day) counter row, created or incremented by one
`INSERT … ON CONFLICT DO UPDATE … RETURNING` (which keeps the row locked) inside the caller's
transaction: concurrent submissions to one unit queue on that row, so two dossiers never get the same number (PostgreSQL; SQLite
serialises writers anyway).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from portal.dossiers.models import CodeSequence
from portal.units.models import PoliceUnit


def next_sequence(*, unit: PoliceUnit, day: dt.date) -> int:
    """The next number for (unit, day). Must run inside a transaction (the row stays locked)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_sequence() must run inside a transaction.")
    connection = transaction.get_connection()
    if connection.vendor in ("postgresql", "sqlite"):
        # One statement: create the row or bump it; the updated row stays locked until commit.
        table = connection.ops.quote_name(CodeSequence._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (unit_id, day, last) VALUES (%s, %s, 1) "
                f"ON CONFLICT (unit_id, day) DO UPDATE SET last = {table}.last + 1 "
                "RETURNING last",
                [unit.pk, day.isoformat() if connection.vendor == "sqlite" else day],
            )
            return cursor.fetchone()[0]
    CodeSequence.objects.bulk_create([CodeSequence(unit=unit, day=day)], ignore_conflicts=True)
    row = CodeSequence.objects.select_for_update().get(unit=unit, day=day)
    CodeSequence.objects.filter(pk=row.pk).update(last=F("last") + 1)
    return row.last + 1


def format_code(*, unit: PoliceUnit, day: dt.date, seq: int) -> str:
    return settings.DOSSIER_CODE_FORMAT.format(unit=unit.code, date=day, seq=seq)


def new_dossier_code(*, unit: PoliceUnit, at: dt.datetime | None = None) -> str:
    """A new unique code for a dossier of `unit` created at `at` (local date)."""
    day = timezone.localdate(at or timezone.now())
    return format_code(unit=unit, day=day, seq=next_sequence(unit=unit, day=day))


def check_code_format(fmt: str) -> str | None:
    """Why `fmt` cannot make unique, storable codes (None if it can): it must use {unit}, {date}
    and {seq} (otherwise two dossiers could get one code) and fit the 40-character column."""
    import string

    try:
        names = {name for _, name, _, _ in string.Formatter().parse(fmt) if name}
        sample = fmt.format(unit="G09.20", date=dt.date(2026, 12, 31), seq=9999999)
    except (ValueError, KeyError, IndexError, AttributeError, TypeError) as exc:
        return f"DOSSIER_CODE_FORMAT {fmt!r} cannot be formatted: {exc}"
    missing = {"unit", "date", "seq"} - names
    if missing:
        return f"DOSSIER_CODE_FORMAT {fmt!r} lacks {', '.join(sorted(missing))}"
    if len(sample) > 40:
        return f"DOSSIER_CODE_FORMAT {fmt!r} makes codes longer than 40 characters"
    return None
