"""Forms of the permanent-residence procedures (1.004222, 1.003197, 1.010038, 1.010039).

Filed online, each form IS the CT01 declaration (Tờ khai thay đổi thông tin cư trú, Thông tư
66/2023/TT-BCA) restricted to what the procedure needs. These forms check what can be checked
without the registry; the plugins (residence/procedures/permanent.py) check against it.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.text import validate_person_name
from portal.dossiers.formfields import ItemListField
from residence.forms import DATE_INPUT_FORMATS
from residence.models import Relation, Sex

PERSONAL_ID_MESSAGES = {"invalid": _("Số định danh cá nhân gồm đúng 12 chữ số.")}
# Relations a person may have to a household head (the head itself is not a relation to pick).
MEMBER_RELATIONS = [(v, label) for v, label in Relation.choices if v != Relation.HEAD]


def _personal_id(label, *, required: bool = True, **extra) -> forms.RegexField:
    return forms.RegexField(
        label=label,
        regex=r"^\d{12}$",
        required=required,
        error_messages=PERSONAL_ID_MESSAGES,
        **extra,
    )


def _date(label, *, required: bool = True, **extra) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        **extra,
    )


BASIS_OWNED = "owned"
BASIS_KINSHIP = "kinship"
BASIS_RENTED = "rented"
BASIS_CHOICES = [
    (BASIS_OWNED, _("Chỗ ở hợp pháp thuộc quyền sở hữu của mình")),
    (BASIS_KINSHIP, _("Được chủ hộ, chủ sở hữu đồng ý cho nhập hộ theo diện nhân thân")),
    (BASIS_RENTED, _("Thuê, mượn, ở nhờ chỗ ở hợp pháp")),
]
HOUSEHOLD_NEW = "new"
HOUSEHOLD_JOIN = "join"
HOUSEHOLD_CHOICES = [
    (HOUSEHOLD_NEW, _("Đăng ký làm chủ hộ của hộ mới")),
    (HOUSEHOLD_JOIN, _("Nhập vào hộ gia đình đã có tại địa chỉ này")),
]


class PermanentRegistrationForm(forms.Form):
    """Đăng ký thường trú (1.004222): the CT01 fields that apply."""

    full_name = forms.CharField(
        label=_("Họ, chữ đệm và tên"), max_length=150, validators=[validate_person_name]
    )
    date_of_birth = _date(
        _("Ngày, tháng, năm sinh"),
        error_messages={
            "required": _("Vui lòng nhập ngày sinh."),
            "invalid": _("Ngày sinh không hợp lệ (ngày/tháng/năm)."),
        },
    )
    sex = forms.ChoiceField(label=_("Giới tính"), choices=Sex.choices)
    personal_id = _personal_id(_("Số định danh cá nhân"))
    phone = forms.CharField(label=_("Số điện thoại liên hệ"), max_length=20, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    street = forms.CharField(
        label=_("Nơi đề nghị đăng ký thường trú (số nhà, đường phố, thôn, tổ dân phố)"),
        max_length=300,
        help_text=_("Xã / phường là nơi bạn chọn nộp hồ sơ."),
        error_messages={"required": _("Vui lòng nhập địa chỉ nơi đề nghị đăng ký thường trú.")},
    )
    basis = forms.ChoiceField(label=_("Căn cứ đăng ký"), choices=BASIS_CHOICES)
    household_choice = forms.ChoiceField(
        label=_("Hộ gia đình"), choices=HOUSEHOLD_CHOICES, initial=HOUSEHOLD_NEW
    )
    household_ref = forms.CharField(
        label=_("Số hộ hoặc số định danh của chủ hộ (khi nhập hộ)"),
        max_length=20,
        required=False,
    )
    relation = forms.ChoiceField(
        label=_("Quan hệ với chủ hộ (khi nhập hộ)"),
        choices=[("", "---------"), *MEMBER_RELATIONS],
        required=False,
    )
    consent_name = forms.CharField(
        label=_("Ý kiến của chủ hộ / chủ sở hữu: họ và tên"),
        max_length=150,
        required=False,
        validators=[validate_person_name],
    )
    consent_personal_id = _personal_id(
        _("Ý kiến của chủ hộ / chủ sở hữu: số định danh cá nhân"), required=False
    )
    consent_given = forms.BooleanField(
        label=_("Chủ hộ / chủ sở hữu đồng ý cho đăng ký thường trú vào chỗ ở này"),
        required=False,
        help_text=_("Nếu không ghi ở đây, vui lòng đính kèm văn bản đồng ý."),
    )
    consent_by_letter = forms.BooleanField(
        label=_("Tôi đính kèm văn bản đồng ý của chủ hộ / chủ sở hữu"),
        required=False,
    )
    guardian_name = forms.CharField(
        label=_("Cha, mẹ hoặc người giám hộ (người chưa thành niên): họ và tên"),
        max_length=150,
        required=False,
        validators=[validate_person_name],
    )
    guardian_personal_id = _personal_id(
        _("Cha, mẹ hoặc người giám hộ: số định danh cá nhân"), required=False
    )
    guardian_consent = forms.BooleanField(
        label=_("Cha, mẹ hoặc người giám hộ đồng ý"),
        required=False,
        help_text=_("Nếu không ghi ở đây, vui lòng đính kèm văn bản đồng ý của người giám hộ."),
    )

    def clean(self):
        data = super().clean()
        birth = data.get("date_of_birth")
        if birth and birth > timezone.localdate():
            self.add_error("date_of_birth", _("Ngày sinh không được sau ngày hôm nay."))
        if data.get("household_choice") == HOUSEHOLD_JOIN:
            if not (data.get("household_ref") or "").strip():
                self.add_error(
                    "household_ref",
                    _("Vui lòng nhập số hộ hoặc số định danh của chủ hộ mà bạn xin nhập vào."),
                )
            if not data.get("relation"):
                self.add_error("relation", _("Vui lòng chọn quan hệ với chủ hộ."))
        else:
            data["household_ref"] = ""
            data["relation"] = ""
        partial = [data.get("consent_name"), data.get("consent_personal_id")]
        if data.get("consent_given") and not all(partial):
            self.add_error(
                "consent_name",
                _(
                    "Ý kiến đồng ý của chủ hộ / chủ sở hữu phải ghi đủ họ tên và số định danh cá "
                    "nhân của người đồng ý."
                ),
            )
        if data.get("guardian_consent") and not (
            data.get("guardian_name") and data.get("guardian_personal_id")
        ):
            self.add_error(
                "guardian_name",
                _("Ý kiến của người giám hộ phải ghi đủ họ tên và số định danh cá nhân."),
            )
        return data


# Điều 24 khoản 1 Luật Cư trú 2020: the cases in which permanent residence is removed (wording
# shortened; the letters are those of the law as we read it, check before quoting them).
DEREGISTRATION_REASONS = [
    ("died", _("Chết; có quyết định của Tòa án tuyên bố mất tích hoặc đã chết")),
    ("emigrated", _("Ra nước ngoài để định cư")),
    ("cancelled", _("Đã có quyết định hủy bỏ đăng ký thường trú")),
    (
        "absent_12_months",
        _(
            "Vắng mặt liên tục tại nơi thường trú từ 12 tháng trở lên mà không đăng ký tạm trú "
            "tại chỗ ở khác hoặc không khai báo tạm vắng"
        ),
    ),
    ("nationality_lost", _("Đã được thôi quốc tịch Việt Nam, bị tước quốc tịch Việt Nam")),
    (
        "rental_ended",
        _(
            "Đã chấm dứt việc thuê, mượn, ở nhờ mà sau 12 tháng chưa đăng ký thường trú tại chỗ ở "
            "mới"
        ),
    ),
    (
        "ownership_transferred",
        _(
            "Quyền sở hữu chỗ ở đã chuyển cho người khác mà sau 12 tháng chưa đăng ký thường trú "
            "tại chỗ ở mới (trừ khi chủ sở hữu mới đồng ý)"
        ),
    ),
    ("registered_elsewhere", _("Đã đăng ký thường trú tại chỗ ở hợp pháp khác")),
    ("dwelling_gone", _("Chỗ ở đã bị phá dỡ, tịch thu hoặc không còn tồn tại")),
]
SUBJECT_SELF = "self"
SUBJECT_MEMBER = "member"


class PermanentDeregistrationForm(forms.Form):
    """Xóa đăng ký thường trú (1.003197): whose residence, on which legal ground."""

    subject = forms.ChoiceField(
        label=_("Người được xóa đăng ký thường trú"),
        choices=[
            (SUBJECT_SELF, _("Bản thân tôi")),
            (SUBJECT_MEMBER, _("Một thành viên trong hộ gia đình của tôi")),
        ],
        initial=SUBJECT_SELF,
    )
    member_personal_id = _personal_id(
        _("Số định danh cá nhân của thành viên (khi xóa cho thành viên hộ)"), required=False
    )
    reason = forms.ChoiceField(
        label=_("Lý do xóa đăng ký thường trú (Điều 24 Luật Cư trú)"),
        choices=DEREGISTRATION_REASONS,
        error_messages={"required": _("Vui lòng chọn lý do xóa đăng ký thường trú.")},
    )
    reason_detail = forms.CharField(
        label=_("Trình bày thêm"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    event_date = _date(
        _("Ngày phát sinh trường hợp xóa đăng ký"),
        required=False,
        error_messages={"invalid": _("Ngày phát sinh không hợp lệ.")},
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("subject") == SUBJECT_MEMBER
            and not data.get("member_personal_id")
            and "member_personal_id" not in self.errors
        ):
            self.add_error(
                "member_personal_id",
                _("Vui lòng nhập số định danh cá nhân của thành viên cần xóa đăng ký."),
            )
        if data.get("subject") == SUBJECT_SELF:
            data["member_personal_id"] = ""
        day = data.get("event_date")
        if day and day > timezone.localdate():
            self.add_error("event_date", _("Ngày phát sinh không được sau ngày hôm nay."))
        return data


class LeavingMemberForm(forms.Form):
    personal_id = _personal_id(_("Số định danh cá nhân"))
    relation = forms.ChoiceField(label=_("Quan hệ với chủ hộ mới"), choices=MEMBER_RELATIONS)


class HouseholdSplitForm(forms.Form):
    """Tách hộ (1.010038): the new head, who leaves with them, the head's consent."""

    new_head_personal_id = _personal_id(_("Số định danh cá nhân của chủ hộ mới"))
    members = ItemListField(
        item_form=LeavingMemberForm,
        item_label=_("Thành viên"),
        min_items=0,
        max_items=30,
        required=False,
        label=_("Các thành viên cùng tách sang hộ mới (ngoài chủ hộ mới)"),
    )
    consent_name = forms.CharField(
        label=_("Ý kiến của chủ hộ: họ và tên"),
        max_length=150,
        required=False,
        validators=[validate_person_name],
    )
    consent_personal_id = _personal_id(_("Ý kiến của chủ hộ: số định danh cá nhân"), required=False)
    consent_given = forms.BooleanField(
        label=_("Chủ hộ đồng ý cho tách hộ"),
        required=False,
        help_text=_(
            "Không cần nếu bạn là chủ hộ. Nếu không ghi ở đây, vui lòng đính kèm văn bản đồng ý."
        ),
    )
    consent_by_letter = forms.BooleanField(
        label=_("Tôi đính kèm văn bản đồng ý của chủ hộ"), required=False
    )

    def clean(self):
        data = super().clean()
        ids = [m["personal_id"] for m in data.get("members") or []]
        if len(ids) != len(set(ids)):
            self.add_error("members", _("Một người được kê khai hai lần trong danh sách."))
        if data.get("new_head_personal_id") and data["new_head_personal_id"] in ids:
            self.add_error(
                "members",
                _("Chủ hộ mới không cần kê khai lại trong danh sách thành viên tách theo."),
            )
        if data.get("consent_given") and not (
            data.get("consent_name") and data.get("consent_personal_id")
        ):
            self.add_error(
                "consent_name",
                _("Ý kiến đồng ý của chủ hộ phải ghi đủ họ tên và số định danh cá nhân."),
            )
        return data


