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
