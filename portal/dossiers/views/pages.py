"""The citizen's pages of a filed dossier: the list, the detail, supplements, withdrawal, file and
document downloads, and the public lookup (server-rendered, Vietnamese, phone-first).

Views only call services (every write) and selectors (every read that needs an access check).
Files are never served from a public URL: the download views check access and stream the file.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.core import ratelimit
from portal.core.errors import DomainError, NotFound
from portal.dossiers import selectors, services
from portal.dossiers.attachments import citizen_file_response
from portal.dossiers.forms import ATTACHMENT_ACCEPT, LookupForm, WithdrawForm
from portal.dossiers.models import Document, State
from portal.dossiers.views.filing import (
    _citizen_required,
    _delete_attachment,
    _get_dossier,
    _upload_error,
)

LOOKUP_LIMIT = 10  # attempts …
LOOKUP_WINDOW = 10 * 60  # … per this many seconds, per client address


@login_required
def my_dossiers(request: HttpRequest) -> HttpResponse:
    _citizen_required(request)
    dossiers = list(
        selectors.dossiers_for_citizen(citizen=request.user).prefetch_related("unit__office_hours")
    )
    now = timezone.now()
    for dossier in dossiers:
        dossier.overdue = dossier.is_overdue(now)
    return render(request, "dossiers/list.html", {"dossiers": dossiers})


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _get_dossier(request, code, full=True)
    return _render_detail(request, dossier)


def _render_detail(request, dossier, *, supplement_errors=None, status=200):
    user = request.user
    for_citizen = dossier.citizen_id == user.pk
    actions = set(services.allowed_actions(dossier=dossier, user=user))
    supplement = (
        selectors.open_supplement_request(dossier=dossier) if "resubmit" in actions else None
    )
    attachments = list(dossier.attachments.all())
    context = {
        "dossier": dossier,
        "timeline": [
            _TimelineRow(entry)
            for entry in selectors.timeline(dossier=dossier, for_citizen=for_citizen)
        ],
        "attachments": attachments,
        "documents": [
            _DocumentRow(d) for d in dossier.documents.all() if d.status != Document.Status.FAILED
        ],
        "can_withdraw": "withdraw" in actions,
        "can_edit": dossier.state == State.DRAFT and for_citizen,
        "supplement": supplement,
        "supplement_items": _supplement_items(supplement),
        "supplement_attachments": [
            a for a in attachments if supplement and a.supplement_request_id == supplement.pk
        ],
        "supplement_errors": supplement_errors or [],
        "overdue": dossier.is_overdue(),
        "accept": ATTACHMENT_ACCEPT,
    }
    return render(request, "dossiers/detail.html", context, status=status)


class _TimelineRow:
    """A history entry for the template (details read safely: no dict-method lookups)."""

    def __init__(self, entry) -> None:
        self.entry = entry
        details = entry.details or {}
        self.requested_items = [i for i in details.get("items", []) if isinstance(i, dict)]
        self.legal_provision = str(details.get("legal_provision", "") or "")

    def __getattr__(self, name):
        return getattr(self.entry, name)


class _DocumentRow:
    """An issued document for the page, named by its own title (a second CT04, after a
    supplement, is the receipt of the supplemented dossier, not a copy of the first)."""

    def __init__(self, document) -> None:
        self.document = document
        title = (document.context or {}).get("title")
        self.title = str(title) if title else document.get_kind_display()

    def __getattr__(self, name):
        return getattr(self.document, name)


def _supplement_items(supplement) -> list[dict]:
    from portal.catalogue.models import RequiredDocument

    if supplement is None:
        return []
    labels = dict(RequiredDocument.CopyKind.choices)
    return [
        {
            **item,
            "copy_kind_label": labels.get(item.get("copy_kind", ""), item.get("copy_kind", "")),
        }
        for item in supplement.items
    ]


@login_required
@require_POST
def supplement(request: HttpRequest, code: str) -> HttpResponse:
    """Upload the items staff asked for and send the dossier back ("Gửi bổ sung")."""
    _citizen_required(request)
    dossier = _get_dossier(request, code)
    user = request.user
    errors = []
    for uploaded in request.FILES.getlist("file_supplement"):
        try:
            services.add_attachment(dossier=dossier, actor=user, uploaded_file=uploaded)
        except DomainError as exc:
            errors.append(_upload_error(uploaded, exc))
    delete_id = request.POST.get("delete_attachment")
    if delete_id:
        errors += _delete_attachment(request, dossier=dossier, attachment_id=delete_id)
    if errors or delete_id or request.POST.get("action") != "resubmit":
        dossier = _get_dossier(request, code, full=True)
        if not errors and not delete_id:
            messages.success(request, _("Đã tải lên giấy tờ bổ sung. Bấm “Gửi bổ sung” khi đã đủ."))
        return _render_detail(request, dossier, supplement_errors=errors)
    try:
        services.resubmit(dossier=dossier, actor=user)
    except DomainError as exc:
        dossier = _get_dossier(request, code, full=True)
        return _render_detail(request, dossier, supplement_errors=[exc.message])
    messages.success(request, _("Đã gửi bổ sung hồ sơ. Thời hạn giải quyết được tính tiếp."))
    return redirect("dossiers:detail", code=dossier.code)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, code: str) -> HttpResponse:
    """Confirmation page and the withdrawal itself (only before reception)."""
    _citizen_required(request)
    dossier = _get_dossier(request, code)
    if "withdraw" not in services.allowed_actions(dossier=dossier, user=request.user):
        if dossier.is_final:  # already withdrawn, refused, stopped or returned
            message = _(
                "Không thể thực hiện thao tác này khi hồ sơ đang ở trạng thái “%(state)s”."
            ) % {"state": dossier.get_state_display()}
        else:
            message = _("Hồ sơ đã được tiếp nhận nên không thể rút trực tuyến.")
        messages.error(request, message)
        return redirect("dossiers:detail", code=dossier.code)
    form = WithdrawForm(request.POST or None, initial={"version": dossier.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw(
                dossier=dossier,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data.get("version"),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("dossiers:detail", code=dossier.code)
        messages.success(request, _("Đã rút hồ sơ %(code)s.") % {"code": dossier.code})
        return redirect("dossiers:detail", code=dossier.code)
    return render(request, "dossiers/withdraw.html", {"dossier": dossier, "form": form})


# --- downloads (access-checked, never a public URL) -----------------------------------------------


@login_required
def attachment_download(request: HttpRequest, code: str, attachment_id: int) -> FileResponse:
    try:
        attachment = selectors.get_attachment_for_user(
            user=request.user, code=code, attachment_id=attachment_id
        )
    except NotFound:
        raise Http404 from None
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    return citizen_file_response(
        handle, content_type=attachment.content_type, filename=attachment.original_name
    )


@login_required
def document_download(request: HttpRequest, code: str, document_id: int) -> HttpResponse:
    """The stored PDF of an issued document; never rendered here (see portal/dossiers/documents.py):
    a document still being made answers 202 "đang tạo" with Retry-After."""
    from portal.dossiers import documents

    try:
        document = selectors.get_document_for_user(
            user=request.user, code=code, document_id=document_id
        )
    except NotFound:
        raise Http404 from None
    if documents.is_pending(document):
        documents.requeue_if_stale(document)
        document.refresh_from_db(fields=["status", "file"])
    if documents.is_pending(document):
        response = render(
            request,
            "dossiers/document_pending.html",
            {"document": document, "retry_after": documents.RETRY_AFTER_SECONDS},
            status=202,
        )
        response["Retry-After"] = str(documents.RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    if not documents.is_ready(document):
        raise Http404
    filename = f"{document.kind}-{document.dossier.code}.pdf"
    try:
        return documents.stored_response(request, document, filename=filename, as_attachment=False)
    except (FileNotFoundError, ValueError):
        raise Http404 from None


# --- public lookup ---------------------------------------------------------------------------------


def _lookup_allowed(request) -> bool:
    """Count an attempt; False once this address made LOOKUP_LIMIT attempts in the window."""
    return ratelimit.hit(
        f"dossiers:lookup:{ratelimit.client_ip(request)}", limit=LOOKUP_LIMIT, window=LOOKUP_WINDOW
    )


@require_http_methods(["GET", "POST"])
def public_lookup(request: HttpRequest) -> HttpResponse:
    """/tra-cuu/: dossier code + personal identification number → state and dates only."""
    result = None
    not_found = False
    limited = False
    status = 200
    if request.method == "POST":
        form = LookupForm(request.POST)
        try:
            allowed = _lookup_allowed(request)
        except ratelimit.RateLimitUnavailable as exc:
            return render(
                request,
                "dossiers/lookup.html",
                {"form": form, "unavailable": exc.message},
                status=503,
            )
        if not allowed:
            limited = True
            status = 429
        elif form.is_valid():
            result = selectors.lookup_public(
                code=form.cleaned_data["code"], personal_id=form.cleaned_data["personal_id"]
            )
            not_found = result is None
    else:
        form = LookupForm(initial={"code": request.GET.get("ma", "")[:40]})
    context = {
        "form": form,
        "result": result,
        "overdue": result.is_overdue() if result else False,
        "not_found": not_found,
        "limited": limited,
        "window_minutes": LOOKUP_WINDOW // 60,
    }
    return render(request, "dossiers/lookup.html", context, status=status)
