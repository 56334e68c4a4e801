"""Payment services: every write about a payment goes through here.

The provider's server-to-server notification (IPN) or reconciliation alone changes a payment
online; the browser's return only shows the outcome. A success is applied to the dossier (engine
`confirm_payment`) in the same transaction, under the dossier lock; money received for a dossier
that no longer waits for payment is marked refund_due for staff, never applied twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core import dispatch
from portal.core.errors import Conflict, DomainError, PermissionDenied
from portal.dossiers.models import Dossier, State
from portal.payments.models import Payment, PaymentMethod, PaymentState, SandboxCharge
from portal.payments.providers import VN_TZ, Notice, get_provider, vn_time

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IpnAnswer:
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"RspCode": self.code, "Message": self.message}


CONFIRMED = IpnAnswer("00", "Confirm Success")
ORDER_NOT_FOUND = IpnAnswer("01", "Order not found")
ALREADY_CONFIRMED = IpnAnswer("02", "Order already confirmed")
INVALID_AMOUNT = IpnAnswer("04", "Invalid amount")
INVALID_SIGNATURE = IpnAnswer("97", "Invalid signature")
UNKNOWN_ERROR = IpnAnswer("99", "Unknown error")

OPEN_STATES = (PaymentState.PENDING, PaymentState.EXPIRED)


def amount_due(dossier) -> int:
    """What the citizen pays online: the fee frozen at submission plus, when the result goes by
    post, the postal fee frozen then too (Decision 45/2016/QĐ-TTg: paid with the fee at level 4)."""
    return int(dossier.fee_amount or 0) + int(getattr(dossier, "postal_fee", 0) or 0)


def amount_parts(amount: int, dossier) -> tuple[int, int]:
    """(fee, postage) of an amount paid for a dossier, for the receipt and the pages: the postage
    is part of it when the amount is the fee plus the postage frozen at submission (a free
    procedure's payment is the postage alone); any other amount is the fee."""
    fee = int(dossier.fee_amount or 0)
    postage = int(getattr(dossier, "postal_fee", 0) or 0)
    if postage and int(amount) == fee + postage:
        return fee, postage
    return int(amount), 0


def postage_only(dossier) -> bool:
    """What is paid online is the postage of a result by post alone (a free procedure)."""
    return not dossier.fee_amount and bool(getattr(dossier, "postal_fee", 0))


def new_txn_ref() -> str:
    """Unique, alphanumeric, ≤ 40 characters (VNPay vnp_TxnRef)."""
    return f"{timezone.now().astimezone(VN_TZ):%y%m%d%H%M%S}{secrets.token_hex(4).upper()}"


def _lock_dossier(dossier_id: int) -> Dossier:
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure")
        .get(pk=dossier_id)
    )


def _schedule_receipt(payment: Payment) -> None:
    payment_id = payment.pk

    def _go() -> None:
        try:
            dispatch.send("portal.payments.tasks.render_receipt_task", args=[payment_id])
        except Exception:  # noqa: BLE001 - broker down: the download view renders on demand
            logger.exception("Could not queue the receipt of payment %s", payment_id)

    transaction.on_commit(_go)


# --- citizen: start an online payment ----------------------------------------------------------


@transaction.atomic
def start_online_payment(
    *, dossier: Dossier, actor, client_ip: str, return_url: str
) -> tuple[Payment, str]:
    """A new payment attempt (retry allowed after failure/cancel/abandon) and the provider URL."""
    locked = _lock_dossier(dossier.pk)
    if locked.citizen_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Bạn không có quyền thanh toán cho hồ sơ này."))
    if locked.state != State.AWAITING_PAYMENT:
        raise Conflict(
            _("Hồ sơ không ở trạng thái chờ thanh toán lệ phí."),
            code="not_awaiting_payment",
            details={"state": locked.state},
        )
    if amount_due(locked) <= 0:
        raise DomainError(_("Hồ sơ không có lệ phí phải nộp."), code="no_fee")
    provider = get_provider()
    now = timezone.now()
    payment = Payment.objects.create(
        dossier=locked,
        provider=provider.name,
        txn_ref=new_txn_ref(),
        amount=amount_due(locked),
        client_ip=client_ip or None,
        created_at=now,
        expires_at=now + dt.timedelta(minutes=settings.PAYMENT_EXPIRE_MINUTES),
    )
    return payment, provider.create_payment_url(payment, client_ip, return_url)


