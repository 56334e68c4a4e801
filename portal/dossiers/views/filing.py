"""Filing a dossier on the citizen's pages: start, edit, the form and its uploads (server-rendered,
Vietnamese, phone-first).

Views only call services (every write) and selectors (every read that needs an access check).
Files are never served from a public URL: the download views check access and stream the file.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.catalogue.models import Procedure
from portal.core.errors import DomainError, NotFound
from portal.dossiers import selectors, services
from portal.dossiers.attachments import sanitize_filename
from portal.dossiers.formfields import prepare_item_lists
from portal.dossiers.forms import ATTACHMENT_ACCEPT, FilingForm
from portal.dossiers.models import Dossier, State
from portal.dossiers.registry import ProcedurePlugin, registry

logger = logging.getLogger(__name__)

PLUGIN_PREFIX = "f"
OTHER_KEY = ""  # requirement_key of "other documents"


# --- helpers ----------------------------------------------------------------------------------


def _citizen_required(request: HttpRequest) -> None:
    if not getattr(request.user, "is_citizen", False):
        raise DjangoPermissionDenied(_("Chức năng này dành cho công dân."))


def _phone_verification_redirect(request: HttpRequest, back: str) -> HttpResponse | None:
    """Every notice about a dossier goes by SMS: a citizen whose phone is not verified yet is
    sent to verify it first, and comes back here afterwards."""
    user = request.user
    if user.phone and user.phone_verified_at:
        return None
    messages.info(
        request,
        _(
            "Trước khi nộp hồ sơ, vui lòng xác minh số điện thoại: mọi thông báo về hồ sơ "
            "được gửi qua SMS tới số này. Sau khi xác minh, bạn sẽ quay lại trang nộp hồ sơ."
        ),
    )
    return redirect(f"{reverse('notifications:verify-phone')}?{urlencode({'next': back})}")


def plugin_for(procedure: Procedure) -> ProcedurePlugin | None:
    """The registered plugin; None means the procedure is not filed online (not-online page)."""
    return registry.get(procedure.code)


def _not_online(request, procedure: Procedure, unit=None) -> HttpResponse:
    """Where and how to file a procedure whose online part is not built (level 1–2 or no plugin)."""
    if unit is None:
        area = request.user.current_area or request.user.permanent_area
        unit = services.unit_for(procedure=procedure, area=area) if area else None
    context = {"procedure": procedure, "unit": unit, "estimate": _estimate(procedure, unit)}
    return render(request, "dossiers/not_online.html", context, status=200)


def _file_field_name(key: str) -> str:
    return f"file_{key}" if key else "file_other"


def _estimate(procedure: Procedure, unit) -> dict | None:
    """Expected reception and result moments if the dossier were submitted now."""
    if unit is None:
        return None
    from portal.workcalendar.services import estimate

    try:
        result = estimate(procedure=procedure, submitted_at=timezone.now(), unit=unit)
    except DomainError as exc:  # e.g. the unit has not declared its office hours
        logger.warning("No estimate for %s at %s: %s", procedure.code, unit, exc)
        return None
    return {"received_at": result.received_at, "due_at": result.due_at}


def _unit_for_area(area):
    from portal.units.selectors import unit_for_area

    return unit_for_area(area)


def _raw_plugin_data(form) -> dict:
    """What the citizen typed in the plugin's form, keyed by field name (no prefix)."""
    return {name: form[name].value() for name in form.fields}


def _plugin_errors(exc: ValidationError) -> dict[str, list[str]]:
    """A plugin's ValidationError → {field name or None: [messages]}."""
    if hasattr(exc, "error_dict"):
        return {
            name if name != "__all__" else None: [str(m) for m in ValidationError(errors).messages]
            for name, errors in exc.error_dict.items()
        }
    return {None: [str(m) for m in exc.messages]}


