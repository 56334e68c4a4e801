"""Rename the identity procedures' local codes (CC-CAP, CC-DOI, CC-LAI, CC-XNSO) to the national
codes of the Ministry's portal (issue 11), keeping their dossiers.

- Only the local row exists: it is renamed in place (same primary key: every dossier stays on it).
- Both exist (the new catalogue was loaded before migrating): the dossiers move to the national row
  and the local row is deleted.
Refusal categories that name a local code name the national one instead. The texts, fees and forms
of the renamed rows are brought up to date by the next `load_catalogue` (seed_demo runs it).
"""

from django.db import migrations

RENAMES = {
    "CC-CAP": "2.000200",
    "CC-DOI": "2.001195",
    "CC-LAI": "2.001194",
    "CC-XNSO": "2.001178",
}


def _fold_search(old: str, new: str, text: str) -> str:
    return (text or "").replace(old.lower(), new).replace(old, new)


def forwards(apps, schema_editor):
    Procedure = apps.get_model("catalogue", "Procedure")
    Dossier = apps.get_model("dossiers", "Dossier")
    RefusalReason = apps.get_model("backoffice", "RefusalReason")
    _rename(Procedure, Dossier, RefusalReason, RENAMES)


def backwards(apps, schema_editor):
    Procedure = apps.get_model("catalogue", "Procedure")
    Dossier = apps.get_model("dossiers", "Dossier")
    RefusalReason = apps.get_model("backoffice", "RefusalReason")
    _rename(Procedure, Dossier, RefusalReason, {v: k for k, v in RENAMES.items()})


def _rename(Procedure, Dossier, RefusalReason, mapping):
    for old_code, new_code in mapping.items():
        old = Procedure.objects.filter(code=old_code).first()
        if old is None:
            continue
        new = Procedure.objects.filter(code=new_code).first()
        if new is None:
            old.code = new_code
            old.search_text = _fold_search(old_code, new_code, old.search_text)
            old.save(update_fields=["code", "search_text"])
        else:
            Dossier.objects.filter(procedure_id=old.pk).update(procedure_id=new.pk)
            old.delete()
    for reason in RefusalReason.objects.all():
        codes = list(reason.procedure_codes or [])
        renamed = [mapping.get(c, c) for c in codes]
        if renamed != codes:
            reason.procedure_codes = renamed
            reason.save(update_fields=["procedure_codes"])


class Migration(migrations.Migration):
    dependencies = [
        ("citizen_id", "0001_initial"),
        ("catalogue", "0002_procedure_deadline_days_max"),
        ("dossiers", "0003_search_text"),
        ("backoffice", "0005_refusal_review_plural_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
