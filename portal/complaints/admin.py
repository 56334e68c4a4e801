"""Complaints in the back office (Django admin, Vietnamese).

- Supervisors see the complaints about every unit of their subtree, officers those about their
  own unit; a complaint outside that scope is a 404. Repeat complaints are highlighted.
- The complaint page shows the facts, the files, the history and the decisions this user may
  take now; each decision is a small form that demands the required text (like the dossier
  decision forms) and calls ONE service.
- Satisfaction ratings of the dossiers in scope, the low ones (≤ 2) first, beside their dossier.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.backoffice.admin import BackOfficeAccess
from portal.core.errors import Conflict, DomainError, NotFound

from . import forms, selectors, services
from .models import LOW_SCORE, Complaint, ComplaintState, SatisfactionRating

ACTION_SPECS = {
    # name → (form, title, button)
    "direct": (forms.DirectForm, _("Chỉ đạo đơn vị giải quyết"), _("Gửi chỉ đạo")),
    "contact": (forms.ContactForm, _("Ghi nhận đã liên hệ công dân"), _("Ghi nhận liên hệ")),
    "resolve": (forms.ResolveForm, _("Ghi kết quả giải quyết"), _("Xác nhận đã giải quyết")),
    "close": (forms.CloseForm, _("Xác nhận kết thúc phản ánh"), _("Kết thúc phản ánh")),
    "escalate": (forms.EscalateForm, _("Chuyển lên cấp trên"), _("Chuyển cấp trên")),
    "reopen_dossier": (forms.ReopenDossierForm, _("Mở lại hồ sơ"), _("Mở lại hồ sơ")),
}
SERVICE_OF = {
    "direct": services.direct,
    "contact": services.contact,
    "resolve": services.resolve,
    "close": services.close,
    "escalate": services.escalate,
    "reopen_dossier": services.reopen_dossier,
}
MEDIA_CSS = {"all": ("css/complaints_admin.css",)}


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y") if moment else "—"


class RepeatFilter(admin.SimpleListFilter):
    title = _("phản ánh lặp lại")
    parameter_name = "lap_lai"

    def lookups(self, request, model_admin):
        return [("1", _("Chỉ phản ánh lặp lại"))]

    def queryset(self, request, queryset):
        return queryset.filter(is_repeat=True) if self.value() == "1" else queryset


class OverdueFilter(admin.SimpleListFilter):
    title = _("hạn xử lý")
    parameter_name = "qua_han"

    def lookups(self, request, model_admin):
        return [("1", _("Quá hạn"))]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.exclude(state=ComplaintState.CLOSED).filter(
                step_due_at__lt=timezone.now()
            )
        return queryset


@admin.register(Complaint)
class ComplaintAdmin(BackOfficeAccess, admin.ModelAdmin):
    list_display = (
        "code_col",
        "repeat_col",
        "category",
        "unit",
        "handling_unit",
        "state",
        "created_at",
        "due_col",
    )
    list_display_links = ("code_col",)
    list_filter = ("state", RepeatFilter, OverdueFilter, "category")
    list_per_page = 50
    show_full_result_count = False
    actions = None
    ordering = ("-is_repeat", "-created_at", "-pk")

    class Media:
        css = MEDIA_CSS

    def get_queryset(self, request):
        return selectors.visible_complaints(user=request.user).select_related(
            "unit", "handling_unit", "dossier"
        )

    def _complaint(self, request, object_id) -> Complaint:
        try:
            return selectors.get_complaint_for_user(user=request.user, pk=object_id)
        except NotFound:
            raise Http404(gettext("Không tìm thấy phản ánh.")) from None

    @admin.display(description=_("mã"), ordering="pk")
    def code_col(self, obj):
        return obj.code

    @admin.display(description=_("lặp lại"), ordering="is_repeat")
    def repeat_col(self, obj):
        if obj.is_repeat:
            return format_html('<strong class="pa-repeat">⚠ {}</strong>', gettext("Lặp lại"))
        return ""

    @admin.display(description=_("hạn bước hiện tại"), ordering="step_due_at")
    def due_col(self, obj):
        if not obj.is_open or not obj.step_due_at:
            return "—"
        if obj.is_overdue():
            return format_html(
                '<strong class="pa-overdue">{} ⚠ {}</strong>',
                _when(obj.step_due_at),
                gettext("Quá hạn"),
            )
        return _when(obj.step_due_at)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/thao-tac/<slug:action>/",
                wrap(self.action_view),
                name="complaints_complaint_action",
            ),
            path(
                "<path:object_id>/tep/<int:attachment_id>/",
                wrap(self.attachment_view),
                name="complaints_complaint_attachment",
            ),
            *super().get_urls(),
        ]

    def _change_url(self, complaint):
        return reverse("admin:complaints_complaint_change", args=[complaint.pk])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        complaint = self._complaint(request, object_id)
        actions = [
            {
                "name": name,
                "title": ACTION_SPECS[name][1],
                "url": reverse("admin:complaints_complaint_action", args=[complaint.pk, name])
                + f"?v={complaint.version}",
            }
            for name in services.allowed_actions(complaint=complaint, user=request.user)
            if name in ACTION_SPECS
        ]
        dossier_url = ""
        if complaint.dossier_id:
            dossier_url = reverse("admin:dossiers_dossier_change", args=[complaint.dossier_id])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Phản ánh %(code)s") % {"code": complaint.code},
            "complaint": complaint,
            "dossier_url": dossier_url,
            "timeline": selectors.timeline(complaint=complaint, for_citizen=False),
            "actions": actions,
            "overdue": complaint.is_overdue(),
            "has_view_permission": True,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "complaints/admin_detail.html", context)

    def history_view(self, request, object_id, extra_context=None):
        self._complaint(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._complaint(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def action_view(self, request, object_id, action):
        complaint = self._complaint(request, object_id)
        if action not in ACTION_SPECS:
            raise Http404
        change_url = self._change_url(complaint)
        if action not in services.allowed_actions(complaint=complaint, user=request.user):
            messages.error(
                request,
                gettext(
                    "Bạn không thể thực hiện thao tác này với phản ánh ở trạng thái “%(state)s”."
                )
                % {"state": complaint.get_state_display()},
            )
            return HttpResponseRedirect(change_url)
        form_class, title, button = ACTION_SPECS[action]
        if request.method == "POST":
            form = form_class(request.POST, complaint=complaint, user=request.user)
            if form.is_valid():
                try:
                    SERVICE_OF[action](
                        complaint=complaint, actor=request.user, **form.service_data()
                    )
                except Conflict as exc:
                    messages.error(request, exc.message)
                    return HttpResponseRedirect(change_url)
                except DomainError as exc:
                    _form_errors(form, exc.details, exc.message)
                except ValidationError as exc:
                    details = exc.message_dict if hasattr(exc, "error_dict") else {}
                    _form_errors(form, details, " ".join(exc.messages))
                else:
                    messages.success(request, gettext("Đã ghi nhận: %(what)s.") % {"what": title})
                    return HttpResponseRedirect(change_url)
        else:
            seen = request.GET.get("v", "")
            version = int(seen) if seen.isdigit() else complaint.version
            form = form_class(initial={"version": version}, complaint=complaint, user=request.user)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "subject": format_html(
                "{} {} – {} – <em>{}</em>",
                gettext("Phản ánh"),
                complaint.code,
                complaint.unit.name,
                complaint.get_state_display(),
            ),
            "form": form,
            "action": action,
            "button": button,
            "change_url": change_url,
            "changelist_url": reverse("admin:complaints_complaint_changelist"),
            "object_label": complaint.code,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "complaints/admin_action_form.html", context)

    def attachment_view(self, request, object_id, attachment_id):
        complaint = self._complaint(request, object_id)
        found = next((a for a in complaint.attachments.all() if a.pk == attachment_id), None)
        if found is None or not found.file:
            raise Http404
        response = FileResponse(
            found.file.open("rb"),
            content_type=found.content_type,
            as_attachment=False,
            filename=found.original_name,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


def _form_errors(form, details, message):
    placed = False
    for field, errors in (details or {}).items():
        if field in form.fields:
            msgs = errors if isinstance(errors, list) else [str(errors)]
            form.add_error(field, [str(m) for m in msgs] or message)
            placed = True
    if not placed:
        form.add_error(None, message)


class LowRatingFilter(admin.SimpleListFilter):
    title = _("mức độ hài lòng")
    parameter_name = "thap"

    def lookups(self, request, model_admin):
        return [("1", _("Không hài lòng (≤ 2)"))]

    def queryset(self, request, queryset):
        return queryset.filter(score__lte=LOW_SCORE) if self.value() == "1" else queryset


@admin.register(SatisfactionRating)
class SatisfactionRatingAdmin(BackOfficeAccess, admin.ModelAdmin):
    list_display = ("dossier_col", "unit_col", "score_col", "comment", "created_at")
    list_filter = (LowRatingFilter, "score")
    list_per_page = 50
    show_full_result_count = False
    actions = None
    ordering = ("score", "-created_at")

    class Media:
        css = MEDIA_CSS

    def get_queryset(self, request):
        return selectors.visible_ratings(user=request.user)

    @admin.display(description=_("hồ sơ"), ordering="dossier__code")
    def dossier_col(self, obj):
        url = reverse("admin:dossiers_dossier_change", args=[obj.dossier_id])
        return format_html('<a href="{}">{}</a>', url, obj.dossier.code)

    @admin.display(description=_("đơn vị"))
    def unit_col(self, obj):
        return obj.dossier.unit.name

    @admin.display(description=_("điểm"), ordering="score")
    def score_col(self, obj):
        if obj.is_low:
            return format_html('<strong class="pa-low">{}/5 ⚠</strong>', obj.score)
        return f"{obj.score}/5"
