"""The small admin forms of each staff decision. Validation of reasons lives in services
(`clean_reason`, `clean_supplement_items`) so the API and the admin demand the same."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Role, User
from portal.catalogue.models import RequiredDocument, ResultMethod
from portal.core.errors import DomainError

from . import services
from .models import ContactLog, RefusalReason


def _check(fn, *args, **kwargs):
    """Run a services.clean_* check and turn its error into a form ValidationError."""
    try:
        return fn(*args, **kwargs)
    except DomainError as exc:
        raise ValidationError(exc.message) from None


class ActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, dossier=None, user=None, **kwargs):
        self.dossier, self.user = dossier, user
        super().__init__(*args, **kwargs)


class ConfirmForm(ActionForm):
    """Receive / start processing / approve: the officer confirms what they saw."""


class SupplementItemForm(forms.Form):
    document = forms.CharField(label=_("Giấy tờ cần bổ sung"), max_length=300, required=False)
    copy_kind = forms.ChoiceField(
        label=_("Loại bản"), required=False, choices=[("", "—"), *RequiredDocument.CopyKind.choices]
    )
    problem = forms.CharField(
        label=_("Chưa đạt ở điểm nào"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"size": 60}),
    )

    def has_content(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return any((data.get(k) or "").strip() for k in ("document", "problem"))


class BaseItemFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        items = [f.cleaned_data for f in self.forms if f.has_content()]
        _check(services.clean_supplement_items, items)
        self.items = services.clean_supplement_items(items)


SupplementItemFormSet = forms.formset_factory(
    SupplementItemForm, formset=BaseItemFormSet, extra=3, max_num=services.MAX_SUPPLEMENT_ITEMS
)


class SupplementForm(ActionForm):
    guidance = forms.CharField(
        label=_("Hướng dẫn bổ sung"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=_("Hướng dẫn đầy đủ, cụ thể, một lần: công dân cần làm gì, nộp thế nào."),
    )

    def clean_guidance(self):
        return _check(
            services.clean_reason,
            self.cleaned_data["guidance"],
            field="guidance",
            label=_("Hướng dẫn"),
        )


class RefuseForm(ActionForm):
    """The leader's refusal and the officer's proposal: only the categories that apply to the
    dossier's procedure are offered (and accepted)."""

    reason_category = forms.ModelChoiceField(
        label=_("Lý do từ chối (theo danh mục)"),
        queryset=RefusalReason.objects.none(),
        empty_label=_("— Chọn lý do —"),
        error_messages={
            "required": _("Chọn một lý do từ chối trong danh mục."),
            "invalid_choice": _(
                "Lý do này không áp dụng cho thủ tục của hồ sơ: chọn lý do trong danh sách."
            ),
        },
    )
    explanation = forms.CharField(
        label=_("Giải thích"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=_(
            "Nêu thiếu giấy tờ nào hoặc điều kiện nào không đáp ứng, vì sao (in trên phiếu CT06)."
        ),
    )
    documents = forms.MultipleChoiceField(
        label=_("Giấy tờ liên quan (nếu lý do là về giấy tờ)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        applicable = (
            services.refusal_reasons_for(dossier=self.dossier) if self.dossier is not None else []
        )
        self.fields["reason_category"].queryset = RefusalReason.objects.filter(
            pk__in=[r.pk for r in applicable]
        )
        self.fields["reason_category"].label_from_instance = lambda r: (
            f"{r.title} — {r.legal_provision}"
        )
        if self.dossier is not None:
            self.fields["documents"].choices = [
                (d.key, d.name) for d in self.dossier.procedure.required_documents.all()
            ]

    def clean_explanation(self):
        return _check(services.clean_refusal_explanation, self.cleaned_data["explanation"])


class DecideRefusalForm(ActionForm):
    decision = forms.ChoiceField(
        label=_("Quyết định"), choices=services.Decision.CHOICES, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Ý kiến của lãnh đạo (bắt buộc khi trả lại)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
    )


class OfficerChoiceField(forms.ModelChoiceField):
    """ "Nguyễn Hữu Nam – Cán bộ xử lý (xuly.dinhhoa)": two officers may share a name."""

    def label_from_instance(self, obj):
        roles = ", ".join(
            str(Role(r).label)
            for r in (Role.HANDLING_OFFICER, Role.UNIT_LEADER, Role.RECEIVING_OFFICER)
            if r in obj.role_set()
        )
        return f"{obj.full_name or obj.username} – {roles} ({obj.username})"


class AssignForm(ActionForm):
    officer = OfficerChoiceField(
        label=_("Cán bộ xử lý"),
        queryset=User.objects.none(),
        empty_label=_("— Chọn cán bộ xử lý —"),
        help_text=_("Cán bộ có vai trò xử lý hồ sơ của đơn vị tiếp nhận."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.dossier is not None:
            self.fields["officer"].queryset = services.handling_officers(unit=self.dossier.unit)


class StopForm(ActionForm):
    reason = forms.CharField(
        label=_("Lý do dừng xử lý"), widget=forms.Textarea(attrs={"rows": 3, "cols": 80})
    )

    def clean_reason(self):
        return _check(services.clean_reason, self.cleaned_data["reason"])


class ReturnForm(ActionForm):
    method = forms.ChoiceField(label=_("Hình thức trả kết quả"), choices=())
    collected_by_name = forms.CharField(
        label=_("Họ tên người nhận"), required=False, max_length=150
    )
    collected_by_personal_id = forms.CharField(
        label=_("Số định danh cá nhân người nhận"), required=False, max_length=20
    )
    originals_compared = forms.BooleanField(
        label=_("Đã đối chiếu bản chính / bản sao có chứng thực giấy tờ (mức độ 3)"),
        required=False,
    )
    postal_address = forms.CharField(
        label=_("Địa chỉ nhận qua bưu chính"), required=False, max_length=300
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # What the procedure allows and staff can honour here, the citizen's choice first and
        # pre-selected; when the citizen chose nothing (or what cannot be honoured here), no
        # method is pre-selected: staff pick the one agreed with the citizen.
        methods = services.return_methods(dossier=self.dossier) if self.dossier else []
        chosen = self.dossier.result_method if self.dossier else ""
        choices = [(m, ResultMethod(m).label) for m in methods]
        field = self.fields["method"]
        if chosen in methods:
            field.initial = chosen
            if self.dossier.result_address and not self.is_bound:
                self.initial.setdefault("postal_address", self.dossier.result_address)
        else:
            choices.insert(0, ("", _("— Chọn hình thức đã thống nhất với công dân —")))
        field.choices = choices


class ContactForm(ActionForm):
    contacted_at = forms.DateTimeField(
        label=_("Thời điểm liên hệ"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
    )
    channel = forms.ChoiceField(label=_("Hình thức liên hệ"), choices=ContactLog.Channel.choices)
    outcome = forms.ChoiceField(label=_("Kết quả"), choices=ContactLog.Outcome.choices)
    note = forms.CharField(
        label=_("Nội dung trao đổi"), widget=forms.Textarea(attrs={"rows": 3, "cols": 80})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacted_at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")

    def clean_note(self):
        return _check(
            services.clean_reason,
            self.cleaned_data["note"],
            field="note",
            label=_("Nội dung trao đổi"),
        )


class ApologyForm(ActionForm):
    new_due_at = forms.DateTimeField(
        label=_("Hẹn trả kết quả mới"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
    )
    reason = forms.CharField(
        label=_("Lý do chậm trả kết quả"), widget=forms.Textarea(attrs={"rows": 3, "cols": 80})
    )

    def clean_reason(self):
        return _check(
            services.clean_reason, self.cleaned_data["reason"], label=_("Lý do chậm trả kết quả")
        )


class VerifyForm(ActionForm):
    attachments = forms.MultipleChoiceField(
        label=_("Giấy tờ đã kiểm tra, hợp lệ"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Đánh dấu các tệp đã đối chiếu, kiểm tra. Hồ sơ có đủ giấy tờ bắt buộc đã "
            "kiểm tra chỉ lãnh đạo đơn vị được từ chối."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.dossier is not None:
            attachments = list(self.dossier.attachments.all())
            self.fields["attachments"].choices = [(str(a.pk), a.original_name) for a in attachments]
            if not self.is_bound:
                self.initial["attachments"] = [str(a.pk) for a in attachments if a.verified]


class ReopenDossierForm(forms.Form):
    """The supervisor reopens a refused dossier from the refusal review list."""

    target = forms.ChoiceField(
        label=_("Mở lại hồ sơ về trạng thái"),
        choices=[("received", _("Đã tiếp nhận")), ("processing", _("Đang xử lý"))],
    )
    reason = forms.CharField(
        label=_("Lý do mở lại hồ sơ"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=_("Hồ sơ được giải quyết lại; thời hạn giải quyết tính lại từ lúc mở lại."),
    )

    def clean_reason(self):
        return _check(services.clean_reason, self.cleaned_data["reason"], label=_("Lý do"))
