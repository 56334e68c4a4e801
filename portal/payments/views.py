"""Citizen payment pages (/thanh-toan/): fee and ways to pay, the sandbox bank, the return page
(shows the outcome only: the IPN or reconciliation alone changes state) and the receipt."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.core.errors import DomainError, NotFound
from portal.core.pdf import qr_data_uri
from portal.dossiers import selectors
from portal.dossiers.models import State
from portal.payments import services, vietqr
from portal.payments.models import ExemptionReason, Payment, PaymentState
from portal.payments.providers import get_provider

logger = logging.getLogger(__name__)


def return_url() -> str:
    """Where the provider sends the browser back (the public address, as in every slip)."""
    from django.conf import settings

    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{reverse('payments:return')}"


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "127.0.0.1"


def _dossier(request, code: str):
    try:
        return selectors.get_dossier_for_user(user=request.user, code=code)
    except NotFound:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _dossier(request, code)
    if request.method == "POST" and request.POST.get("action") == "exemption":
        try:
            services.claim_exemption(
                dossier=dossier,
                actor=request.user,
                reason=request.POST.get("reason", ""),
                details=request.POST.get("details", ""),
                proof_file=request.FILES.get("proof"),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã gửi đề nghị miễn lệ phí; cán bộ sẽ xem xét."))
        return redirect("payments:pay", code=dossier.code)
    if request.method == "POST":
        try:
            _payment, url = services.start_online_payment(
                dossier=dossier,
                actor=request.user,
                client_ip=client_ip(request),
                return_url=return_url(),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("payments:pay", code=dossier.code)
        return redirect(url)
    awaiting = dossier.state == State.AWAITING_PAYMENT
    amount_due = services.amount_due(dossier)
    qr_payload = vietqr.for_dossier(dossier) if awaiting and amount_due else ""
    return render(
        request,
        "payments/pay.html",
        {
            "dossier": dossier,
            "amount_due": amount_due,
            "postage_only": services.postage_only(dossier),
            "awaiting": awaiting,
            "can_pay": awaiting and dossier.citizen_id == request.user.pk,
            "payments": list(dossier.payments.all()),
            "exemptions": list(dossier.fee_exemptions.all()),
            "exemption_pending": any(e.state == "claimed" for e in dossier.fee_exemptions.all()),
            "exemption_reasons": ExemptionReason.choices,
            "exemption_text": dossier.procedure.exemptions,
            "qr_payload": qr_payload,
            "qr_image": qr_data_uri(qr_payload) if qr_payload else "",
            "bank_account": vietqr.account_display(),
            "transfer_note": vietqr.transfer_note(dossier),
        },
    )


@require_http_methods(["GET", "POST"])
def sandbox_bank(request: HttpRequest, txn_ref: str) -> HttpResponse:
    """The sandbox 'bank' (development only): pay, cancel or fail a signed payment request."""
    provider = get_provider()
    if provider.name != "sandbox":
        raise Http404
    params = dict((request.POST if request.method == "POST" else request.GET).items())
    params.pop("csrfmiddlewaretoken", None)
    outcome = params.pop("outcome", "")
    if params.get("vnp_TxnRef") != txn_ref or not provider.verify(params):
        return render(request, "payments/sandbox.html", {"invalid": True}, status=400)
    if request.method == "POST" and outcome in services.SANDBOX_OUTCOMES:
        return redirect(services.sandbox_respond(params=params, outcome=outcome))
    return render(
        request,
        "payments/sandbox.html",
        {
            "params": params,
            "amount": int(params["vnp_Amount"]) // 100,
            "order_info": params.get("vnp_OrderInfo", ""),
        },
    )


def payment_return(request: HttpRequest) -> HttpResponse:
    """Where the provider sends the browser back: shows the outcome, changes nothing."""
    params = dict(request.GET.items())
    provider = get_provider()
    valid = provider.verify(params)
    payment = None
    if valid:
        payment = (
            Payment.objects.select_related("dossier")
            .filter(txn_ref=params.get("vnp_TxnRef"))
            .first()
        )
    code = params.get("vnp_ResponseCode", "")
    return render(
        request,
        "payments/return.html",
        {
            "valid": valid,
            "payment": payment,
            "bank_says_success": valid and code == "00",
            "cancelled": valid and code == "24",
            "confirmed": payment is not None and payment.state == PaymentState.SUCCEEDED,
        },
        status=200 if valid else 400,
    )


@login_required
def receipt_download(request: HttpRequest, txn_ref: str) -> FileResponse:
    payment = Payment.objects.filter(txn_ref=txn_ref, state=PaymentState.SUCCEEDED).first()
    if payment is None:
        raise Http404
    _dossier(request, payment.dossier.code)  # who may see the dossier may see its receipt
    if not payment.receipt:
        payment = services.render_receipt(payment_id=payment.pk)
    try:
        handle = payment.receipt.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    return FileResponse(
        handle, filename=f"bien-lai-{payment.txn_ref}.pdf", content_type="application/pdf"
    )
