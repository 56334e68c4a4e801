import uuid

from django.db import migrations, models


def fill_public_ids(apps, schema_editor):
    Document = apps.get_model("dossiers", "Document")
    for document in Document.objects.filter(public_id__isnull=True).only("pk").iterator():
        Document.objects.filter(pk=document.pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0004_document_kind_form")]

    operations = [
        migrations.AddField(
            model_name="document",
            name="public_id",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="document",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, unique=True, editable=False),
        ),
        migrations.AddField(
            model_name="document",
            name="sha256",
            field=models.CharField(blank=True, db_index=True, max_length=64),
        ),
        migrations.AddField(
            model_name="document",
            name="signed",
            field=models.BooleanField(default=False, verbose_name="đã ký số"),
        ),
    ]
