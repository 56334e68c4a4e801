from django import forms
from django.utils.translation import gettext_lazy as _


class VerifyForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp PDF cần kiểm tra"),
        help_text=_("Văn bản điện tử do cổng cấp (có hoặc không có chữ ký số)."),
        error_messages={"required": _("Chọn tệp PDF cần kiểm tra."), "empty": _("Tệp rỗng.")},
    )
