"""The staff back office in the Django admin (Vietnamese): dossier queues, the dossier page and one
small form per decision. Every object view goes through `selectors.get_dossier_for_staff` (a
dossier of another unit is a 404) and every decision through `portal.backoffice.services`."""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, Value, When
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.accounts.access import can_act_for_unit, can_sign_for_unit, is_administrator
from portal.catalogue.models import ServiceLevel
from portal.core import dates
from portal.core.errors import Conflict, DomainError, NotFound
from portal.dossiers import selectors as dossier_selectors
from portal.dossiers import services as engine
from portal.dossiers.attachments import citizen_file_response
from portal.dossiers.models import CLOCK_RUNNING_STATES, Document, Dossier, State

from . import forms, selectors, services
from .models import Apology, ContactLog, RefusalReason, RefusalReview

logger = logging.getLogger(__name__)

# ----------------------------------------------------------------------------------------------
# Decisions offered on the dossier page


ACTION_SPECS: dict[str, tuple[type[forms.ActionForm], str, str]] = {
    # name → (form, title, button)
    "verify": (forms.VerifyForm, _("Kiểm tra giấy tờ"), _("Lưu kết quả kiểm tra")),
    "receive": (forms.ConfirmForm, _("Tiếp nhận hồ sơ"), _("Tiếp nhận, cấp giấy hẹn (CT04)")),
    "request_supplement": (
        forms.SupplementForm,
        _("Yêu cầu bổ sung hồ sơ"),
        _("Gửi yêu cầu bổ sung (CT05)"),
    ),
    "refuse": (forms.RefuseForm, _("Từ chối hồ sơ"), _("Từ chối, ký phiếu CT06")),
    "propose_refusal": (
        forms.RefuseForm,
        _("Đề xuất từ chối hồ sơ"),
        _("Gửi đề xuất từ chối cho lãnh đạo duyệt"),
    ),
    "decide_refusal": (
        forms.DecideRefusalForm,
        _("Duyệt đề xuất từ chối"),
        _("Ghi quyết định"),
    ),
    "assign": (forms.AssignForm, _("Phân công cán bộ xử lý"), _("Phân công")),
    "start_processing": (forms.ConfirmForm, _("Bắt đầu xử lý"), _("Bắt đầu xử lý")),
    "approve": (forms.ConfirmForm, _("Phê duyệt kết quả"), _("Phê duyệt")),
    "contact": (forms.ContactForm, _("Ghi nhật ký liên hệ công dân"), _("Ghi nhật ký")),
    "return_result": (forms.ReturnForm, _("Trả kết quả"), _("Xác nhận đã trả kết quả")),
    "apology": (
        forms.ApologyForm,
        _("Xin lỗi và hẹn lại ngày trả kết quả"),
        _("Lập phiếu xin lỗi và hẹn lại"),
    ),
    "stop": (forms.StopForm, _("Dừng xử lý hồ sơ"), _("Dừng xử lý")),
}
CONTACT_STATES = (State.RECEIVED, State.PROCESSING, State.APPROVED)


def available_actions(*, dossier: Dossier, user) -> list[str]:
    """The staff decisions this user may take on this dossier now (engine rules + back office)."""
    allowed = set(engine.allowed_actions(dossier=dossier, user=user))
    # Refusal (notice §2.1, the head signs the CT06): the unit leader refuses or decides an
    # officer's proposal; other officers of the unit only propose.
    if dossier.state in services.REFUSABLE_STATES and (
        getattr(user, "unit_id", None) == dossier.unit_id and can_act_for_unit(user, dossier.unit)
    ):
        pending = services.pending_refusal_proposal(dossier=dossier)
        if "refuse" in allowed:  # the engine offers it to the unit leader only
            if pending is not None:
                allowed.add("decide_refusal")
        elif pending is None:
            allowed.add("propose_refusal")
    if (
        dossier.state in CONTACT_STATES
        and can_act_for_unit(user, dossier.unit)
        and (getattr(user, "unit_id", None) == dossier.unit_id)
    ):
        allowed.add("contact")
    if (
        dossier.state in services.VERIFY_STATES
        and getattr(user, "unit_id", None) == (dossier.unit_id)
        and can_act_for_unit(user, dossier.unit)
    ):
        allowed.add("verify")
    if (
        dossier.state in services.APOLOGY_STATES
        and dossier.due_at
        and getattr(user, "unit_id", None) == dossier.unit_id
        and can_sign_for_unit(user, dossier.unit)
    ):
        allowed.add("apology")
    return [name for name in ACTION_SPECS if name in allowed]