def _display_form(plugin, data, *, errors: dict[str, list[str]] | None, validate: bool = False):
    """The plugin's form as shown again: what was typed, with the errors that matter now.

    When saving a draft, an incomplete form is fine: no "required" noise. When submitting, the
    form's own validation and the service's messages are both shown (without duplicates).
    """
    if validate:
        form = plugin.form_class(data, prefix=PLUGIN_PREFIX)
        form.is_valid()
    else:
        bound = plugin.form_class(data, prefix=PLUGIN_PREFIX)
        form = plugin.form_class(initial=_raw_plugin_data(bound), prefix=PLUGIN_PREFIX)
        form.errors  # noqa: B018 - an unbound form gets an empty error dict to add to
        form.cleaned_data = {}  # add_error() reads it
    for name, messages_ in (errors or {}).items():
        target = name if name in form.fields else None
        already = form.errors.get(target or "__all__", [])
        for message in messages_:
            if message not in already:
                form.add_error(target, message)
    return form


@dataclass
class RequirementRow:
    key: str
    name: str
    mandatory: bool
    copy_kind: str = ""
    quantity: int = 1
    note: str = ""
    attachments: list = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def field_name(self) -> str:
        return _file_field_name(self.key)


def _requirement_rows(
    *, procedure, plugin, dossier, attachments, upload_errors
) -> list[RequirementRow]:
    probe = dossier or Dossier(procedure=procedure)
    mandatory_keys = {d.key for d in plugin.required_documents(dossier=probe)}
    rows = [
        RequirementRow(
            key=doc.key,
            name=doc.name,
            mandatory=doc.key in mandatory_keys,
            copy_kind=doc.get_copy_kind_display(),
            quantity=doc.quantity,
            note=doc.note,
        )
        for doc in procedure.required_documents.all()
    ]
    known = {row.key for row in rows}
    # Mandatory documents a plugin adds beyond the catalogue's list.
    for doc in plugin.required_documents(dossier=probe):
        if doc.key not in known:
            rows.append(RequirementRow(key=doc.key, name=doc.name, mandatory=True))
            known.add(doc.key)
    other = RequirementRow(key=OTHER_KEY, name=_("Giấy tờ khác (nếu có)"), mandatory=False)
    by_key = {row.key: row for row in rows}
    for attachment in attachments:
        by_key.get(attachment.requirement_key, other).attachments.append(attachment)
    for key, errors in upload_errors.items():
        by_key.get(key, other).errors.extend(errors)
    return [*rows, other]


# --- filing: new dossier and draft --------------------------------------------------------------


def _get_dossier(request, code: str, *, full: bool = False) -> Dossier:
    """The dossier if this user may see it (a miss is 404, never 403). `full` prefetches what the
    dossier page shows (attachments, documents, history, supplement requests)."""
    try:
        if full:
            return selectors.dossier_detail(user=request.user, code=code)
        return selectors.get_dossier_for_user(user=request.user, code=code)
    except NotFound:
        raise Http404 from None


