"""Rewrite stored names and addresses in NFC (issue 14): text typed in decomposed form (NFD)
was stored as typed, so staff searching "Lê Văn Ân" did not find it."""

from django.db import migrations

from portal.core.text import nfc

BATCH = 500
FIELDS = ("full_name", "first_name", "last_name", "permanent_address", "current_address")


def normalise_rows(apps, schema_editor=None) -> int:
    """NFC for users' names and addresses; writes only the rows that change, returns how many."""
    User = apps.get_model("accounts", "User")
    batch = []
    for row in User.objects.only("pk", *FIELDS).order_by("pk").iterator(BATCH):
        changed = False
        for field in FIELDS:
            value = getattr(row, field)
            if value and value != nfc(value):
                setattr(row, field, nfc(value))
                changed = True
        if changed:
            batch.append(row)
    for start in range(0, len(batch), BATCH):
        User.objects.bulk_update(batch[start : start + BATCH], list(FIELDS))
    return len(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_areas"),
    ]

    operations = [
        migrations.RunPython(normalise_rows, migrations.RunPython.noop, elidable=True),
    ]
