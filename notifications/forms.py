from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SendCodeForm(forms.Form):
    phone = forms.CharField(label=_("Số điện thoại"), max_length=20)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Mã xác thực"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class ResetStartForm(forms.Form):
    personal_id = forms.RegexField(
        label=_("Số định danh cá nhân"),
        regex=r"^\d{12}$",
        error_messages={"invalid": _("Số định danh cá nhân gồm 12 chữ số.")},
    )
    phone = forms.CharField(label=_("Số điện thoại đã đăng ký"), max_length=20)


class ResetFinishForm(CodeForm):
    new_password1 = forms.CharField(
        label=_("Mật khẩu mới"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label=_("Nhập lại mật khẩu mới"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", _("Hai mật khẩu không khớp."))
        return data