def _default_area(user, queryset):
    for area_id in (user.current_area_id, user.permanent_area_id):
        if area_id and queryset.filter(pk=area_id).exists():
            return area_id
    return None


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, procedure_code: str) -> HttpResponse:
    """/ho-so/nop/<procedure code>/: the filing page for a new dossier."""
    _citizen_required(request)
    procedure = get_object_or_404(
        Procedure.objects.prefetch_related("required_documents"),
        code=procedure_code,
        is_published=True,
    )
    plugin = plugin_for(procedure)
    if not procedure.allows_online_submission or plugin is None:
        return _not_online(request, procedure)
    user = request.user
    if request.method == "GET" and (
        leave := _phone_verification_redirect(request, request.get_full_path())
    ):
        return leave

    if request.method == "GET":
        filing = FilingForm(procedure=procedure)
        filing.fields["area"].initial = _default_area(user, filing.fields["area"].queryset)
        if "result_address" in filing.fields:
            filing.fields["result_address"].initial = user.current_address or user.permanent_address
        plugin_form = plugin.form_class(initial=plugin.initial(citizen=user), prefix=PLUGIN_PREFIX)
        unit = _unit_for_area(filing.fields["area"].initial)
        return _render_filing(
            request,
            procedure=procedure,
            plugin=plugin,
            dossier=None,
            filing=filing,
            plugin_form=plugin_form,
            unit=unit,
        )

    filing = FilingForm(request.POST, procedure=procedure)
    filing.is_valid()
    area = filing.cleaned_data.get("area")
    submitting = request.POST.get("action") == "submit"
    raw = _raw_plugin_data(plugin.form_class(request.POST, prefix=PLUGIN_PREFIX))
    limit_errors = services.draft_limit_errors(procedure, raw)
    if area is None or limit_errors:
        # No draft can be kept yet: say everything that is wrong at once (on "Nộp hồ sơ": every
        # missing field and every mandatory document too), not one problem per pass.
        if request.FILES:
            messages.error(
                request,
                _("Chưa lưu được tệp đính kèm vì tờ khai còn lỗi. Vui lòng chọn lại tệp.")
                if area
                else _(
                    "Chưa lưu được tệp đính kèm vì chưa chọn xã / phường. Vui lòng chọn lại tệp."
                ),
            )
        missing = []
        if submitting:
            probe = Dossier(procedure=procedure)
            missing = [str(d.name) for d in plugin.required_documents(dossier=probe)]
        return _render_filing(
            request,
            procedure=procedure,
            plugin=plugin,
            dossier=None,
            filing=filing,
            plugin_form=_display_form(
                plugin, request.POST, errors=limit_errors, validate=submitting
            ),
            unit=_unit_for_area(area) if area else None,
            missing=missing,
        )
    try:
        # The draft keeps the data as typed, even if incomplete; it is validated at submission.
        dossier = services.create_draft(citizen=user, procedure=procedure, area=area, form_data=raw)
    except DomainError as exc:
        filing.add_error("area", exc.message)
        return _render_filing(
            request,
            procedure=procedure,
            plugin=plugin,
            dossier=None,
            filing=filing,
            plugin_form=_display_form(plugin, request.POST, errors=None),
            unit=None,
        )
    return _process_filing_post(request, dossier=dossier, procedure=procedure, plugin=plugin)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, code: str) -> HttpResponse:
    """/ho-so/<code>/sua/: resume a draft."""
    _citizen_required(request)
    dossier = _get_dossier(request, code)
    if dossier.state != State.DRAFT:
        return redirect("dossiers:detail", code=dossier.code)
    procedure = dossier.procedure
    plugin = plugin_for(procedure)
    if plugin is None:  # a draft of a procedure whose online part is gone: say where to file
        return _not_online(request, procedure, dossier.unit)
    if request.method == "POST":
        return _process_filing_post(request, dossier=dossier, procedure=procedure, plugin=plugin)
    if leave := _phone_verification_redirect(request, request.get_full_path()):
        return leave
    initial = {"result_address": dossier.result_address}
    if dossier.result_method:
        initial["result_method"] = dossier.result_method
    filing = FilingForm(procedure=procedure, area_locked=True, initial=initial)
    initial = dossier.form_data or plugin.initial(citizen=request.user)
    plugin_form = plugin.form_class(initial=initial, prefix=PLUGIN_PREFIX)
    return _render_filing(
        request,
        procedure=procedure,
        plugin=plugin,
        dossier=dossier,
        filing=filing,
        plugin_form=plugin_form,
        unit=dossier.unit,
    )


