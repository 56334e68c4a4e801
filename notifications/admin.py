from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from notifications import events as ev
from notifications import services, templating
from notifications.masking import mask
from notifications.models import (
    DeliveryAttempt,
    DeliveryReceipt,
    Notification,
    NotificationTemplate,
    OutboxSms,
)


def can_read_messages(request) -> bool:
    """Whose eyes may see what was sent to someone else (bodies, codes, full addresses): nobody's
    in production; in development (DEBUG) an administrator whose session passed the second factor.
    """
    user = request.user
    return bool(
        settings.DEBUG
        and user.is_active
        and getattr(user, "is_administrator", False)
        and getattr(user, "is_verified", lambda: False)()
    )


class NotificationTemplateForm(forms.ModelForm):
    class Meta:
        model = NotificationTemplate
        fields = [
            "event",
            "channel",
            "subject",
            "body",
            "html_body",
            "sms_mode",
            "max_sms_parts",
            "is_active",
        ]

    def clean(self):
        data = super().clean()
        event = data.get("event")
        if not event:
            return data
        allowed = ev.allowed_placeholders(event)
        for field in ("subject", "body", "html_body"):
            problems = templating.check_source(data.get(field) or "", allowed)
            if problems:
                self.add_error(
                    field,
                    _(
                        "Biến không dùng được cho sự kiện này hoặc lỗi cú pháp: %(p)s. Được dùng: %(a)s"
                    )
                    % {"p": ", ".join(problems), "a": ", ".join(sorted(allowed))},
                )
        return data


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    form = NotificationTemplateForm
    list_display = ["event", "channel", "sms_mode", "version", "is_active", "updated_at"]
    list_filter = ["channel", "event", "is_active"]
    readonly_fields = ["version", "placeholders_help", "preview"]

    @admin.display(description=_("Biến được dùng"))
    def placeholders_help(self, obj):
        if not obj or not obj.event:
            return "–"
        return ", ".join("{{ " + p + " }}" for p in sorted(ev.allowed_placeholders(obj.event)))

    @admin.display(description=_("Xem trước (dữ liệu mẫu)"))
    def preview(self, obj):
        if not obj or not obj.pk:
            return _("Lưu mẫu để xem trước.")
        try:
            rendered = services.render(obj, ev.sample_context())
        except Exception as exc:  # a broken template must not break the admin page
            return format_html('<span class="errornote">{}</span>', exc)
        if rendered.sms:
            from notifications.sms_encoding import split_parts

            parts = split_parts(rendered.sms.text, rendered.sms.encoding)
            return format_html(
                "<pre class='nt-preview'>{}</pre><p>{}: <strong>{}</strong>, {}: "
                "<strong>{}</strong>, {}: <strong>{}</strong></p><ol>{}</ol>",
                rendered.body,
                _("Mã hóa"),
                "GSM-7" if rendered.sms.encoding == "gsm7" else "UCS-2",
                _("số ký tự (đơn vị)"),
                rendered.sms.units,
                _("số phần"),
                rendered.sms.parts,
                format_html_join("", "<li><code>{}</code></li>", ((p,) for p in parts)),
            )
        return format_html(
            "<p><strong>{}</strong></p><pre class='nt-preview'>{}</pre>"
            "<iframe sandbox class='nt-preview' srcdoc='{}'>"
            "</iframe>",
            rendered.subject,
            rendered.body,
            rendered.html_body,
        )

    def save_model(self, request, obj, form, change):
        services.save_template(template=obj)


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["number", "provider", "started_at", "duration_ms", "outcome", "detail"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "event",
        "channel",
        "status",
        "attempts",
        "dossier_code",
        "created_at",
        "delivered_at",
    ]
    list_filter = ["status", "channel", "event"]
    search_fields = ["dossier_code", "provider_reference", "=reference"]
    date_hierarchy = "created_at"
    inlines = [DeliveryAttemptInline]
    list_select_related = False
    CONTENT_FIELDS = ("recipient", "subject", "body", "html_body")

    def get_fields(self, request, obj=None):
        names = [f.name for f in Notification._meta.fields if f.name != "id"]
        if can_read_messages(request):
            return names
        return [
            "recipient_masked" if n == "recipient" else n
            for n in names
            if n not in self.CONTENT_FIELDS[1:]
        ]

    def get_readonly_fields(self, request, obj=None):
        return [*self.get_fields(request, obj)]

    @admin.display(description=_("địa chỉ nhận"))
    def recipient_masked(self, obj):
        return mask(obj.recipient) if obj else "–"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DeliveryReceipt)
class DeliveryReceiptAdmin(admin.ModelAdmin):
    list_display = ["receipt_id", "provider", "reference", "status", "applied", "received_at"]
    list_filter = ["status", "applied", "provider"]
    search_fields = ["receipt_id", "reference"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in DeliveryReceipt._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(OutboxSms)
class OutboxSmsAdmin(admin.ModelAdmin):
    """The local SMS backend's messages (codes included): development only, for an administrator
    who passed the second factor; everybody else reads them on the server console."""

    list_display = ["created_at", "phone", "short_body", "encoding", "parts"]
    search_fields = ["phone"]
    readonly_fields = ["phone", "body", "encoding", "parts", "reference", "created_at"]

    @admin.display(description=_("nội dung"))
    def short_body(self, obj):
        return obj.body[:80]

    def has_add_permission(self, request):
        return False

    def has_module_permission(self, request):
        return can_read_messages(request)

    def has_view_permission(self, request, obj=None):
        return can_read_messages(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return can_read_messages(request)
