"""The citizen's complaint pages, mounted at /phan-anh/ (server-rendered, Vietnamese, phone-first).

A complainant without an account verifies their phone number with an SMS code first; the session
then remembers the verified number for `PHONE_SESSION_MINUTES`, during which they may file and
follow the complaints filed with that number. Views only call services and selectors.
"""

from __future__ import annotations

import time

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from notifications import otp
from notifications.masking import normalise_phone
from portal.core.errors import DomainError, NotFound
from portal.dossiers import selectors as dossier_selectors

from . import selectors, services
from .api import purpose_for, verify_phone_code
from .forms import CodeForm, ComplaintForm, PhoneForm, RatingForm, ReopenForm
from .models import PhoneActor

SESSION_KEY = "complaints:verified_phone"
PENDING_KEY = "complaints:pending_phone"
PHONE_SESSION_MINUTES = 60


def _ip(request) -> str:
    from portal.core.ratelimit import client_ip

    return client_ip(request)


def verified_phone(request) -> str:
    """The phone number this (anonymous) session verified, while it is still fresh."""
    if request.user.is_authenticated:
        return ""
    data = request.session.get(SESSION_KEY) or {}
    if not data or data.get("until", 0) < time.time():
        return ""
    return str(data.get("phone", ""))


def _no_staff(request) -> None:
    if request.user.is_authenticated and not getattr(request.user, "is_citizen", False):
        raise DjangoPermissionDenied(_("Chức năng này dành cho công dân."))


def _actor(request):
    if request.user.is_authenticated:
        return request.user
    phone = verified_phone(request)
    return PhoneActor(phone) if phone else None


