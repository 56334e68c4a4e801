"""Users' names and addresses in NFC, and a folded search column (issue 14).

Text typed in decomposed form (NFD) was stored as typed, so staff searching "Lê Văn Ân" did not
find it. `User.search_text` (username, name and addresses, accent- and case-folded) serves the
admin's user search; on PostgreSQL only, a trigram GIN index serves its `contains` lookups.
"""

import django.contrib.postgres.indexes
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from portal.core.dbops import AddIndexOnPostgres
from portal.core.text import fold, nfc

BATCH = 500
FIELDS = ("full_name", "first_name", "last_name", "permanent_address", "current_address")
SEARCHED = ("username", "full_name", "permanent_address", "current_address")


def normalise_rows(apps, schema_editor=None) -> int:
    """NFC for users' names and addresses, and their search_text; writes only the rows that
    change and returns how many. Safe to run again."""
    User = apps.get_model("accounts", "User")
    batch = []
    columns = [*FIELDS, "search_text"]
    for row in User.objects.only("pk", "username", *columns).order_by("pk").iterator(BATCH):
        before = [getattr(row, f) for f in columns]
        for field in FIELDS:
            setattr(row, field, nfc(getattr(row, field)))
        row.search_text = fold(" ".join(getattr(row, f) or "" for f in SEARCHED))
        if [getattr(row, f) for f in columns] != before:
            batch.append(row)
    for start in range(0, len(batch), BATCH):
        User.objects.bulk_update(batch[start : start + BATCH], columns)
    return len(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_areas"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        TrigramExtension(),  # does nothing outside PostgreSQL
        AddIndexOnPostgres(
            model_name="user",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_text"], name="user_search_trgm", opclasses=["gin_trgm_ops"]
            ),
        ),
        migrations.RunPython(normalise_rows, migrations.RunPython.noop, elidable=True),
    ]
