from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.lockout import USERNAME_MAX_LENGTH, lockout_seconds, login_username, minutes
from portal.accounts.models import Sex, User
from portal.accounts.passwords import validate_new_password
from portal.accounts.validators import normalize_personal_id, normalize_phone, validate_personal_id
from portal.core.text import nfc, validate_person_name

PASSWORD_MAX_LENGTH = 4096  # generous for pass phrases; bounds the hashing work per request
REQUIRED = {"required": _("Vui lòng điền thông tin này.")}


class SignupForm(forms.Form):
    full_name = forms.CharField(
        label=_("Họ và tên"),
        max_length=150,
        error_messages={"required": _("Vui lòng nhập họ và tên.")},
        validators=[validate_person_name],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    personal_id = forms.CharField(
        label=_("Số định danh cá nhân"),
        help_text=_("12 chữ số, in trên thẻ căn cước / căn cước công dân."),
        max_length=20,
        error_messages={"required": _("Vui lòng nhập số định danh cá nhân.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "username"}),
    )
    date_of_birth = forms.DateField(
        label=_("Ngày sinh"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "required": _("Vui lòng nhập ngày sinh."),
            "invalid": _("Ngày sinh không hợp lệ (dạng ngày/tháng/năm, ví dụ 15/08/1990)."),
        },
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sex = forms.ChoiceField(
        label=_("Giới tính"),
        choices=Sex.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Vui lòng chọn giới tính."),
            "invalid_choice": _("Vui lòng chọn giới tính."),
        },
    )
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=30,
        error_messages={"required": _("Vui lòng nhập số điện thoại.")},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("Thư điện tử (không bắt buộc)"),
        required=False,
        error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    permanent_address = forms.CharField(
        label=_("Nơi thường trú (không bắt buộc)"), max_length=300, required=False
    )
    current_address = forms.CharField(
        label=_("Nơi ở hiện tại (không bắt buộc)"), max_length=300, required=False
    )
    password1 = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        error_messages={"required": _("Vui lòng nhập mật khẩu.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Ít nhất 8 ký tự, không chỉ gồm chữ số, không quá phổ biến."),
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        strip=False,
        error_messages={"required": _("Vui lòng nhập lại mật khẩu.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_full_name(self):
        return " ".join(nfc(self.cleaned_data["full_name"]).split())

    def clean_personal_id(self):
        number = normalize_personal_id(self.cleaned_data["personal_id"])
        validate_personal_id(number)  # format and province now; birth data in clean()
        return number

    def clean_date_of_birth(self):
        value = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if value > today:
            raise ValidationError(_("Ngày sinh không thể ở tương lai."), code="dob_future")
        if value < dt.date(1900, 1, 1):
            raise ValidationError(_("Ngày sinh phải từ năm 1900 trở đi."), code="dob_too_early")
        return value

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        number = data.get("personal_id")
        if number and "date_of_birth" in data and "sex" in data:
            try:
                validate_personal_id(number, date_of_birth=data["date_of_birth"], sex=data["sex"])
            except ValidationError as exc:
                self.add_error("personal_id", exc)
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Hai mật khẩu không giống nhau."))
        elif p1:
            probe = User(
                username=number or "",
                full_name=data.get("full_name", ""),
                email=data.get("email", ""),
            )
            try:
                validate_new_password(p1, probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class LoginForm(AuthenticationForm):
    """Citizens: personal identification number; officers: their username."""

    username = forms.CharField(
        label=_("Số định danh cá nhân hoặc tên đăng nhập"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _(
            "Số định danh / tên đăng nhập hoặc mật khẩu không đúng. Lưu ý mật khẩu phân biệt chữ "
            "hoa, chữ thường."
        ),
        "inactive": _("Tài khoản này đã bị khóa."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].max_length = USERNAME_MAX_LENGTH
        self.fields["username"].error_messages["required"] = _(
            "Vui lòng nhập số định danh cá nhân hoặc tên đăng nhập."
        )
        self.fields["password"].error_messages["required"] = _("Vui lòng nhập mật khẩu.")
        for name, limit in (("username", USERNAME_MAX_LENGTH), ("password", PASSWORD_MAX_LENGTH)):
            self.fields[name].error_messages["max_length"] = _(
                "Nhập không quá %(limit)d ký tự."
            ) % {"limit": limit}
        self.locked_seconds = 0

    def clean_username(self):
        return login_username(self.cleaned_data["username"])

    def clean(self):
        # Before the password is checked: during a lockout the answer is the same whatever the
        # password, and a right password opens no session (portal.accounts.lockout).
        username = self.cleaned_data.get("username")
        if username and self.request is not None:
            self.locked_seconds = lockout_seconds(self.request, username)
            if self.locked_seconds:
                raise ValidationError(
                    _(
                        "Đăng nhập sai quá nhiều lần nên tạm thời bị khóa. Vui lòng thử lại sau "
                        "%(minutes)d phút, hoặc dùng chức năng Quên mật khẩu."
                    )
                    % {"minutes": minutes(self.locked_seconds)},
                    code="locked_out",
                )
        return super().clean()
