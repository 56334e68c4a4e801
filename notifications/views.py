"""Citizen pages: my notices, phone verification, password reset by SMS code."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from notifications import accounts
from notifications.forms import CodeForm, ResetFinishForm, ResetStartForm, SendCodeForm
from notifications.masking import mask_phone
from notifications.selectors import notifications_for
from portal.core.errors import DomainError
from portal.core.ratelimit import client_ip


def _ip(request) -> str:
    """The client address every limit keys on (TRUSTED_PROXY_COUNT; portal.core.ratelimit)."""
    return client_ip(request)


@login_required
def my_notifications(request):
    page = Paginator(notifications_for(user=request.user), 30).get_page(request.GET.get("trang"))
    return render(request, "notifications/list.html", {"page": page})


def after_signup(request, user) -> str:
    """`ACCOUNTS_POST_SIGNUP_REDIRECT`: a new citizen is sent a code to the number they signed up
    with and lands on the verification page (a refused request leaves the "send" form there)."""
    if user.phone:
        try:
            number = accounts.start_phone_verification(user=user, phone=user.phone, ip=_ip(request))
        except DomainError as exc:
            messages.warning(request, exc.message)
        else:
            request.session["verify_phone"] = number
            messages.info(request, _("Đã gửi mã xác thực tới %s.") % mask_phone(number))
    return reverse("notifications:verify-phone")


NEXT_SESSION_KEY = "verify_phone_next"


def _remember_next(request) -> None:
    """`?next=` (a page of this site, e.g. the filing page that asked for verification): where
    the citizen goes back once the number is verified."""
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        request.session[NEXT_SESSION_KEY] = target


@login_required
def verify_phone(request):
    user = request.user
    _remember_next(request)
    send_form = SendCodeForm(initial={"phone": user.phone})
    code_form = CodeForm()
    pending = request.session.get("verify_phone")
    if request.method == "POST" and request.POST.get("action") == "send":
        send_form = SendCodeForm(request.POST)
        if send_form.is_valid():
            try:
                number = accounts.start_phone_verification(
                    user=user, phone=send_form.cleaned_data["phone"], ip=_ip(request)
                )
            except DomainError as exc:
                send_form.add_error("phone", exc.message)
            else:
                request.session["verify_phone"] = number
                messages.info(request, _("Đã gửi mã xác thực tới %s.") % mask_phone(number))
                return redirect("notifications:verify-phone")
    elif request.method == "POST" and request.POST.get("action") == "verify" and pending:
        code_form = CodeForm(request.POST)
        if code_form.is_valid():
            try:
                accounts.confirm_phone(
                    user=user, phone=pending, code=code_form.cleaned_data["code"], ip=_ip(request)
                )
            except DomainError as exc:
                code_form.add_error("code", exc.message)
            else:
                del request.session["verify_phone"]
                messages.success(request, _("Số điện thoại đã được xác minh."))
                back = request.session.pop(NEXT_SESSION_KEY, "")
                return redirect(back or "notifications:verify-phone")
    return render(
        request,
        "notifications/verify_phone.html",
        {
            "send_form": send_form,
            "code_form": code_form,
            "pending": mask_phone(pending) if pending else "",
        },
    )


def password_reset_start(request):
    form = ResetStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.start_password_reset(
                personal_id=form.cleaned_data["personal_id"],
                phone=form.cleaned_data["phone"],
                ip=_ip(request),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            request.session["password_reset"] = {
                "personal_id": form.cleaned_data["personal_id"],
                "phone": form.cleaned_data["phone"],
            }
            return redirect("notifications:password-reset-finish")
    return render(request, "notifications/password_reset_start.html", {"form": form})


def password_reset_finish(request):
    pending = request.session.get("password_reset")
    if not pending:
        return redirect("notifications:password-reset")
    form = ResetFinishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.reset_password(
                personal_id=pending["personal_id"],
                phone=pending["phone"],
                code=form.cleaned_data["code"],
                new_password=form.cleaned_data["new_password1"],
                ip=_ip(request),
            )
        except DomainError as exc:
            form.add_error("code", exc.message)
        except ValidationError as exc:
            form.add_error("new_password1", exc)
        else:
            del request.session["password_reset"]
            messages.success(
                request, _("Đã đặt lại mật khẩu. Vui lòng đăng nhập bằng mật khẩu mới.")
            )
            return redirect("accounts:login")
    return render(
        request,
        "notifications/password_reset_finish.html",
        {"form": form, "phone": mask_phone(pending["phone"])},
    )
