"""Staff search over folded text (issue 14) and NFC for stored rows.

- `Dossier.search_text`: code, applicant name and address, accent- and case-folded.
- On PostgreSQL only: the pg_trgm extension (a trusted extension: the database owner may create
  it) and a trigram GIN index on `search_text`, which serves `LIKE '%…%'` (Django `contains`),
  i.e. any part of a name, an address or a code. SQLite gets the column without the index.
- Every stored dossier and attachment is rewritten in NFC (text typed in decomposed form was
  stored as typed before) and gets its `search_text`.
"""

import django.contrib.postgres.indexes
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from portal.core.dbops import AddIndexOnPostgres
from portal.core.text import fold, nfc, nfc_deep

BATCH = 500
DOSSIER_TEXT = ("applicant_name", "applicant_address", "result_address")


def normalise_rows(apps, schema_editor=None) -> int:
    """NFC for dossiers (applicant fields, form data) and attachment names; fill search_text.
    Writes only the rows that change; returns how many. Safe to run again."""
    Dossier = apps.get_model("dossiers", "Dossier")
    Attachment = apps.get_model("dossiers", "Attachment")
    changed = 0
    batch = []
    fields = [*DOSSIER_TEXT, "form_data", "search_text"]
    for row in Dossier.objects.only("pk", "code", *fields).order_by("pk").iterator(BATCH):
        before = [getattr(row, f) for f in fields]
        for field in DOSSIER_TEXT:
            setattr(row, field, nfc(getattr(row, field)))
        row.form_data = nfc_deep(row.form_data)
        row.search_text = fold(f"{row.code} {row.applicant_name} {row.applicant_address}")
        if [getattr(row, f) for f in fields] != before:
            batch.append(row)
        if len(batch) >= BATCH:
            changed += len(batch)
            Dossier.objects.bulk_update(batch, fields)
            batch = []
    if batch:
        changed += len(batch)
        Dossier.objects.bulk_update(batch, fields)
    batch = []
    for row in Attachment.objects.only("pk", "original_name").order_by("pk").iterator(BATCH):
        if row.original_name != nfc(row.original_name):
            row.original_name = nfc(row.original_name)
            batch.append(row)
    for start in range(0, len(batch), BATCH):
        Attachment.objects.bulk_update(batch[start : start + BATCH], ["original_name"])
    return changed + len(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0002_unit_recent_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        TrigramExtension(),  # does nothing outside PostgreSQL
        AddIndexOnPostgres(
            model_name="dossier",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_text"], name="dossier_search_trgm", opclasses=["gin_trgm_ops"]
            ),
        ),
        migrations.RunPython(normalise_rows, migrations.RunPython.noop, elidable=True),
    ]
