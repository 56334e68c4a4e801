"""Forms of the temporary-residence procedures (CT01-based): đăng ký tạm trú (1.004194), gia hạn
tạm trú (1.002755), xóa đăng ký tạm trú (1.010028).

The forms check what a form can check alone (formats, the period, consent fields being filled);
what needs the registry (an existing residence, the window before expiry …) is checked by the
plugins in residence/procedures/temporary.py.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.text import validate_person_name
from residence.forms import DATE_INPUT_FORMATS
from residence.models import MAX_TEMPORARY_DAYS, Sex

PERSONAL_ID_MESSAGE = _("Số định danh cá nhân gồm đúng 12 chữ số.")


def _date_field(label, *, required=True, messages=None) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=messages or {},
    )


def _personal_id_field(label, *, required=True) -> forms.RegexField:
    return forms.RegexField(
        label=label,
        regex=r"^\d{12}$",
        required=required,
        max_length=12,
        error_messages={"invalid": PERSONAL_ID_MESSAGE},
    )


# Căn cứ chỗ ở hợp pháp (Điều 2, Điều 20 Luật Cư trú; Nghị định 154/2024/NĐ-CP).
BASIS_OWN = "own"
BASIS_CHOICES = [
    (BASIS_OWN, _("Chỗ ở thuộc sở hữu của tôi")),
    ("rent", _("Thuê")),
    ("borrow", _("Mượn")),
    ("stay", _("Ở nhờ")),
    ("relative", _("Ở cùng người thân (chủ hộ, chủ sở hữu là người thân)")),
    ("other", _("Khác (nhà ở tập thể, ký túc xá, cơ sở tôn giáo …)")),
]
CONSENT_IN_FORM = "form"
CONSENT_ATTACHMENT = "attachment"
CONSENT_CHOICES = [
    (CONSENT_IN_FORM, _("Chủ hộ / chủ sở hữu đồng ý ngay trong tờ khai")),
    (CONSENT_ATTACHMENT, _("Nộp kèm văn bản đồng ý của chủ hộ / chủ sở hữu")),
]


class PersonFieldsMixin(forms.Form):
    """Thông tin người đề nghị (CT01 mục 1–6), prefilled from the registry and the account."""

    full_name = forms.CharField(
        label=_("Họ, chữ đệm và tên"), max_length=150, validators=[validate_person_name]
    )
    personal_id = _personal_id_field(_("Số định danh cá nhân"))
    date_of_birth = _date_field(
        _("Ngày, tháng, năm sinh"),
        messages={
            "required": _("Vui lòng nhập ngày sinh."),
            "invalid": _("Ngày sinh không hợp lệ (ngày/tháng/năm)."),
        },
    )
    sex = forms.ChoiceField(
        label=_("Giới tính"),
        choices=Sex.choices,
        error_messages={"required": _("Vui lòng chọn giới tính.")},
    )


class TemporaryRegistrationForm(PersonFieldsMixin):
    """Đăng ký tạm trú (1.004194), the fields of Tờ khai CT01 that the procedure uses."""

    street = forms.CharField(
        label=_("Địa chỉ nơi đề nghị đăng ký tạm trú (số nhà, đường, tổ, thôn)"),
        max_length=300,
        help_text=_("Không ghi tên xã / phường: là xã / phường đã chọn cho hồ sơ."),
        error_messages={"required": _("Vui lòng nhập địa chỉ nơi đăng ký tạm trú.")},
    )
    date_from = _date_field(
        _("Tạm trú từ ngày"),
        messages={
            "required": _("Vui lòng nhập ngày bắt đầu tạm trú."),
            "invalid": _("Ngày bắt đầu tạm trú không hợp lệ."),
        },
    )
    date_to = _date_field(
        _("Tạm trú đến ngày"),
        messages={
            "required": _("Vui lòng nhập ngày kết thúc thời hạn tạm trú."),
            "invalid": _("Ngày kết thúc tạm trú không hợp lệ."),
        },
    )
    basis = forms.ChoiceField(
        label=_("Căn cứ chỗ ở hợp pháp"),
        choices=BASIS_CHOICES,
        error_messages={"required": _("Vui lòng chọn căn cứ chỗ ở hợp pháp.")},
    )
    consent_method = forms.ChoiceField(
        label=_("Ý kiến đồng ý của chủ hộ / chủ sở hữu chỗ ở"),
        choices=CONSENT_CHOICES,
        required=False,
        help_text=_("Chỉ khi chỗ ở không thuộc sở hữu của người đề nghị."),
    )
    owner_name = forms.CharField(
        label=_("Họ tên chủ hộ / chủ sở hữu chỗ ở"),
        max_length=150,
        required=False,
        validators=[validate_person_name],
    )
    owner_personal_id = _personal_id_field(
        _("Số định danh cá nhân của chủ hộ / chủ sở hữu"), required=False
    )
    owner_agrees = forms.BooleanField(
        label=_("Chủ hộ / chủ sở hữu đồng ý cho đăng ký tạm trú tại chỗ ở này"), required=False
    )
    guardian_name = forms.CharField(
        label=_("Họ tên cha, mẹ hoặc người giám hộ (người chưa thành niên)"),
        max_length=150,
        required=False,
        validators=[validate_person_name],
    )
    guardian_personal_id = _personal_id_field(
        _("Số định danh cá nhân của cha, mẹ hoặc người giám hộ"), required=False
    )
    guardian_agrees = forms.BooleanField(
        label=_("Cha, mẹ hoặc người giám hộ đồng ý"), required=False
    )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        start, end = data.get("date_from"), data.get("date_to")
        if start and start < today:
            self.add_error(
                "date_from",
                _("Ngày bắt đầu tạm trú không được trước ngày hôm nay (%(today)s).")
                % {"today": today.strftime("%d/%m/%Y")},
            )
        if start and end:
            if end <= start:
                self.add_error("date_to", _("Ngày kết thúc tạm trú phải sau ngày bắt đầu."))
            elif (end - start).days > MAX_TEMPORARY_DAYS:
                self.add_error(
                    "date_to",
                    _(
                        "Thời hạn tạm trú tối đa là 02 năm (%(days)d ngày): "
                        "chọn ngày kết thúc không muộn hơn %(last)s."
                    )
                    % {
                        "days": MAX_TEMPORARY_DAYS,
                        "last": (start + dt.timedelta(days=MAX_TEMPORARY_DAYS)).strftime(
                            "%d/%m/%Y"
                        ),
                    },
                )
        birth = data.get("date_of_birth")
        if birth and birth > today:
            self.add_error("date_of_birth", _("Ngày sinh không được sau ngày hôm nay."))
        basis = data.get("basis")
        if basis and basis != BASIS_OWN:
            method = data.get("consent_method")
            if not method:
                self.add_error(
                    "consent_method",
                    _(
                        "Chỗ ở không thuộc sở hữu của bạn: cần ý kiến đồng ý của chủ hộ hoặc "
                        "chủ sở hữu chỗ ở (ghi trong tờ khai hoặc nộp kèm văn bản đồng ý)."
                    ),
                )
            elif method == CONSENT_IN_FORM:
                if not data.get("owner_name"):
                    self.add_error(
                        "owner_name", _("Vui lòng nhập họ tên chủ hộ / chủ sở hữu chỗ ở.")
                    )
                if not data.get("owner_personal_id") and "owner_personal_id" not in self.errors:
                    self.add_error(
                        "owner_personal_id",
                        _("Vui lòng nhập số định danh cá nhân của chủ hộ / chủ sở hữu chỗ ở."),
                    )
                if not data.get("owner_agrees"):
                    self.add_error(
                        "owner_agrees",
                        _(
                            "Chưa có ý kiến đồng ý của chủ hộ / chủ sở hữu chỗ ở cho bạn đăng "
                            "ký tạm trú."
                        ),
                    )
        if birth and _age_on(birth, today) < 18:
            missing = not data.get("guardian_name") or not data.get("guardian_personal_id")
            if missing or not data.get("guardian_agrees"):
                self.add_error(
                    "guardian_name",
                    _(
                        "Người chưa thành niên đăng ký tạm trú cần ý kiến đồng ý của cha, mẹ "
                        "hoặc người giám hộ: ghi họ tên, số định danh cá nhân và xác nhận đồng ý."
                    ),
                )
        return data


class TemporaryExtensionForm(PersonFieldsMixin):
    """Gia hạn tạm trú (1.002755): the current temporary residence (prefilled, shown) and the new
    end date."""

    date_of_birth = _date_field(_("Ngày, tháng, năm sinh"), required=False)
    sex = forms.ChoiceField(label=_("Giới tính"), choices=Sex.choices, required=False)
    # Shown from the registry (read-only; the plugin overwrites whatever is posted).
    temporary_address = forms.CharField(
        label=_("Nơi đang tạm trú"),
        max_length=400,
        required=False,
        widget=forms.TextInput(attrs={"readonly": True}),
    )
    current_expires_on = forms.DateField(
        label=_("Thời hạn tạm trú hiện tại đến"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date", "readonly": True}, format="%Y-%m-%d"),
    )
    new_expires_on = _date_field(
        _("Đề nghị gia hạn tạm trú đến ngày"),
        messages={
            "required": _("Vui lòng nhập ngày kết thúc thời hạn tạm trú mới."),
            "invalid": _("Ngày kết thúc thời hạn tạm trú mới không hợp lệ."),
        },
    )


# Điều 29 khoản 1 Luật Cư trú 2020: the cases in which a temporary residence is removed.
REMOVAL_REASONS = [
    ("died", _("Chết, có quyết định của Tòa án tuyên bố mất tích hoặc đã chết")),
    ("cancelled", _("Đã có quyết định hủy bỏ đăng ký tạm trú (Điều 35 Luật Cư trú)")),
    (
        "absent",
        _(
            "Vắng mặt liên tục tại nơi tạm trú từ 06 tháng trở lên mà không đăng ký tạm trú nơi khác"
        ),
    ),
    ("nationality", _("Đã thôi, bị tước quốc tịch Việt Nam hoặc bị hủy quyết định nhập quốc tịch")),
    ("permanent_here", _("Đã được đăng ký thường trú tại chính nơi tạm trú")),
    (
        "lease_ended",
        _("Đã chấm dứt việc thuê, mượn, ở nhờ mà không đăng ký tạm trú tại chỗ ở khác"),
    ),
    (
        "ownership_changed",
        _("Quyền sở hữu chỗ ở đã chuyển cho người khác, chủ sở hữu mới không đồng ý cho ở tiếp"),
    ),
    ("demolished", _("Chỗ ở đã bị phá dỡ, tịch thu hoặc phương tiện đã bị xóa đăng ký")),
]
WHOSE_SELF = "self"
WHOSE_MEMBER = "member"


class TemporaryRemovalForm(forms.Form):
    """Xóa đăng ký tạm trú (1.010028): whose residence and on which ground (Điều 29)."""

    whose = forms.ChoiceField(
        label=_("Xóa đăng ký tạm trú của"),
        choices=[
            (WHOSE_SELF, _("Bản thân tôi")),
            (WHOSE_MEMBER, _("Thành viên trong hộ gia đình của tôi")),
        ],
        initial=WHOSE_SELF,
    )
    member_personal_id = _personal_id_field(
        _("Số định danh cá nhân của thành viên hộ"), required=False
    )
    reason = forms.ChoiceField(
        label=_("Trường hợp xóa đăng ký tạm trú (khoản 1 Điều 29 Luật Cư trú)"),
        choices=REMOVAL_REASONS,
        error_messages={"required": _("Vui lòng chọn trường hợp xóa đăng ký tạm trú.")},
    )
    note = forms.CharField(
        label=_("Ghi chú"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("whose") == WHOSE_MEMBER
            and not data.get("member_personal_id")
            and "member_personal_id" not in self.errors
        ):
            self.add_error(
                "member_personal_id",
                _("Vui lòng nhập số định danh cá nhân của thành viên hộ cần xóa tạm trú."),
            )
        return data


def _age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