# --- provider notices (IPN and reconciliation) -------------------------------------------------


def _pay_time(pay_date: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(pay_date, "%Y%m%d%H%M%S").replace(tzinfo=VN_TZ)
    except ValueError:
        return timezone.now()


def _apply(payment: Payment, notice: Notice, *, raw: dict) -> None:
    """Apply a verified notice to a locked open payment (inside a transaction)."""
    payment.raw_ipn = raw
    payment.response_code = notice.response_code
    payment.provider_txn_no = notice.transaction_no
    payment.bank_code = notice.bank_code
    if notice.succeeded:
        _settle(payment, paid_at=_pay_time(notice.pay_date))
    elif payment.state == PaymentState.EXPIRED:
        payment.save()  # a late failure notice for a payment already given up: keep it expired
    elif notice.cancelled:
        payment.cancel()
        payment.save()
    else:
        payment.fail()
        payment.save()


def _settle(payment: Payment, *, paid_at: dt.datetime, actor=None) -> None:
    """Money was received: confirm the dossier's fee once; a second payment is flagged."""
    from portal.dossiers.services import confirm_payment

    dossier = _lock_dossier(payment.dossier_id)
    payment.paid_at = paid_at
    if dossier.state == State.AWAITING_PAYMENT and payment.amount >= amount_due(dossier):
        payment.succeed()
        payment.save()
        confirm_payment(dossier=dossier, actor=None, paid_at=paid_at)
        _schedule_receipt(payment)
    else:
        payment.flag_refund()
        payment.note = _(
            "Hồ sơ không còn chờ thanh toán (đã nộp lệ phí hoặc đã rút): khoản này cần hoàn trả."
        )
        payment.save()
        logger.warning("Payment %s received for %s, refund due", payment.txn_ref, dossier.code)


def handle_ipn(*, params: dict) -> IpnAnswer:
    """VNPay's IPN (also what the sandbox sends): signature, merchant, order, amount, state."""
    provider = get_provider()
    try:
        if not provider.verify(params):
            return INVALID_SIGNATURE
        try:
            notice = provider.parse(params)
        except ValueError:
            return INVALID_AMOUNT
        if notice.tmn_code != provider.tmn_code:
            return ORDER_NOT_FOUND  # not an order of this merchant
        with transaction.atomic():
            payment = (
                Payment.objects.select_for_update()
                .filter(txn_ref=notice.txn_ref, provider=provider.name)
                .first()
            )
            if payment is None:
                return ORDER_NOT_FOUND
            if int(params.get("vnp_Amount")) != payment.amount * 100:
                return INVALID_AMOUNT
            if payment.state not in OPEN_STATES:
                return ALREADY_CONFIRMED
            _apply(payment, notice, raw={k: str(v) for k, v in params.items()})
        return CONFIRMED
    except Exception:  # noqa: BLE001 - VNPay must always get its JSON answer
        logger.exception("IPN failed")
        return UNKNOWN_ERROR


def reconcile(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Ask the provider about online payments pending too long (a lost IPN never strands a paid
    dossier). Returns how many payments changed."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=settings.PAYMENT_RECONCILE_AFTER_MINUTES)
    give_up = now - dt.timedelta(hours=settings.PAYMENT_GIVE_UP_HOURS)
    changed = 0
    candidates = list(
        Payment.objects.filter(
            method=PaymentMethod.ONLINE, state=PaymentState.PENDING, created_at__lte=cutoff
        ).order_by("created_at")[:limit]
    )
    for candidate in candidates:
        try:
            notice = get_provider(candidate.provider).query_status(candidate)
        except Exception:  # noqa: BLE001 - one provider failure must not stop the sweep
            logger.exception("Query failed for payment %s", candidate.txn_ref)
            notice = None
        with transaction.atomic():
            payment = Payment.objects.select_for_update().get(pk=candidate.pk)
            if payment.state != PaymentState.PENDING:
                continue
            payment.last_checked_at = now
            valid = (
                notice is not None
                and notice.txn_ref == payment.txn_ref
                and notice.amount == payment.amount
            )
            # "01": the provider has not finished the transaction yet: ask again later
            if valid and notice.transaction_status not in ("", "01"):
                _apply(
                    payment, notice, raw={"source": "query", "response_code": notice.response_code}
                )
                changed += 1
            elif payment.created_at <= give_up:
                payment.expire()
                payment.save()
                changed += 1
            else:
                payment.save(update_fields=["last_checked_at"])
    return changed


# --- staff: bank transfer (VietQR) and counter payment -------------------------------------------


def _staff_dossier(dossier: Dossier, actor) -> Dossier:
    from portal.dossiers.selectors import visible_dossiers

    if not getattr(actor, "is_officer", False) and not getattr(actor, "is_superuser", False):
        raise PermissionDenied(_("Chỉ cán bộ được xác nhận khoản thu."))
    if not visible_dossiers(user=actor).filter(pk=dossier.pk).exists():
        raise PermissionDenied(_("Hồ sơ không thuộc đơn vị của bạn."))
    return _lock_dossier(dossier.pk)


@transaction.atomic
def confirm_bank_transfer(
    *,
    dossier: Dossier,
    actor,
    amount: int,
    bank_ref: str = "",
    method: str = PaymentMethod.BANK_TRANSFER,
) -> Payment:
    """Staff saw the VietQR transfer on the bank statement (or took the fee at the counter for
    a dossier waiting for it): the same confirmation as online."""
    locked = _staff_dossier(dossier, actor)
    if amount != amount_due(locked):
        raise DomainError(
            _("Số tiền chuyển khoản (%(got)s đ) khác lệ phí của hồ sơ (%(fee)s đ).")
            % {"got": f"{amount:,}", "fee": f"{amount_due(locked):,}"},
            code="invalid_amount",
        )
    payment = Payment.objects.create(
        dossier=locked,
        method=method,
        provider="vietqr" if method == PaymentMethod.BANK_TRANSFER else "counter",
        txn_ref=new_txn_ref(),
        amount=amount,
        provider_txn_no=bank_ref[:40],
        recorded_by=actor,
    )
    _settle(payment, paid_at=timezone.now())
    return payment


@transaction.atomic
def record_counter_payment(*, dossier: Dossier, actor, amount: int | None = None) -> Payment:
    """Level 3: the fee paid at the office counter, recorded by staff (with a receipt)."""
    locked = _staff_dossier(dossier, actor)
    if locked.state == State.AWAITING_PAYMENT:
        return confirm_bank_transfer(
            dossier=locked,
            actor=actor,
            amount=amount or amount_due(locked),
            method=PaymentMethod.COUNTER,
        )
    if locked.paid_at is not None or locked.payments.filter(state=PaymentState.SUCCEEDED).exists():
        raise Conflict(_("Lệ phí của hồ sơ này đã được ghi nhận."), code="already_paid")
    if amount_due(locked) <= 0:
        raise DomainError(_("Hồ sơ không có lệ phí phải nộp."), code="no_fee")
    now = timezone.now()
    payment = Payment.objects.create(
        dossier=locked,
        method=PaymentMethod.COUNTER,
        provider="counter",
        txn_ref=new_txn_ref(),
        amount=amount or amount_due(locked),
        recorded_by=actor,
        paid_at=now,
    )
    payment.succeed()
    payment.save()
    Dossier.objects.filter(pk=locked.pk).update(paid_at=now)
    _schedule_receipt(payment)
    return payment


# --- sandbox "bank" ---------------------------------------------------------------------------

SANDBOX_OUTCOMES = {"pay": "00", "cancel": "24", "fail": "51"}


def sandbox_respond(*, params: dict, outcome: str, deliver_ipn: bool = True) -> str:
    """The sandbox bank's answer to a signed payment request: remember the charge, send the
    signed IPN through the real endpoint's code, and return the browser's return URL."""
    from django.test import RequestFactory

    from portal.payments.api import vnpay_ipn

    provider = get_provider("sandbox")
    if not provider.verify(params):
        raise DomainError(
            _("Yêu cầu thanh toán không hợp lệ (sai chữ ký)."), code="invalid_signature"
        )
    code = SANDBOX_OUTCOMES[outcome]
    txn_ref = params["vnp_TxnRef"]
    charge, _created = SandboxCharge.objects.get_or_create(
        txn_ref=txn_ref,
        defaults={
            "amount": int(params["vnp_Amount"]) // 100,
            "response_code": code,
            "transaction_no": f"{secrets.randbelow(10**8):08d}",
            "pay_date": vn_time(timezone.now()),
        },
    )
    result = {
        "vnp_TmnCode": provider.tmn_code,
        "vnp_Amount": params["vnp_Amount"],
        "vnp_BankCode": charge.bank_code,
        "vnp_BankTranNo": f"VNP{charge.transaction_no}",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": params.get("vnp_OrderInfo", ""),
        "vnp_PayDate": charge.pay_date,
        "vnp_ResponseCode": charge.response_code,
        "vnp_TransactionNo": charge.transaction_no,
        "vnp_TransactionStatus": "00" if charge.response_code == "00" else "02",
        "vnp_TxnRef": txn_ref,
    }
    query = provider.signed_query(result)
    if deliver_ipn:
        request = RequestFactory().get(f"/api/v1/payments/vnpay/ipn/?{query}")
        response = vnpay_ipn(request)
        logger.info("Sandbox IPN for %s answered %s", txn_ref, getattr(response, "data", None))
    return f"{params['vnp_ReturnUrl']}?{query}"


# --- receipt (biên lai) --------------------------------------------------------------------------


def render_receipt(*, payment_id: int) -> Payment:
    """Render the receipt PDF once and store it (idempotent: a stored receipt is kept)."""
    from django.core.files.base import ContentFile

    from portal.core.pdf import render_pdf

    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update()
            .select_related("dossier", "dossier__unit", "dossier__procedure")
            .get(pk=payment_id)
        )
        if payment.receipt or payment.state != PaymentState.SUCCEEDED:
            return payment
        dossier = payment.dossier
        fee_part, postage_part = amount_parts(payment.amount, dossier)
        pdf = render_pdf(
            "pdf/payments/receipt.html",
            {
                "payment": payment,
                "fee_part": fee_part,
                "postage_part": postage_part,
                "dossier": dossier,
                "unit": dossier.unit,
                "procedure": dossier.procedure,
                "paid_at": timezone.localtime(payment.paid_at) if payment.paid_at else None,
            },
        )
        payment.receipt.save(f"{payment.txn_ref}.pdf", ContentFile(pdf), save=False)
        Payment.objects.filter(pk=payment.pk).update(receipt=payment.receipt.name)
        return payment


# --- fee exemption (miễn lệ phí) -----------------------------------------------------------------


@transaction.atomic
def claim_exemption(*, dossier: Dossier, actor, reason: str, details: str, proof_file):
    """The citizen claims an exemption before paying, with a proof (checked like any upload)."""
    from django.core.files.base import ContentFile

    from portal.core.text import nfc
    from portal.dossiers import attachments as attachment_checks
    from portal.dossiers.models import Attachment
    from portal.payments.models import ExemptionReason, ExemptionState, FeeExemption

    locked = _lock_dossier(dossier.pk)
    if locked.citizen_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Bạn không có quyền đề nghị miễn lệ phí cho hồ sơ này."))
    if locked.state != State.AWAITING_PAYMENT:
        raise Conflict(
            _("Chỉ đề nghị miễn lệ phí khi hồ sơ đang chờ thanh toán."), code="not_awaiting_payment"
        )
    if not locked.fee_amount:
        raise DomainError(
            _(
                "Hồ sơ không có lệ phí để đề nghị miễn: khoản phải nộp là cước bưu chính trả kết "
                "quả, không thuộc diện miễn lệ phí."
            ),
            code="no_fee",
        )
    if reason not in ExemptionReason.values:
        raise DomainError(
            _("Vui lòng chọn đối tượng được miễn lệ phí."),
            code="invalid_form",
            details={"reason": [_("Vui lòng chọn đối tượng được miễn lệ phí.")]},
        )
    if locked.fee_exemptions.filter(state=ExemptionState.CLAIMED).exists():
        raise Conflict(_("Đề nghị miễn lệ phí đang chờ cán bộ xem xét."), code="exemption_pending")
    if proof_file is None:
        raise DomainError(
            _("Vui lòng đính kèm giấy tờ chứng minh thuộc đối tượng được miễn."),
            code="invalid_form",
            details={"proof": [_("Vui lòng đính kèm giấy tờ chứng minh.")]},
        )
    existing = list(locked.attachments.values_list("size", flat=True))
    checked = attachment_checks.check_file(
        proof_file, existing_count=len(existing), existing_bytes=sum(existing)
    )
    attachment = Attachment(
        dossier=locked,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    attachment.file.save(checked.stored_name, ContentFile(checked.content), save=False)
    path, storage = attachment.file.name, attachment.file.storage
    try:
        attachment.save()
    except Exception:
        storage.delete(path)
        raise
    return FeeExemption.objects.create(
        dossier=locked, reason=reason, details=nfc(details or "")[:300], proof=attachment
    )


@transaction.atomic
def review_exemption(*, exemption, actor, accept: bool, rejection_reason: str = ""):
    """Staff of the dossier's unit accept (fee waived, the dossier proceeds as if paid) or
    reject with a specific reason (the citizen then pays)."""
    from portal.core.text import nfc
    from portal.dossiers.services import confirm_payment
    from portal.payments.models import FeeExemption

    locked_dossier = _staff_dossier(exemption.dossier, actor)
    item = FeeExemption.objects.select_for_update().get(pk=exemption.pk)
    if item.state != "claimed":
        raise Conflict(_("Đề nghị miễn lệ phí này đã được xem xét."), code="already_reviewed")
    item.reviewed_by = actor
    item.reviewed_at = timezone.now()
    if accept:
        if locked_dossier.state != State.AWAITING_PAYMENT:
            raise Conflict(_("Hồ sơ không còn chờ thanh toán."), code="not_awaiting_payment")
        item.accept()
        item.save()
        Dossier.objects.filter(pk=locked_dossier.pk).update(fee_amount=0)
        locked_dossier.fee_amount = 0
        if amount_due(locked_dossier) <= 0:
            confirm_payment(dossier=locked_dossier, actor=None, paid_at=item.reviewed_at)
        # else the postage of a result by post is not a fee: the dossier still waits for it.
    else:
        rejection_reason = nfc(rejection_reason or "").strip()
        if not rejection_reason:
            raise DomainError(
                _("Vui lòng ghi rõ lý do không miễn lệ phí."),
                code="invalid_form",
                details={"rejection_reason": [_("Vui lòng ghi rõ lý do.")]},
            )
        item.reject()
        item.rejection_reason = rejection_reason[:300]
        item.save()
    return item
