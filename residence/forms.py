"""Forms of the residence procedures (plugins of the dossier engine)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.text import validate_person_name

# Điều 31 Luật Cư trú 2020 says WHEN an absence must be declared (away ≥ 1 day for people under
# prosecution/sentence or administrative measures; ≥ 3 months for those of military-service age;
# ≥ 12 months for everyone else) but sets no maximum length in the text we could check. The cap
# below is a plausibility bound for typing errors (unverified as law; adjust when a source says
# otherwise).
MAX_ABSENCE_DAYS = 2 * 365
# ISO from date inputs (and the API); dd/mm/yyyy as typed where a browser has no date picker.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class TemporaryAbsenceForm(forms.Form):
    """Khai báo tạm vắng (1.003677): who, why, from when to when, where to."""

    full_name = forms.CharField(
        label=_("Họ, chữ đệm và tên"), max_length=150, validators=[validate_person_name]
    )
    personal_id = forms.RegexField(
        label=_("Số định danh cá nhân"),
        regex=r"^\d{12}$",
        error_messages={"invalid": _("Số định danh cá nhân gồm đúng 12 chữ số.")},
    )
    # A date picker: the browser shows it as dd/mm/yyyy on a Vietnamese phone; the value sent and
    # stored stays ISO (yyyy-mm-dd). A browser without date inputs may send dd/mm/yyyy.
    date_of_birth = forms.DateField(
        label=_("Ngày, tháng, năm sinh"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Ngày sinh không hợp lệ (ngày/tháng/năm).")},
    )
    permanent_address = forms.CharField(label=_("Nơi thường trú"), max_length=300, required=False)
    residence_commune = forms.CharField(
        label=_("Xã / phường nơi đang cư trú"), max_length=200, required=False
    )
    reason = forms.CharField(
        label=_("Lý do tạm vắng"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Vui lòng nêu lý do tạm vắng.")},
    )
    date_from = forms.DateField(
        label=_("Tạm vắng từ ngày"),
        error_messages={
            "required": _("Vui lòng nhập ngày bắt đầu tạm vắng."),
            "invalid": _("Ngày bắt đầu tạm vắng không hợp lệ."),
        },
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("Đến ngày"),
        error_messages={
            "required": _("Vui lòng nhập ngày kết thúc tạm vắng."),
            "invalid": _("Ngày kết thúc tạm vắng không hợp lệ."),
        },
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    destination_address = forms.CharField(
        label=_("Nơi đến (địa chỉ)"),
        max_length=300,
        error_messages={"required": _("Vui lòng nhập địa chỉ nơi đến.")},
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end <= start:
                self.add_error("date_to", _("Ngày kết thúc phải sau ngày bắt đầu tạm vắng."))
            elif (end - start) > dt.timedelta(days=MAX_ABSENCE_DAYS):
                self.add_error(
                    "date_to",
                    _("Thời gian tạm vắng khai báo một lần không quá %(days)d ngày.")
                    % {"days": MAX_ABSENCE_DAYS},
                )
        birth = data.get("date_of_birth")
        if birth and birth > timezone.localdate():
            self.add_error("date_of_birth", _("Ngày sinh không được sau ngày hôm nay."))
        return data