def _process_filing_post(request, *, dossier: Dossier, procedure, plugin) -> HttpResponse:
    """Save what was typed, store every acceptable file, delete the one asked, then submit if
    asked. Every refusal is shown next to its field and nothing accepted is lost."""
    user = request.user
    action = request.POST.get("action", "save")
    filing = FilingForm(request.POST, procedure=procedure, area_locked=True)
    filing.is_valid()
    raw = _raw_plugin_data(plugin.form_class(request.POST, prefix=PLUGIN_PREFIX))
    plugin_errors: dict = {}
    validate_plugin_form = action == "submit"

    # 1. What was typed: kept on the draft (the service decides what it accepts).
    try:
        dossier = services.update_draft(
            dossier=dossier,
            actor=user,
            form_data=raw,
            result_method=filing.cleaned_data.get("result_method") or None,
            result_address=filing.cleaned_data.get("result_address") or "",
            validate=action == "submit",  # a draft keeps an incomplete form as typed
        )
    except ValidationError as exc:
        plugin_errors = _plugin_errors(exc)
        _move_engine_errors(plugin_errors, filing)
        if not filing.errors:  # keep at least the result method and address
            with contextlib.suppress(ValidationError):
                dossier = services.update_draft(
                    dossier=dossier,
                    actor=user,
                    result_method=filing.cleaned_data.get("result_method") or None,
                    result_address=filing.cleaned_data.get("result_address") or "",
                )
    except DomainError as exc:
        if exc.code != "no_receiving_unit":  # e.g. no longer a draft
            messages.error(request, exc.message)
            return redirect("dossiers:detail", code=dossier.code)
        # The address's commune has no receiving unit: shown on the form, what was typed kept.
        plugin_errors = {None: [exc.message]}

    # 2. Deleting an earlier upload (its own button inside the same form); "Thêm dòng" of a list
    # (`add_row`) saves like "Lưu nháp" and shows the form again with one more row.
    add_row = request.POST.get("add_row")
    delete_id = request.POST.get("delete_attachment")
    if delete_id:
        _delete_attachment(request, dossier=dossier, attachment_id=delete_id)

    # 3. New files, each checked on its own.
    upload_errors = _store_uploads(
        request, dossier=dossier, keys=_upload_keys(procedure, plugin, dossier)
    )

    has_errors = bool(plugin_errors or upload_errors or filing.errors)
    missing: list[str] = []

    # 4. Submit when asked and nothing above went wrong.
    if action == "submit" and not has_errors and not delete_id:
        try:
            dossier = services.submit(dossier=dossier, actor=user)
        except ValidationError as exc:
            plugin_errors = _plugin_errors(exc)
            _move_engine_errors(plugin_errors, filing)
            has_errors = True
        except DomainError as exc:
            if exc.code == "missing_documents":
                missing = [str(m) for m in exc.details.get("missing", [])]
            elif exc.code == "invalid_form":
                plugin_errors = {
                    (k if k != "__all__" else None): [str(m) for m in v]
                    for k, v in exc.details.items()
                    if isinstance(v, list | tuple)
                }
                _move_engine_errors(plugin_errors, filing)
                has_errors = True
            elif exc.code == "phone_not_verified":  # the draft is saved: verify, then come back
                back = reverse("dossiers:edit", kwargs={"code": dossier.code})
                return _phone_verification_redirect(request, back)
            else:
                messages.error(request, exc.message)
        else:
            if dossier.state == State.AWAITING_PAYMENT and not dossier.fee_amount:
                message = _(
                    "Đã nộp hồ sơ %(code)s. Vui lòng thanh toán cước bưu chính trả kết quả trực "
                    "tuyến để hồ sơ được tiếp nhận."
                )
            elif dossier.state == State.AWAITING_PAYMENT:
                message = _(
                    "Đã nộp hồ sơ %(code)s. Vui lòng nộp lệ phí trực tuyến để hồ sơ được tiếp nhận."
                )
            elif dossier.is_recorded_at_once:  # e.g. thông báo lưu trú: no staff step
                message = _("Đã ghi nhận thông báo %(code)s. Không cần thực hiện thêm thủ tục nào.")
            elif dossier.postal_fee:  # no payment provider: the postage is paid on delivery
                message = _(
                    "Đã nộp hồ sơ %(code)s. Cơ quan tiếp nhận sẽ xử lý theo quy định. Cước bưu "
                    "chính trả kết quả nộp khi nhận kết quả (cho nhân viên bưu chính hoặc tại cơ "
                    "quan)."
                )
            else:
                message = _("Đã nộp hồ sơ %(code)s. Cơ quan tiếp nhận sẽ xử lý theo quy định.")
            messages.success(request, message % {"code": dossier.code})
            return redirect("dossiers:detail", code=dossier.code)
    elif action != "submit" and not has_errors and not delete_id and not add_row:
        messages.success(
            request,
            _("Đã lưu nháp hồ sơ %(code)s. Bạn có thể tiếp tục từ mục “Hồ sơ của tôi”.")
            % {"code": dossier.code},
        )
        return redirect("dossiers:edit", code=dossier.code)

    if action == "submit" and has_errors and not delete_id and not missing:
        # Every problem at once: the mandatory documents still missing as well as the form's errors.
        missing = [str(d.name) for d in services.missing_documents(dossier=dossier)]
    if has_errors:
        messages.error(request, _("Hồ sơ chưa được nộp. Vui lòng xem các lỗi bên dưới."))
    dossier = services_refresh(dossier)
    plugin_form = _display_form(
        plugin, request.POST, errors=plugin_errors, validate=validate_plugin_form
    )
    return _render_filing(
        request,
        procedure=procedure,
        plugin=plugin,
        dossier=dossier,
        filing=filing,
        plugin_form=plugin_form,
        unit=dossier.unit,
        upload_errors=upload_errors,
        missing=missing,
    )


