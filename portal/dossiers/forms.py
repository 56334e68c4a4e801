"""Forms of the citizen's dossier pages (the procedure's own fields come from its plugin)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.catalogue.models import ResultMethod
from portal.core.templatetags.portal_format import vnd
from portal.dossiers import payments
from portal.units.models import AdministrativeArea, PoliceUnit

ATTACHMENT_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def areas_with_police_unit():
    """Communes (xã / phường) served by an active commune police unit: where a dossier can go."""
    return (
        AdministrativeArea.objects.filter(
            kind=AdministrativeArea.Kind.COMMUNE,
            police_units__level=PoliceUnit.Level.COMMUNE,
            police_units__is_active=True,
        )
        .select_related("parent")
        .distinct()
        .order_by("parent__name", "name")
    )


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AdministrativeArea) -> str:
        return f"{obj.name} – {obj.parent.name}" if obj.parent_id else obj.name


def postal_fee_on_file(procedure) -> int:
    """Today's nationwide postal fee from the table (the dossier's own is frozen at submission)."""
    try:
        from portal.postal.fees import fee_on
    except ImportError:
        return 0
    from django.utils import timezone

    return fee_on(timezone.localdate())


class FilingForm(forms.Form):
    """The engine's part of the filing page: where the matter is and how the result comes back."""

    area = AreaChoiceField(
        label=_("Xã / phường nơi thực hiện thủ tục"),
        queryset=AdministrativeArea.objects.none(),
        empty_label=_("— Chọn xã / phường —"),
        help_text=_("Hồ sơ được gửi tới Công an xã / phường này."),
        error_messages={
            "required": _("Vui lòng chọn xã / phường nơi thực hiện thủ tục."),
            "invalid_choice": _("Xã / phường đã chọn chưa có đơn vị Công an tiếp nhận trực tuyến."),
        },
    )
    result_method = forms.ChoiceField(
        label=_("Hình thức nhận kết quả"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Vui lòng chọn hình thức nhận kết quả.")},
    )
    result_address = forms.CharField(
        label=_("Địa chỉ nhận kết quả qua bưu chính"),
        max_length=300,
        required=False,
        help_text=_("Chỉ cần khi nhận kết quả qua dịch vụ bưu chính công ích."),
    )

    def __init__(self, *args, procedure, area_locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas_with_police_unit()
        if area_locked:
            # The receiving unit is fixed once the draft exists (see the dossier's page).
            del self.fields["area"]
        methods = [m for m in (procedure.result_methods or []) if m in ResultMethod.values]
        if procedure.level != 4:  # an electronic (signed) result only at level 4
            methods = [m for m in methods if m != ResultMethod.ELECTRONIC]
        if not methods:
            methods = [ResultMethod.IN_PERSON]
        self.fields["result_method"].choices = [(m, ResultMethod(m).label) for m in methods]
        self.fields["result_method"].initial = methods[0]  # the engine's default too
        if ResultMethod.POST not in methods:
            # The postal address is asked only when the procedure returns results by post.
            del self.fields["result_address"]
        else:
            self.postal_fee = postal_fee_on_file(procedure)
            if self.postal_fee:
                if payments.postage_paid_online(procedure):
                    text = _(
                        "Chỉ cần khi nhận kết quả qua dịch vụ bưu chính công ích (cước %(fee)s "
                        "đồng, theo biểu cước hiện hành, thanh toán trực tuyến khi nộp hồ sơ)."
                    )
                else:
                    text = _(
                        "Chỉ cần khi nhận kết quả qua dịch vụ bưu chính công ích (cước %(fee)s "
                        "đồng, theo biểu cước hiện hành, nộp khi nhận kết quả)."
                    )
                self.fields["result_address"].help_text = text % {"fee": vnd(self.postal_fee)}

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("result_method") == ResultMethod.POST
            and not (cleaned.get("result_address") or "").strip()
        ):
            self.add_error(
                "result_address",
                _("Vui lòng nhập địa chỉ nhận kết quả qua bưu chính."),
            )
        return cleaned


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do rút hồ sơ (không bắt buộc)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


_PERSONAL_ID = re.compile(r"^\d{12}$")


class LookupForm(forms.Form):
    code = forms.CharField(
        label=_("Mã hồ sơ"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        error_messages={"required": _("Vui lòng nhập mã hồ sơ.")},
    )
    personal_id = forms.CharField(
        label=_("Số định danh cá nhân của người nộp"),
        max_length=12,
        min_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "required": _("Vui lòng nhập số định danh cá nhân (12 chữ số)."),
            "min_length": _("Số định danh cá nhân gồm đúng 12 chữ số."),
            "max_length": _("Số định danh cá nhân gồm đúng 12 chữ số."),
        },
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()

    def clean_personal_id(self) -> str:
        value = self.cleaned_data["personal_id"].strip()
        if not _PERSONAL_ID.match(value):
            raise forms.ValidationError(_("Số định danh cá nhân gồm đúng 12 chữ số."))
        return value