def _safe_next(request, default: str) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def complaint_list(request: HttpRequest) -> HttpResponse:
    _no_staff(request)
    phone = verified_phone(request)
    complaints = None
    if request.user.is_authenticated or phone:
        complaints = [
            (c, c.is_overdue())
            for c in selectors.complaint_list(user=request.user, verified_phone=phone)[:200]
        ]
    return render(
        request,
        "complaints/list.html",
        {"complaints": complaints, "verified_phone": phone},
    )


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Anonymous complainants: phone number → SMS code → the session holds the verified number."""
    _no_staff(request)
    if request.user.is_authenticated:
        return redirect("complaints:new")
    next_url = _safe_next(request, reverse("complaints:new"))
    pending = request.session.get(PENDING_KEY, "")
    phone_form, code_form = PhoneForm(), CodeForm()
    status = 200
    if request.method == "POST" and request.POST.get("action") == "send":
        phone_form = PhoneForm(request.POST)
        if phone_form.is_valid():
            number = normalise_phone(phone_form.cleaned_data["phone"])
            if not number:
                phone_form.add_error("phone", _("Số điện thoại không hợp lệ."))
            else:
                try:
                    otp.issue_code(phone=number, purpose=purpose_for(number), ip=_ip(request))
                except otp.RateLimited as exc:
                    phone_form.add_error(None, exc.message)
                    status = 429
                else:
                    request.session[PENDING_KEY] = pending = number
                    messages.info(
                        request, _("Đã gửi mã xác thực tới số %(phone)s.") % {"phone": number}
                    )
    elif request.method == "POST" and request.POST.get("action") == "verify" and pending:
        code_form = CodeForm(request.POST)
        if code_form.is_valid():
            try:
                number, code_id = verify_phone_code(
                    phone=pending, code=code_form.cleaned_data["code"], ip=_ip(request)
                )
                if not otp.use_code(code_id=code_id):
                    raise otp.InvalidCode(_("Mã xác thực không đúng hoặc đã hết hạn."))
            except DomainError as exc:
                code_form.add_error("code", exc.message)
                status = exc.status
            else:
                request.session.cycle_key()
                request.session[SESSION_KEY] = {
                    "phone": number,
                    "until": time.time() + PHONE_SESSION_MINUTES * 60,
                }
                request.session.pop(PENDING_KEY, None)
                messages.success(
                    request, _("Đã xác minh số điện thoại %(phone)s.") % {"phone": number}
                )
                return redirect(next_url)
    context = {
        "phone_form": phone_form,
        "code_form": code_form,
        "pending": pending,
        "next": next_url,
        "minutes": PHONE_SESSION_MINUTES,
    }
    return render(request, "complaints/verify.html", context, status=status)


@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    _no_staff(request)
    actor = _actor(request)
    if actor is None:
        return redirect(f"{reverse('complaints:verify')}?next={request.get_full_path()}")
    dossier = None
    code = (request.GET.get("ho_so") or request.POST.get("ho_so") or "").strip()
    if code and request.user.is_authenticated:
        try:
            dossier = dossier_selectors.get_dossier_for_user(user=request.user, code=code)
        except NotFound:
            raise Http404 from None
    anonymous = not request.user.is_authenticated
    status = 200
    if request.method == "POST":
        form = ComplaintForm(request.POST, request.FILES, dossier=dossier, anonymous=anonymous)
        if form.is_valid():
            data = form.cleaned_data
            try:
                complaint = services.file_complaint(
                    actor=actor,
                    category=data["category"],
                    description=data["description"],
                    unit=data.get("unit"),
                    dossier=dossier,
                    files=data.get("files") or [],
                    name=data.get("name", ""),
                    email=data.get("email", ""),
                )
            except ValidationError as exc:
                for field, errors in getattr(
                    exc, "message_dict", {"__all__": exc.messages}
                ).items():
                    form.add_error(field if field in form.fields else None, errors)
                status = 400
            except DomainError as exc:
                form.add_error("files" if "file" in exc.code else None, exc.message)
                status = 400
            else:
                messages.success(
                    request,
                    _("Đã gửi phản ánh %(code)s. Cấp trên của đơn vị sẽ chỉ đạo giải quyết.")
                    % {"code": complaint.code},
                )
                return redirect("complaints:detail", pk=complaint.pk)
        else:
            status = 400
    else:
        form = ComplaintForm(dossier=dossier, anonymous=anonymous)
    context = {"form": form, "dossier": dossier, "verified_phone": verified_phone(request)}
    return render(request, "complaints/new.html", context, status=status)


def _get(request, pk):
    _no_staff(request)
    try:
        return selectors.get_complaint_for_user(
            user=request.user, pk=pk, verified_phone=verified_phone(request)
        )
    except NotFound:
        raise Http404 from None


def detail(request: HttpRequest, pk: int, *, reopen_form=None, status=200) -> HttpResponse:
    complaint = _get(request, pk)
    actions = services.allowed_actions(complaint=complaint, user=_actor(request))
    context = {
        "complaint": complaint,
        "timeline": selectors.timeline(complaint=complaint, for_citizen=True),
        "can_confirm": "confirm" in actions,
        "can_reopen": "reopen" in actions,
        "reopen_form": reopen_form or ReopenForm(),
        "overdue": complaint.is_overdue(),
    }
    return render(request, "complaints/detail.html", context, status=status)


@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = _get(request, pk)
    try:
        services.confirm(complaint=complaint, actor=_actor(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Cảm ơn Ông/Bà đã xác nhận. Phản ánh đã kết thúc."))
    return redirect("complaints:detail", pk=complaint.pk)


@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = _get(request, pk)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.reopen(
                complaint=complaint, actor=_actor(request), reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            form.add_error("reason", exc.message)
        else:
            messages.success(request, _("Phản ánh đã được mở lại và chuyển cấp trên."))
            return redirect("complaints:detail", pk=complaint.pk)
    return detail(request, pk, reopen_form=form, status=400)


def attachment(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    complaint = _get(request, pk)
    found = next((a for a in complaint.attachments.all() if a.pk == attachment_id), None)
    if found is None or not found.file:
        raise Http404
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle, content_type=found.content_type, filename=found.original_name, as_attachment=False
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def rate(request: HttpRequest, code: str) -> HttpResponse:
    """The rating form on the dossier page posts here; back to the dossier page."""
    _no_staff(request)
    if not request.user.is_authenticated:
        raise Http404
    try:
        dossier = dossier_selectors.get_dossier_for_user(user=request.user, code=code)
    except NotFound:
        raise Http404 from None
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Vui lòng chọn mức độ hài lòng từ 1 đến 5."))
    else:
        try:
            with transaction.atomic():
                services.rate_dossier(
                    dossier=dossier,
                    actor=request.user,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                )
        except (DomainError, ValidationError) as exc:
            messages.error(request, getattr(exc, "message", None) or " ".join(exc.messages))
        else:
            messages.success(request, _("Cảm ơn Ông/Bà đã đánh giá."))
    return redirect(reverse("dossiers:detail", args=[dossier.code]) + "#danh-gia")