# ----------------------------------------------------------------------------------------------
# List filters


class QueueFilter(admin.SimpleListFilter):
    title = _("hàng đợi")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [(q.key, q.label) for q in selectors.QUEUES]

    def queryset(self, request, queryset):
        value = self.value()
        if value in selectors.QUEUE_BY_KEY:
            return queryset.filter(selectors.queue_filters(user=request.user)[value])
        return queryset


class LevelFilter(admin.SimpleListFilter):
    title = _("mức độ dịch vụ")
    parameter_name = "level"

    def lookups(self, request, model_admin):
        return [(str(v), label) for v, label in ServiceLevel.choices if v >= 3]

    def queryset(self, request, queryset):
        if self.value() in ("3", "4"):
            return queryset.filter(procedure__level=int(self.value()))
        return queryset


class DueFilter(admin.SimpleListFilter):
    title = _("hạn trả kết quả")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Quá hạn")),
            ("today", _("Hôm nay")),
            ("week", _("Trong 7 ngày tới")),
            ("none", _("Chưa có hạn")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        today_end = timezone.localtime(now).replace(hour=23, minute=59, second=59)
        value = self.value()
        if value == "overdue":
            return queryset.filter(state__in=CLOCK_RUNNING_STATES, due_at__lt=now)
        if value == "today":
            return queryset.filter(due_at__gte=now, due_at__lte=today_end)
        if value == "week":
            return queryset.filter(due_at__gte=now, due_at__lte=now + dt.timedelta(days=7))
        if value == "none":
            return queryset.filter(due_at__isnull=True)
        return queryset


# ----------------------------------------------------------------------------------------------
# The dossier admin


class BackOfficeAccess:
    """Back-office models: any officer with a unit (or an administrator) may look; writes go
    through services, never through the generic admin forms."""

    def has_module_permission(self, request):
        return selectors.can_use_back_office(request.user)

    def has_view_permission(self, request, obj=None):
        return selectors.can_use_back_office(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # A row outside the user's scope (another unit's contact log or refusal) is a 404, like a
    # dossier of another unit — not the admin's "perhaps it was deleted" redirect.
    def _in_scope_or_404(self, request, object_id) -> None:
        from django.contrib.admin.utils import unquote

        try:
            pk = int(unquote(str(object_id)))
        except (TypeError, ValueError):
            raise Http404 from None
        if not self.get_queryset(request).filter(pk=pk).exists():
            raise Http404

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)


if admin.site.is_registered(Dossier):
    admin.site.unregister(Dossier)


@admin.register(Dossier)
class DossierAdmin(BackOfficeAccess, admin.ModelAdmin):
    # Most important first, short headers: the whole row fits 1280 px beside the filters
    # (tests/backoffice/test_browser.py::test_lists_fit_common_screens).
    list_display = (
        "code",
        "state_col",
        "due_col",
        "waited_col",
        "officer_col",
        "applicant_col",
        "procedure_col",
        "submitted_col",
    )
    list_display_links = ("code",)
    list_select_related = ("procedure", "unit", "assigned_to")
    list_filter = (QueueFilter, "procedure", LevelFilter, "state", DueFilter)
    search_fields = ("search_text",)  # the search itself: get_search_results
    search_help_text = _(
        "Tìm theo mã hồ sơ (đủ hoặc một phần), họ tên, địa chỉ (có dấu hoặc không dấu) "
        "hoặc số định danh cá nhân (đủ 12 số)."
    )
    list_per_page = 50
    show_full_result_count = False
    actions = None
    ordering = ("-submitted_at", "-pk")

    # --- scope ---------------------------------------------------------------------------
    def get_queryset(self, request):
        now = timezone.now()
        unit = request.user.unit if getattr(request.user, "unit_id", None) else None
        late = selectors.reception_late_threshold(unit=unit, now=now)
        soon = selectors.due_soon_limit(unit=unit, now=now)
        return selectors.dossiers_for_staff(user=request.user).annotate(
            bo_reception_late=Case(
                When(state=State.SUBMITTED, received_at__lt=late, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            bo_due_soon=Case(
                When(
                    state__in=CLOCK_RUNNING_STATES,
                    due_at__gte=now,
                    due_at__lte=soon,
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )

    def get_search_results(self, request, queryset, search_term):
        """The staff search (selectors.search_dossiers): a full personal number or dossier code
        exactly, anything else accent- and case-insensitively in code, name and address, on
        indexes (usable with 100,000 dossiers in a unit)."""
        return selectors.search_dossiers(queryset, search_term), False

    def get_ordering(self, request):
        queue = selectors.QUEUE_BY_KEY.get(request.GET.get("queue", ""))
        return queue.ordering if queue else self.ordering

    def _dossier(self, request, object_id) -> Dossier:
        try:
            return selectors.get_dossier_for_staff(user=request.user, pk=int(object_id))
        except (NotFound, ValueError, TypeError):
            raise Http404(gettext("Không tìm thấy hồ sơ.")) from None

    def history_view(self, request, object_id, extra_context=None):
        self._dossier(request, object_id)  # another unit's dossier: 404, like every object view
        return super().history_view(request, object_id, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._dossier(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    # --- columns -------------------------------------------------------------------------
    def changelist_view(self, request, extra_context=None):
        # The domain's words, not Django's "Chọn hồ sơ để xem": the queue's name when one is open.
        queue = selectors.QUEUE_BY_KEY.get(request.GET.get("queue", ""))
        title = gettext("Hồ sơ – %(queue)s") % {"queue": queue.label} if queue else gettext("Hồ sơ")
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    @admin.display(description=_("thủ tục"), ordering="procedure__code")
    def procedure_col(self, obj):
        return format_html(
            '{}<br><small class="bo-procedure">{}</small>',
            obj.procedure.code,
            Truncator(obj.procedure.name_vi).chars(40),
        )

    @admin.display(description=_("nộp lúc"), ordering="submitted_at")
    def submitted_col(self, obj):
        return dates.format_datetime(obj.submitted_at, empty="—")

    @admin.display(description=_("cán bộ"), ordering="assigned_to__full_name")
    def officer_col(self, obj):
        return str(obj.assigned_to) if obj.assigned_to_id else "—"

    @admin.display(description=_("người nộp"), ordering="applicant_name")
    def applicant_col(self, obj):
        return format_html("{}<br><small>{}</small>", obj.applicant_name, obj.applicant_personal_id)

    @admin.display(description=_("trạng thái"), ordering="state")
    def state_col(self, obj):
        return obj.get_state_display()

    @admin.display(description=_("hẹn trả"), ordering="due_at")
    def due_col(self, obj):
        if not obj.due_at:
            return "—"
        when = dates.format_datetime(obj.due_at)
        if obj.is_overdue():
            return format_html(
                '<strong class="bo-overdue">{} ⚠ {}</strong>',
                when,
                gettext("Quá hạn"),
            )
        if getattr(obj, "bo_due_soon", False):
            return format_html(
                '<span class="bo-due-soon">{} ⏰ {}</span>',
                when,
                gettext("Sắp đến hạn"),
            )
        return when

    @admin.display(description=_("đã chờ"))
    def waited_col(self, obj):
        if obj.state != State.SUBMITTED or not obj.submitted_at:
            return ""
        label = dates.waited(obj.submitted_at)
        if getattr(obj, "bo_reception_late", False):
            return format_html(
                '<strong class="bo-reception-late">{} ⚠ {}</strong>',
                label,
                gettext("quá phiên tiếp nhận kế tiếp"),
            )
        return label

    # --- URLs ----------------------------------------------------------------------------
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/thao-tac/<slug:action>/",
                wrap(self.action_view),
                name="dossiers_dossier_action",
            ),
            path(
                "<path:object_id>/tep/<int:attachment_id>/",
                wrap(self.attachment_view),
                name="dossiers_dossier_attachment",
            ),
            path(
                "<path:object_id>/van-ban/<int:document_id>/",
                wrap(self.document_view),
                name="dossiers_dossier_document",
            ),
            *super().get_urls(),
        ]

    def _change_url(self, dossier):
        return reverse("admin:dossiers_dossier_change", args=[dossier.pk])

    # --- the dossier page ----------------------------------------------------------------
    def change_view(self, request, object_id, form_url="", extra_context=None):
        dossier = self._dossier(request, object_id)
        dossier = dossier_selectors.dossier_detail(user=request.user, code=dossier.code)
        plugin = engine.display_plugin(dossier.procedure)  # shows a legacy dossier too
        try:
            summary = plugin.summary(dossier=dossier)
        except Exception:  # noqa: BLE001 - a broken plugin must not hide the dossier
            summary = [(gettext("Dữ liệu tờ khai"), str(dossier.form_data))]
        required = {d.key: d for d in dossier.procedure.required_documents.all()}
        attachments = [
            {
                "obj": a,
                "requirement": required.get(a.requirement_key),
                "url": reverse("admin:dossiers_dossier_attachment", args=[dossier.pk, a.pk]),
                "is_image": a.content_type.startswith("image/"),
                "is_pdf": a.content_type == "application/pdf",
            }
            for a in dossier.attachments.all()
        ]
        documents = [
            {"obj": d, "url": reverse("admin:dossiers_dossier_document", args=[dossier.pk, d.pk])}
            for d in dossier.documents.all()
        ]
        actions = [
            {
                "name": name,
                "title": ACTION_SPECS[name][1],
                "url": reverse("admin:dossiers_dossier_action", args=[dossier.pk, name])
                + f"?v={dossier.version}",
            }
            for name in available_actions(dossier=dossier, user=request.user)
        ]
        now = timezone.now()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Hồ sơ %(code)s") % {"code": dossier.code},
            "subtitle": dossier.procedure.name_vi,
            "dossier": dossier,
            "summary": summary,
            "attachments": attachments,
            "documents": documents,
            "timeline": dossier_selectors.timeline(dossier=dossier, for_citizen=False),
            "supplement_requests": list(dossier.supplement_requests.all()),
            "contact_logs": list(
                ContactLog.objects.filter(dossier=dossier).select_related("staff")
            ),
            "apologies": list(Apology.objects.filter(dossier=dossier).select_related("issued_by")),
            "actions": actions,
            "read_only": selectors.is_read_only(request.user),
            "overdue": dossier.is_overdue(now),
            "time_left": dates.duration_label(dossier.due_at - now)
            if dossier.due_at and dossier.due_at > now and dossier.state in CLOCK_RUNNING_STATES
            else "",
            "all_verified": services.mandatory_documents_all_verified(dossier=dossier),
            "refusal_proposal": services.pending_refusal_proposal(dossier=dossier),
            "has_view_permission": True,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "backoffice/dossier_detail.html", context)

    # --- one decision ---------------------------------------------------------------------
    def action_view(self, request, object_id, action):
        dossier = self._dossier(request, object_id)
        if action not in ACTION_SPECS:
            raise Http404
        change_url = self._change_url(dossier)
        if action not in available_actions(dossier=dossier, user=request.user):
            messages.error(
                request,
                gettext("Bạn không thể thực hiện thao tác này với hồ sơ ở trạng thái “%(state)s”.")
                % {"state": dossier.get_state_display()},
            )
            return HttpResponseRedirect(change_url)
        form_class, title, button = ACTION_SPECS[action]
        formset = None
        if request.method == "POST":
            form = form_class(request.POST, dossier=dossier, user=request.user)
            if action == "request_supplement":
                formset = forms.SupplementItemFormSet(request.POST, prefix="items")
            valid = form.is_valid() and (formset is None or formset.is_valid())
            if valid:
                try:
                    done = self._perform(action, dossier, request.user, form, formset)
                except Conflict as exc:
                    messages.error(request, exc.message)
                    return HttpResponseRedirect(change_url)
                except DomainError as exc:
                    self._form_errors(form, exc.details, exc.message)
                except ValidationError as exc:
                    details = exc.message_dict if hasattr(exc, "error_dict") else {}
                    self._form_errors(form, details, " ".join(exc.messages))
                except Exception:  # noqa: BLE001 - e.g. a plugin's approval effect failed
                    if action != "approve":
                        raise
                    logger.exception("Approval of %s failed", dossier.code)
                    messages.error(
                        request,
                        gettext(
                            "Không phê duyệt được: lỗi khi ghi nhận kết quả. Hồ sơ không thay đổi; "
                            "vui lòng báo quản trị hệ thống."
                        ),
                    )
                    return HttpResponseRedirect(change_url)
                else:
                    messages.success(request, done)
                    return HttpResponseRedirect(change_url)
        else:
            # The version of the dossier page the officer saw (?v=): if it changed since, the
            # POST is refused as "changed by someone else" instead of acting on unseen changes.
            seen = request.GET.get("v", "")
            version = int(seen) if seen.isdigit() else dossier.version
            form = form_class(initial={"version": version}, dossier=dossier, user=request.user)
            if action == "request_supplement":
                formset = forms.SupplementItemFormSet(prefix="items")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "subtitle": dossier.code,
            "dossier": dossier,
            "form": form,
            "formset": formset,
            "action": action,
            "button": button,
            "change_url": change_url,
            "level": dossier.procedure.level,
            "no_method": not dossier.result_method,
            "chosen_not_offered": bool(dossier.result_method)
            and dossier.result_method not in services.return_methods(dossier=dossier),
            "has_contact": services.has_successful_contact(dossier=dossier)
            if action == "return_result"
            else False,
            "proposal": services.pending_refusal_proposal(dossier=dossier)
            if action == "decide_refusal"
            else None,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "backoffice/action_form.html", context)

    @staticmethod
    def _form_errors(form, details, message):
        placed = False
        for field, errors in (details or {}).items():
            if field in form.fields:
                msgs = errors if isinstance(errors, list) else [str(errors)]
                form.add_error(field, [str(m) for m in msgs if isinstance(m, str)] or message)
                placed = True
        if not placed:
            form.add_error(None, message)

    def _perform(self, action, dossier, user, form, formset) -> str:
        data = dict(form.cleaned_data, expected_version=form.cleaned_data["version"])
        if formset is not None and hasattr(formset, "items"):
            data["items"] = formset.items
        return services.perform_decision(action=action, dossier=dossier, actor=user, data=data)

    # --- files ---------------------------------------------------------------------------
    def attachment_view(self, request, object_id, attachment_id):
        dossier = self._dossier(request, object_id)
        attachment = dossier.attachments.filter(pk=attachment_id).first()
        if attachment is None or not attachment.file:
            raise Http404
        try:
            handle = attachment.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404 from None
        # Images inline (the <img> preview); PDFs as downloads; sandboxed, never sniffed.
        return citizen_file_response(
            handle,
            content_type=attachment.content_type,
            filename=attachment.original_name,
            inline=True,
        )

    def document_view(self, request, object_id, document_id):
        dossier = self._dossier(request, object_id)
        document = dossier.documents.filter(pk=document_id).first()
        if document is None:
            raise Http404
        if document.status != Document.Status.READY or not document.file:
            document = engine.render_document(document_id=document.pk)
        if document.status != Document.Status.READY:
            messages.error(request, gettext("Chưa tạo được văn bản, vui lòng thử lại sau."))
            return HttpResponseRedirect(self._change_url(dossier))
        response = FileResponse(
            document.file.open("rb"),
            content_type="application/pdf",
            as_attachment=False,
            filename=f"{document.kind}-{dossier.code}.pdf",
        )
        response["Cache-Control"] = "private, no-store"
        return response


# ----------------------------------------------------------------------------------------------
# Managed lists and review


@admin.register(RefusalReason)
class RefusalReasonAdmin(BackOfficeAccess, admin.ModelAdmin):
    list_display = ("title", "legal_provision", "field", "procedure_codes", "is_active", "position")
    list_filter = ("is_active", "field")
    search_fields = ("title", "legal_provision")

    def has_add_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_change_permission(self, request, obj=None):
        return is_administrator(request.user)


@admin.register(RefusalReview)
class RefusalReviewAdmin(BackOfficeAccess, admin.ModelAdmin):
    """The supervisors' list of refusals (the level above reviews every one)."""

    # Most important first, short headers: all seven columns fit 1280 px beside the filters.
    list_display = (
        "dossier",
        "outcome",
        "refused_at_col",
        "unit",
        "reason_col",
        "refused_by",
        "verified_col",
    )
    list_filter = ("outcome", "reason", "all_documents_verified")
    list_select_related = ("dossier", "unit", "reason", "refused_by")
    readonly_fields = (
        "dossier",
        "unit",
        "reason",
        "legal_provision",
        "explanation",
        "refused_by",
        "refused_at",
        "all_documents_verified",
        "reviewed_by",
        "reviewed_at",
    )
    fields = (*readonly_fields, "outcome", "review_note")

    def changelist_view(self, request, extra_context=None):
        title = gettext("Từ chối chờ cấp trên xem xét")
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    @admin.display(description=_("từ chối lúc"), ordering="refused_at")
    def refused_at_col(self, obj):
        return dates.format_datetime(obj.refused_at, empty="—")

    @admin.display(description=_("lý do"), ordering="reason__title")
    def reason_col(self, obj):
        return format_html(
            '{}<br><small class="bo-procedure">{}</small>',
            obj.reason.title,
            obj.legal_provision or obj.reason.legal_provision,
        )

    @admin.display(description=_("đủ giấy tờ"), boolean=True, ordering="all_documents_verified")
    def verified_col(self, obj):
        return obj.all_documents_verified

    def get_queryset(self, request):
        user = request.user
        qs = super().get_queryset(request)
        if is_administrator(user):
            return qs
        if not selectors.can_use_back_office(user):
            return qs.none()
        if user.has_role("supervisor"):
            return qs.filter(unit__path__startswith=user.unit.path)
        return qs.filter(unit_id=user.unit_id)

    def has_change_permission(self, request, obj=None):
        from portal.accounts.access import is_supervisor_of

        if obj is None:
            return is_administrator(request.user) or request.user.has_role("supervisor")
        return is_administrator(request.user) or is_supervisor_of(request.user, obj.unit)

    # --- reopening the refused dossier (the same decision as from a complaint) ---------------
    @staticmethod
    def _may_reopen(user, review) -> bool:
        from portal.accounts.access import is_supervisor_of

        return review.dossier.state == State.REFUSED and (
            is_administrator(user) or is_supervisor_of(user, review.unit)
        )

    def get_list_display(self, request):
        """The last column offers "Mở lại hồ sơ" to whoever may reopen that refused dossier
        (built per request: admin instances are shared between requests)."""
        user = request.user

        @admin.display(description=_("mở lại hồ sơ"))
        def reopen_col(obj):
            if not self._may_reopen(user, obj):
                return ""
            url = reverse("admin:backoffice_refusalreview_reopen", args=[obj.pk])
            return format_html('<a class="button" href="{}">{}</a>', url, gettext("Mở lại hồ sơ"))

        return (*self.list_display, reopen_col)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/mo-lai-ho-so/",
                self.admin_site.admin_view(self.reopen_view),
                name="backoffice_refusalreview_reopen",
            ),
            *super().get_urls(),
        ]

    def reopen_view(self, request, object_id):
        self._in_scope_or_404(request, object_id)
        review = self.get_queryset(request).select_related("dossier", "unit").get(pk=object_id)
        changelist = reverse("admin:backoffice_refusalreview_changelist")
        if not self._may_reopen(request.user, review):
            messages.error(request, gettext("Bạn không thể mở lại hồ sơ này."))
            return HttpResponseRedirect(changelist)
        if request.method == "POST":
            form = forms.ReopenDossierForm(request.POST)
            if form.is_valid():
                try:
                    services.reopen_refused_dossier(
                        review=review,
                        actor=request.user,
                        reason=form.cleaned_data["reason"],
                        target=form.cleaned_data["target"],
                    )
                except DomainError as exc:
                    form.add_error(None, exc.message)
                except ValidationError as exc:
                    form.add_error(None, " ".join(exc.messages))
                else:
                    messages.success(
                        request,
                        gettext("Đã mở lại hồ sơ %(code)s; thời hạn tính lại từ bây giờ.")
                        % {"code": review.dossier.code},
                    )
                    return HttpResponseRedirect(changelist)
        else:
            form = forms.ReopenDossierForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Mở lại hồ sơ"),
            "subject": format_html(
                "{} <strong>{}</strong> – {} – {}",
                gettext("Hồ sơ"),
                review.dossier.code,
                review.unit.name,
                review.reason.title,
            ),
            "form": form,
            "action": "reopen_dossier",
            "button": gettext("Mở lại hồ sơ"),
            "change_url": changelist,
            "changelist_url": changelist,
            "object_label": review.dossier.code,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "complaints/admin_action_form.html", context)

    def save_model(self, request, obj, form, change):
        try:
            services.review_refusal(
                review=obj, actor=request.user, outcome=obj.outcome, note=obj.review_note
            )
        except DomainError as exc:
            messages.error(request, exc.message)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        def clean_review_note(self_form):
            note = self_form.cleaned_data.get("review_note", "")
            try:
                return services.clean_reason(note, field="review_note", label=gettext("Ý kiến"))
            except DomainError as exc:
                raise ValidationError(exc.message) from None

        def clean_outcome(self_form):
            outcome = self_form.cleaned_data.get("outcome")
            if outcome not in (RefusalReview.Outcome.UPHELD, RefusalReview.Outcome.CHALLENGED):
                raise ValidationError(gettext("Chọn kết quả xem xét."))
            return outcome

        form.clean_review_note = clean_review_note
        form.clean_outcome = clean_outcome
        return form


@admin.register(ContactLog)
class ContactLogAdmin(BackOfficeAccess, admin.ModelAdmin):
    list_display = ("dossier", "contacted_at", "channel", "outcome", "staff")
    list_select_related = ("dossier", "staff")
    list_filter = ("channel", "outcome")

    def get_queryset(self, request):
        visible = selectors.dossiers_for_staff(user=request.user).values("pk")
        return super().get_queryset(request).filter(dossier_id__in=visible)


# The second factor and the lockout for the whole admin (see portal.backoffice.otp).
from portal.backoffice import otp as _otp  # noqa: E402

_otp.install()
