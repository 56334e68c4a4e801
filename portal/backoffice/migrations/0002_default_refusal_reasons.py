"""Default refusal reason categories, each tied to a legal provision (editable in the admin).

There is deliberately no category meaning "come in person" (notice §2.1). The provisions are
defaults to be checked by the unit's legal officer; staff can edit or retire them.
"""

from django.db import migrations

DEFAULTS = [
    ("khong-du-dieu-kien-thuong-tru",
     "Không đủ điều kiện đăng ký thường trú",
     "Điều 20 Luật Cư trú số 68/2020/QH14"),
    ("khong-du-dieu-kien-tam-tru",
     "Không đủ điều kiện đăng ký tạm trú",
     "Điều 27 Luật Cư trú số 68/2020/QH14"),
    ("dia-diem-khong-duoc-dang-ky",
     "Chỗ ở thuộc địa điểm không được đăng ký thường trú, tạm trú mới",
     "Điều 23 Luật Cư trú số 68/2020/QH14"),
    ("thong-tin-sai-su-that",
     "Giấy tờ, thông tin kê khai sai sự thật hoặc giả mạo",
     "Khoản 4 Điều 7 Luật Cư trú số 68/2020/QH14"),
    ("khong-thuoc-tham-quyen",
     "Yêu cầu không thuộc thẩm quyền giải quyết của đơn vị",
     "Điều 19 Nghị định 61/2018/NĐ-CP (sửa đổi bởi Nghị định 107/2021/NĐ-CP)"),
    ("gia-han-ngoai-thoi-han",
     "Đề nghị gia hạn tạm trú ngoài thời hạn quy định",
     "Khoản 3 Điều 28 Luật Cư trú số 68/2020/QH14"),
    ("khong-thuoc-truong-hop-cap-can-cuoc",
     "Không thuộc trường hợp được cấp, cấp đổi, cấp lại thẻ căn cước",
     "Điều 19, Điều 24 Luật Căn cước số 26/2023/QH15"),
]


def create(apps, schema_editor):
    RefusalReason = apps.get_model("backoffice", "RefusalReason")
    for position, (code, title, provision) in enumerate(DEFAULTS, start=1):
        RefusalReason.objects.get_or_create(
            code=code,
            defaults={"title": title, "legal_provision": provision, "position": position},
        )


def remove(apps, schema_editor):
    RefusalReason = apps.get_model("backoffice", "RefusalReason")
    RefusalReason.objects.filter(code__in=[c for c, _, _ in DEFAULTS], reviews__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("backoffice", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