def _move_engine_errors(errors: dict, filing: FilingForm) -> None:
    """Errors about the engine's own fields (result method/address) go on the filing form."""
    for name in ("result_method", "result_address"):
        for message in errors.pop(name, []):
            if name in filing.fields and message not in filing.errors.get(name, []):
                filing.add_error(name, message)


def services_refresh(dossier: Dossier) -> Dossier:
    """Forget prefetched attachments so the page lists what is stored now."""
    cache_ = getattr(dossier, "_prefetched_objects_cache", None)
    if cache_:
        cache_.pop("attachments", None)
    return dossier


def _delete_attachment(request, *, dossier, attachment_id) -> list[str]:
    try:
        attachment = selectors.get_attachment_for_user(
            user=request.user, code=dossier.code, attachment_id=int(attachment_id)
        )
    except (ValueError, NotFound):
        raise Http404 from None
    try:
        services.delete_attachment(attachment=attachment, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return [exc.message]
    messages.success(request, _("Đã xóa tệp “%(name)s”.") % {"name": attachment.original_name})
    return []


def _upload_keys(procedure, plugin, dossier) -> list[str]:
    keys = [doc.key for doc in procedure.required_documents.all()]
    for doc in plugin.required_documents(dossier=dossier):
        if doc.key not in keys:
            keys.append(doc.key)
    return [*keys, OTHER_KEY]


def _upload_error(uploaded, exc: DomainError) -> str:
    """A refused file's message, naming the file once (most messages already name it)."""
    name = sanitize_filename(uploaded.name or "")
    if f"“{name}”" in exc.message:
        return exc.message
    return _("Tệp “%(name)s”: %(message)s") % {"name": name, "message": exc.message}


def _store_uploads(request, *, dossier, keys, supplement=False) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for key in keys:
        for uploaded in request.FILES.getlist(_file_field_name(key)):
            try:
                services.add_attachment(
                    dossier=dossier, actor=request.user, uploaded_file=uploaded, requirement_key=key
                )
            except DomainError as exc:
                errors.setdefault(key, []).append(_upload_error(uploaded, exc))
    return errors


def _render_filing(
    request,
    *,
    procedure,
    plugin,
    dossier,
    filing,
    plugin_form,
    unit,
    upload_errors=None,
    missing=None,
    status=200,
) -> HttpResponse:
    if request.method == "POST":  # lists keep their rows (and get one more on "Thêm dòng")
        prepare_item_lists(plugin_form, request.POST, add_row=request.POST.get("add_row"))
    attachments = list(dossier.attachments.all()) if dossier else []
    rows = _requirement_rows(
        procedure=procedure,
        plugin=plugin,
        dossier=dossier,
        attachments=attachments,
        upload_errors=upload_errors or {},
    )
    context = {
        "procedure": procedure,
        "dossier": dossier,
        "filing": filing,
        "plugin_form": plugin_form,
        "requirements": rows,
        "estimate": _estimate(procedure, unit),
        "unit": unit,
        "missing": missing or [],
        "accept": ATTACHMENT_ACCEPT,
        "max_bytes": settings.ATTACHMENT_MAX_BYTES,
        "total_max_bytes": settings.DOSSIER_ATTACHMENTS_MAX_BYTES,
        "form_action": reverse("dossiers:edit", kwargs={"code": dossier.code})
        if dossier
        else reverse("dossiers:start", kwargs={"procedure_code": procedure.code}),
    }
    return render(request, "dossiers/file.html", context, status=status)


# --- my dossiers and the dossier page -----------------------------------------------------------
