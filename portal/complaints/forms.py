"""Forms of the citizen pages and of the admin's complaint decisions. The rules (specific text,
deadlines, who may act) live in services; forms only parse what people typed."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.backoffice.services import clean_reason
from portal.core.errors import DomainError
from portal.dossiers.forms import ATTACHMENT_ACCEPT
from portal.dossiers.models import State
from portal.units.models import PoliceUnit

from . import services
from .models import Category


def _check(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except DomainError as exc:
        raise ValidationError(exc.message) from None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ATTACHMENT_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class ComplaintForm(forms.Form):
    category = forms.ChoiceField(label=_("Loại phản ánh"), choices=Category.choices)
    unit = forms.ModelChoiceField(
        label=_("Đơn vị Công an bị phản ánh"),
        queryset=PoliceUnit.objects.filter(is_active=True).order_by("path"),
        required=False,
    )
    description = forms.CharField(
        label=_("Nội dung phản ánh"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Nêu cụ thể sự việc: khi nào, ở đâu, cán bộ / đơn vị nào, điều gì chưa đúng."),
        max_length=5000,
    )
    files = MultipleFileField(
        label=_("Tệp đính kèm (PDF, JPEG, PNG; không bắt buộc)"), required=False
    )
    name = forms.CharField(label=_("Họ và tên"), max_length=150, required=False)
    email = forms.EmailField(label=_("Thư điện tử (không bắt buộc)"), required=False)

    def __init__(self, *args, dossier=None, anonymous=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.dossier = dossier
        if dossier is not None:
            del self.fields["unit"]
        else:
            self.fields["unit"].required = True
        if not anonymous:
            del self.fields["name"]
            del self.fields["email"]

    def clean_description(self):
        return _check(
            clean_reason,
            self.cleaned_data.get("description"),
            field="description",
            label=_("Nội dung phản ánh"),
            min_length=services.MIN_DESCRIPTION_LENGTH,
        )


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Mã xác thực (6 chữ số)"),
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Vì sao Ông/Bà chưa hài lòng?"), widget=forms.Textarea(attrs={"rows": 3})
    )


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Mức độ hài lòng"),
        coerce=int,
        choices=[
            (5, _("5 – Rất hài lòng")),
            (4, _("4 – Hài lòng")),
            (3, _("3 – Bình thường")),
            (2, _("2 – Không hài lòng")),
            (1, _("1 – Rất không hài lòng")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Góp ý (không bắt buộc)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- admin decision forms ------------------------------------------------------------------------


class ActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, complaint=None, user=None, **kwargs):
        self.complaint, self.user = complaint, user
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["expected_version"] = data.pop("version")
        return data


def _text_field(label, help_text=""):
    return forms.CharField(
        label=label, help_text=help_text, widget=forms.Textarea(attrs={"rows": 4, "cols": 80})
    )


class DirectForm(ActionForm):
    instruction = _text_field(
        _("Nội dung chỉ đạo"),
        _("Yêu cầu đơn vị liên hệ ngay với công dân và giải quyết dứt điểm: làm gì, trả lời gì."),
    )
    response_hours = forms.IntegerField(
        label=_("Hạn phản hồi (giờ làm việc)"),
        min_value=1,
        max_value=services.MAX_RESPONSE_HOURS,
        initial=settings.COMPLAINT_RESPONSE_HOURS,
    )

    def clean_instruction(self):
        return _check(clean_reason, self.cleaned_data["instruction"], label=_("Nội dung chỉ đạo"))


class ContactForm(ActionForm):
    contacted_at = forms.DateTimeField(
        label=_("Thời điểm liên hệ"),
        initial=lambda: timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        help_text=_("Ví dụ 2026-06-09 14:30"),
    )
    channel = forms.ChoiceField(
        label=_("Hình thức liên hệ"), choices=list(services.CONTACT_CHANNELS.items())
    )
    summary = _text_field(_("Nội dung đã trao đổi với công dân"))

    def clean_summary(self):
        return _check(clean_reason, self.cleaned_data["summary"], label=_("Nội dung đã trao đổi"))


class ResolveForm(ActionForm):
    resolution = _text_field(_("Kết quả giải quyết"))
    corrective_action = _text_field(_("Biện pháp khắc phục của đơn vị"))

    def clean_resolution(self):
        return _check(clean_reason, self.cleaned_data["resolution"], label=_("Kết quả giải quyết"))

    def clean_corrective_action(self):
        return _check(
            clean_reason, self.cleaned_data["corrective_action"], label=_("Biện pháp khắc phục")
        )


class CloseForm(ActionForm):
    note = _text_field(_("Ý kiến xác nhận kết thúc"))

    def clean_note(self):
        return _check(clean_reason, self.cleaned_data["note"], label=_("Ý kiến xác nhận"))


class EscalateForm(ActionForm):
    reason = _text_field(_("Lý do chuyển cấp trên"))

    def clean_reason(self):
        return _check(clean_reason, self.cleaned_data["reason"], label=_("Lý do chuyển cấp trên"))


class ReopenDossierForm(ActionForm):
    target = forms.ChoiceField(
        label=_("Mở lại hồ sơ về trạng thái"),
        choices=[
            (State.RECEIVED, State.RECEIVED.label),
            (State.PROCESSING, State.PROCESSING.label),
        ],
    )
    reason = _text_field(
        _("Lý do mở lại hồ sơ"),
        _("Hồ sơ được giải quyết lại; thời hạn giải quyết tính lại từ thời điểm mở lại."),
    )

    def clean_reason(self):
        return _check(clean_reason, self.cleaned_data["reason"], label=_("Lý do mở lại hồ sơ"))
