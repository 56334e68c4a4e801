"""Form of the stay notice (thông báo lưu trú, 2.001159).

The field names are fixed (the API, the benchmark and the citizen page use them): `host_name`,
`street` (the place of stay; its commune is the dossier's area) and `guests`, a list of items
{`personal_id`, `full_name`, `date_of_birth`, `arrives_at`, `leaves_on`}.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.core.text import validate_person_name
from portal.dossiers.formfields import ItemListField
from residence.forms import DATE_INPUT_FORMATS

# "YYYY-MM-DDTHH:MM" (datetime-local inputs and the API), with seconds, or as typed by hand.
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%d/%m/%Y %H:%M",
]
MAX_GUESTS = 50


class StayGuestForm(forms.Form):
    """One guest: a guest already in the registry needs only the personal number (the name and
    date of birth are filled from the registry)."""

    personal_id = forms.RegexField(
        label=_("Số định danh cá nhân"),
        regex=r"^[0-9]{12}$",
        max_length=12,
        error_messages={
            "invalid": _("Số định danh cá nhân gồm đúng 12 chữ số."),
            "required": _("Vui lòng nhập số định danh cá nhân của khách."),
        },
    )
    full_name = forms.CharField(
        label=_("Họ, chữ đệm và tên"),
        max_length=150,
        required=False,
        validators=[validate_person_name],
        help_text=_("Tự điền nếu khách đã có trong Cơ sở dữ liệu về cư trú."),
    )
    date_of_birth = forms.DateField(
        label=_("Ngày, tháng, năm sinh"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Ngày sinh không hợp lệ (ngày/tháng/năm).")},
    )
    arrives_at = forms.DateTimeField(
        label=_("Đến lưu trú từ (giờ, ngày)"),
        input_formats=DATETIME_INPUT_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": _("Vui lòng nhập thời điểm khách đến lưu trú."),
            "invalid": _("Thời điểm đến lưu trú không hợp lệ (giờ:phút ngày/tháng/năm)."),
        },
    )
    leaves_on = forms.DateField(
        label=_("Lưu trú đến ngày"),
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Vui lòng nhập ngày khách dự kiến rời đi."),
            "invalid": _("Ngày rời đi không hợp lệ (ngày/tháng/năm)."),
        },
    )


class StayNoticeForm(forms.Form):
    host_name = forms.CharField(
        label=_("Cơ sở lưu trú / chủ hộ"),
        max_length=200,
        error_messages={"required": _("Vui lòng nhập tên cơ sở lưu trú hoặc chủ hộ.")},
    )
    street = forms.CharField(
        label=_("Địa chỉ nơi lưu trú (số nhà, đường phố, thôn, tổ dân phố)"),
        max_length=300,
        help_text=_("Không gồm tên xã / phường (chọn ở trên)."),
        error_messages={"required": _("Vui lòng nhập địa chỉ nơi lưu trú.")},
    )
    guests = ItemListField(
        item_form=StayGuestForm,
        item_label=_("Khách"),
        min_items=1,
        max_items=MAX_GUESTS,
        label=_("Người đến lưu trú"),
        error_messages={"required": _("Vui lòng khai ít nhất một người đến lưu trú.")},
    )
