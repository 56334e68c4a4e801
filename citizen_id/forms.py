"""Forms of the identity-card procedures (DC02 kê khai trực tuyến, Circular 17/2024/TT-BCA).

The fields about the applicant are prefilled from the registry (residence.Person) or the account
by the plugins (citizen_id.procedures); what the citizen chooses is the request itself: for whom,
the reason, and for a number confirmation the old 9-digit number. How the card is returned
(pickup or post) is the dossier's result method (the engine's field), not a form field.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.text import validate_person_name

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
# Law on Identification 2023, Art. 19: a card from age 14 (mandatory); under 14 on request,
# through the legal representative; under 6 without biometrics.
ADULT_AGE = 14
NO_BIOMETRICS_AGE = 6


def _date_field(label, *, required: bool = True, required_message=None) -> forms.DateField:
    messages = {"invalid": _("Ngày không hợp lệ (ngày/tháng/năm).")}
    if required_message:
        messages["required"] = required_message
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=messages,
    )


class ApplicantFields(forms.Form):
    """The applicant as the registry knows them (DC02 items 1–14), prefilled, editable only where
    the registry has nothing."""

    full_name = forms.CharField(
        label=_("Họ, chữ đệm và tên"),
        max_length=150,
        validators=[validate_person_name],
        error_messages={"required": _("Vui lòng nhập họ, chữ đệm và tên.")},
    )
    personal_id = forms.RegexField(
        label=_("Số định danh cá nhân"),
        regex=r"^\d{12}$",
        error_messages={
            "required": _("Vui lòng nhập số định danh cá nhân."),
            "invalid": _("Số định danh cá nhân gồm đúng 12 chữ số."),
        },
    )
    date_of_birth = _date_field(
        _("Ngày, tháng, năm sinh"), required_message=_("Vui lòng nhập ngày sinh.")
    )
    permanent_address = forms.CharField(label=_("Nơi thường trú"), max_length=300, required=False)
    current_address = forms.CharField(label=_("Nơi ở hiện tại"), max_length=300, required=False)

    def clean_date_of_birth(self):
        born = self.cleaned_data.get("date_of_birth")
        if born and born > timezone.localdate():
            raise forms.ValidationError(_("Ngày sinh không được sau ngày hôm nay."))
        return born


class FirstIssueForm(ApplicantFields):
    """Cấp thẻ căn cước (2.000200): for oneself from 14, or for a child under 14 through the
    legal representative (the applicant), with proof of representation attached."""

    RELATIONS = [
        ("father", _("Cha")),
        ("mother", _("Mẹ")),
        ("guardian", _("Người giám hộ")),
    ]

    for_child = forms.BooleanField(
        label=_("Đề nghị cấp thẻ cho người dưới 14 tuổi (tôi là người đại diện hợp pháp)"),
        required=False,
    )
    child_full_name = forms.CharField(
        label=_("Họ, chữ đệm và tên của người được cấp thẻ"),
        max_length=150,
        required=False,
        validators=[validate_person_name],
    )
    child_personal_id = forms.RegexField(
        label=_("Số định danh cá nhân của người được cấp thẻ"),
        regex=r"^\d{12}$",
        required=False,
        error_messages={"invalid": _("Số định danh cá nhân gồm đúng 12 chữ số.")},
    )
    child_date_of_birth = _date_field(_("Ngày sinh của người được cấp thẻ"), required=False)
    child_sex = forms.ChoiceField(
        label=_("Giới tính của người được cấp thẻ"),
        choices=[("", "—"), ("M", _("Nam")), ("F", _("Nữ"))],
        required=False,
    )
    relation = forms.ChoiceField(
        label=_("Quan hệ với người được cấp thẻ"),
        choices=[("", "—"), *RELATIONS],
        required=False,
    )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        if not data.get("for_child"):
            for name in ("child_full_name", "child_personal_id", "child_date_of_birth", "relation"):
                data[name] = ""
            data["child_sex"] = ""
            born = data.get("date_of_birth")
            if born and age_on(born, today) < ADULT_AGE:
                self.add_error(
                    "for_child",
                    _(
                        "Người dưới 14 tuổi làm thủ tục cấp thẻ căn cước thông qua người đại diện "
                        "hợp pháp: cha, mẹ hoặc người giám hộ đăng nhập và kê khai thay."
                    ),
                )
            return data
        required = {
            "child_full_name": _("Vui lòng nhập họ, chữ đệm và tên của người được cấp thẻ."),
            "child_personal_id": _("Vui lòng nhập số định danh cá nhân của người được cấp thẻ."),
            "child_date_of_birth": _("Vui lòng nhập ngày sinh của người được cấp thẻ."),
            "child_sex": _("Vui lòng chọn giới tính của người được cấp thẻ."),
            "relation": _("Vui lòng chọn quan hệ của bạn với người được cấp thẻ."),
        }
        for name, message in required.items():
            if not data.get(name) and name not in self.errors:
                self.add_error(name, message)
        child_born = data.get("child_date_of_birth")
        if child_born:
            if child_born > today:
                self.add_error("child_date_of_birth", _("Ngày sinh không được sau ngày hôm nay."))
            elif age_on(child_born, today) >= ADULT_AGE:
                self.add_error(
                    "child_date_of_birth",
                    _(
                        "Người được cấp thẻ đã đủ 14 tuổi: người đó tự đăng nhập và làm thủ tục "
                        "cấp thẻ căn cước."
                    ),
                )
        if data.get("child_personal_id") and data.get("child_personal_id") == data.get(
            "personal_id"
        ):
            self.add_error(
                "child_personal_id",
                _("Số định danh của người được cấp thẻ phải khác số định danh của bạn."),
            )
        return data


class RenewalReason:
    AGE = "age"
    DAMAGED = "damaged"
    CHANGED = "changed_data"
    BOUNDARY = "boundary"
    CHOICES = [
        (AGE, _("Đủ tuổi phải đổi thẻ (14, 25, 40, 60 tuổi)")),
        (DAMAGED, _("Thẻ bị hư hỏng không sử dụng được")),
        (CHANGED, _("Thay đổi thông tin in trên thẻ (họ tên, ngày sinh, giới tính, nơi cư trú…)")),
        (BOUNDARY, _("Thay đổi địa giới hoặc tên đơn vị hành chính")),
    ]


class RenewalForm(ApplicantFields):
    """Cấp đổi thẻ căn cước (2.001195)."""

    reason = forms.ChoiceField(
        label=_("Lý do cấp đổi"),
        choices=RenewalReason.CHOICES,
        error_messages={
            "required": _("Vui lòng chọn lý do cấp đổi thẻ."),
            "invalid_choice": _("Lý do cấp đổi không hợp lệ."),
        },
    )
    changes = forms.CharField(
        label=_("Thông tin thay đổi"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        if data.get("reason") == RenewalReason.CHANGED and not (data.get("changes") or "").strip():
            self.add_error("changes", _("Vui lòng ghi rõ thông tin nào thay đổi."))
        return data


class ReissueReason:
    LOST = "lost"
    DAMAGED = "damaged"
    CHOICES = [
        (LOST, _("Bị mất thẻ căn cước")),
        (DAMAGED, _("Thẻ bị hư hỏng")),
    ]


class ReissueForm(ApplicantFields):
    """Cấp lại thẻ căn cước (2.001194)."""

    reason = forms.ChoiceField(
        label=_("Lý do cấp lại"),
        choices=ReissueReason.CHOICES,
        error_messages={
            "required": _("Vui lòng chọn lý do cấp lại thẻ."),
            "invalid_choice": _("Lý do cấp lại không hợp lệ."),
        },
    )
    data_changed = forms.BooleanField(
        label=_("Thông tin nhân thân có thay đổi so với thẻ cũ"), required=False
    )


class NumberConfirmationForm(ApplicantFields):
    """Cấp xác nhận số chứng minh nhân dân 9 số, số định danh cá nhân (2.001178)."""

    former_id_number = forms.RegexField(
        label=_("Số chứng minh nhân dân 9 số"),
        regex=r"^\d{9}$",
        error_messages={
            "required": _("Vui lòng nhập số chứng minh nhân dân 9 số cần xác nhận."),
            "invalid": _("Số chứng minh nhân dân cũ phải gồm đúng 9 chữ số."),
        },
    )
    former_issued_on = _date_field(_("Ngày cấp chứng minh nhân dân"), required=False)
    former_place = forms.CharField(
        label=_("Nơi cấp chứng minh nhân dân"), max_length=200, required=False
    )
    purpose = forms.CharField(label=_("Mục đích xác nhận"), max_length=300, required=False)

    def clean_former_issued_on(self):
        issued = self.cleaned_data.get("former_issued_on")
        if issued and issued > timezone.localdate():
            raise forms.ValidationError(_("Ngày cấp không được sau ngày hôm nay."))
        return issued


def age_on(born, day) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
