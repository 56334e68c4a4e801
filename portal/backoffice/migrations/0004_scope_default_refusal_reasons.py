"""Each default refusal category applies to the procedures it names (issue 14): a permanent
residence category (Điều 20 Luật Cư trú) to thường trú procedures only, the identity-card category
to identity procedures. Categories an administrator created keep applying everywhere until edited.
"""

from django.db import migrations

PERMANENT = ["1.004222", "1.010038"]  # đăng ký thường trú, tách hộ
TEMPORARY = ["1.004194"]  # đăng ký tạm trú
SCOPES = {
    "khong-du-dieu-kien-thuong-tru": ("residence", PERMANENT),
    "khong-du-dieu-kien-tam-tru": ("residence", TEMPORARY),
    # Điều 23: places where no NEW permanent or temporary registration is allowed.
    "dia-diem-khong-duoc-dang-ky": ("residence", [*PERMANENT, *TEMPORARY, "1.002755"]),
    "thong-tin-sai-su-that": ("residence", []),
    "khong-thuoc-tham-quyen": ("", []),
    "gia-han-ngoai-thoi-han": ("residence", ["1.002755"]),
    "khong-thuoc-truong-hop-cap-can-cuoc": ("identity", []),
}


def scope(apps, schema_editor):
    RefusalReason = apps.get_model("backoffice", "RefusalReason")
    for code, (field, codes) in SCOPES.items():
        RefusalReason.objects.filter(code=code).update(field=field, procedure_codes=codes)


def unscope(apps, schema_editor):
    RefusalReason = apps.get_model("backoffice", "RefusalReason")
    RefusalReason.objects.filter(code__in=list(SCOPES)).update(field="", procedure_codes=[])


class Migration(migrations.Migration):
    dependencies = [("backoffice", "0003_refusal_scope_and_proposals")]
    operations = [migrations.RunPython(scope, unscope)]
