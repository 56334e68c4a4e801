from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    FormTemplate,
    LegalBasis,
    Procedure,
    ProcedureFee,
    RequiredDocument,
    ResultMethod,
    ServiceLevel,
)


class LegalBasisInline(admin.TabularInline):
    model = LegalBasis
    extra = 0
    fields = ("position", "number", "issued_on", "title")


class ProcedureFeeInline(admin.TabularInline):
    model = ProcedureFee
    extra = 0
    fields = ("channel", "amount", "valid_from", "valid_to", "legal_basis", "note")


class RequiredDocumentInline(admin.TabularInline):
    model = RequiredDocument
    extra = 0
    fields = ("position", "key", "name", "is_mandatory", "copy_kind", "quantity", "note")


class ProcedureAdminForm(forms.ModelForm):
    result_methods = forms.MultipleChoiceField(
        label=_("hình thức nhận kết quả"),
        choices=ResultMethod.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Procedure
        fields = ["result_methods"]  # the rest comes from ProcedureAdmin.fieldsets

    def clean(self):
        """No hollow procedure: online filing (level 3–4) only with a registered plugin, and
        level 4 with an online fee only when a payment provider exists."""
        from portal.dossiers import payments
        from portal.dossiers.registry import registry

        cleaned = super().clean()
        level = cleaned.get("level")
        code = cleaned.get("code") or self.instance.code
        if level is not None and level >= ServiceLevel.PARTLY_ONLINE and code:
            if not registry.is_registered(code):
                self.add_error(
                    "level",
                    _(
                        "Thủ tục %(code)s chưa có phần nộp hồ sơ trực tuyến (chưa đăng ký plugin): "
                        "chỉ chọn được mức độ 1 hoặc 2."
                    )
                    % {"code": code},
                )
            elif (
                level == ServiceLevel.FULLY_ONLINE
                and not payments.available()
                and self.instance.pk
                and self.instance.has_online_fee()
            ):
                self.add_error(
                    "level",
                    _(
                        "Chưa có đơn vị thanh toán trực tuyến: thủ tục có lệ phí trực tuyến chỉ "
                        "chọn được mức độ 3 (nộp lệ phí tại cơ quan)."
                    ),
                )
        return cleaned


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    form = ProcedureAdminForm
    list_display = ("code", "name_vi", "field", "level", "deadline_days", "is_published")
    list_filter = ("field", "level", "is_published", "reception_mode")
    search_fields = ("code", "name_vi", "name_en", "search_text")
    filter_horizontal = ("forms",)
    inlines = [LegalBasisInline, ProcedureFeeInline, RequiredDocumentInline]
    fieldsets = (
        (None, {"fields": ("code", "name_vi", "name_en", "field", "level", "is_published")}),
        (_("Nội dung"), {"fields": ("summary", "applicants", "conditions", "exemptions")}),
        (
            _("Thời hạn và tiếp nhận"),
            {
                "fields": (
                    "deadline_kind",
                    "deadline_days",
                    "deadline_days_max",
                    "deadline_note",
                    "reception_mode",
                    "handling_level",
                )
            },
        ),
        (_("Kết quả"), {"fields": ("result_methods", "result_document", "forms")}),
        (_("Nguồn"), {"fields": ("source",)}),
    )


@admin.register(FormTemplate)
class FormTemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "template_name", "legal_source")
    search_fields = ("code", "name")