CORRECTABLE_FIELDS = [
    ("full_name", _("Họ, chữ đệm và tên")),
    ("date_of_birth", _("Ngày, tháng, năm sinh")),
    ("sex", _("Giới tính")),
    ("hometown", _("Quê quán")),
    ("ethnicity", _("Dân tộc")),
    ("religion", _("Tôn giáo")),
    ("household_head", _("Thay đổi chủ hộ")),
]


class InformationCorrectionForm(forms.Form):
    """Điều chỉnh thông tin trong CSDL cư trú (1.010039): one item, its new value, the basis."""

    field = forms.ChoiceField(label=_("Thông tin cần điều chỉnh"), choices=CORRECTABLE_FIELDS)
    new_value = forms.CharField(
        label=_("Thông tin mới"),
        max_length=300,
        help_text=_(
            "Ngày sinh: ngày/tháng/năm; giới tính: Nam hoặc Nữ; thay đổi chủ hộ: số định danh "
            "cá nhân của chủ hộ mới."
        ),
        error_messages={"required": _("Vui lòng nhập thông tin mới.")},
    )
    former_head_relation = forms.ChoiceField(
        label=_("Quan hệ của chủ hộ cũ với chủ hộ mới (khi thay đổi chủ hộ)"),
        choices=[("", "---------"), *MEMBER_RELATIONS],
        required=False,
    )
    basis = forms.CharField(
        label=_("Căn cứ điều chỉnh (giấy tờ chứng minh đính kèm)"),
        max_length=300,
        error_messages={"required": _("Vui lòng nêu giấy tờ làm căn cứ điều chỉnh.")},
    )
