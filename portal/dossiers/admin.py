"""Read-only admin for dossiers (the staff back office comes in a later issue)."""

from django.contrib import admin

from portal.dossiers.models import Attachment, Document, Dossier, DossierEvent


class _ReadOnly(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(_ReadOnly):
    model = DossierEvent
    fields = ["at", "action", "from_state", "to_state", "actor", "actor_role", "reason"]
    readonly_fields = fields


class AttachmentInline(_ReadOnly):
    model = Attachment
    fields = ["requirement_key", "original_name", "content_type", "size", "uploaded_at"]
    readonly_fields = fields


class DocumentInline(_ReadOnly):
    model = Document
    fields = ["kind", "status", "created_at"]
    readonly_fields = fields


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = ["code", "procedure", "unit", "state", "submitted_at", "due_at"]
    list_filter = ["state", "procedure__field"]
    search_fields = ["code", "applicant_personal_id", "applicant_name"]
    list_select_related = ["procedure", "unit"]
    inlines = [EventInline, AttachmentInline, DocumentInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
