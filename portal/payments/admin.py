"""Payments in the admin: unit-scoped (what the officer may see of dossiers), refund_due flagged,
staff confirm VietQR transfers and counter payments through the services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from portal.core.errors import DomainError
from portal.dossiers.selectors import visible_dossiers
from portal.payments import services
from portal.payments.models import ExemptionState, FeeExemption, Payment, PaymentState


class NeedsRefundFilter(admin.SimpleListFilter):
    title = _("cần xử lý")
    parameter_name = "can_xu_ly"

    def lookups(self, request, model_admin):
        return [("hoan-tien", _("Thanh toán trùng – cần hoàn tiền"))]

    def queryset(self, request, queryset):
        if self.value() == "hoan-tien":
            return queryset.filter(state=PaymentState.REFUND_DUE)
        return queryset


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = (
        "txn_ref",
        "dossier",
        "method",
        "amount",
        "state",
        "created_at",
        "paid_at",
        "flag",
    )
    list_filter = (NeedsRefundFilter, "state", "method", "provider")
    search_fields = ("txn_ref", "dossier__code", "provider_txn_no")
    list_select_related = ("dossier",)
    readonly_fields = [f.name for f in Payment._meta.fields]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.filter(dossier__in=visible_dossiers(user=request.user))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("cảnh báo"))
    def flag(self, obj):
        if obj.state == PaymentState.REFUND_DUE:
            return _("⚠ Thanh toán trùng: cần hoàn tiền")
        return ""


def _run(modeladmin, request, queryset, fn, done):
    count = 0
    for dossier in queryset:
        try:
            fn(dossier)
            count += 1
        except DomainError as exc:
            modeladmin.message_user(request, f"{dossier.code}: {exc.message}", messages.ERROR)
    if count:
        modeladmin.message_user(request, done % {"n": count}, messages.SUCCESS)


@admin.action(description=_("Xác nhận đã nhận chuyển khoản (VietQR) lệ phí"))
def confirm_transfer(modeladmin, request, queryset):
    """On dossiers (portal.dossiers.admin): staff matched the transfer on the bank statement."""
    _run(
        modeladmin,
        request,
        queryset,
        lambda d: services.confirm_bank_transfer(
            dossier=d, actor=request.user, amount=d.fee_amount
        ),
        _("Đã xác nhận chuyển khoản cho %(n)s hồ sơ."),
    )


@admin.action(description=_("Ghi nhận nộp lệ phí tại cơ quan"))
def record_counter(modeladmin, request, queryset):
    _run(
        modeladmin,
        request,
        queryset,
        lambda d: services.record_counter_payment(dossier=d, actor=request.user),
        _("Đã ghi nhận nộp lệ phí cho %(n)s hồ sơ."),
    )


@admin.register(FeeExemption)
class FeeExemptionAdmin(admin.ModelAdmin):
    """Staff review exemption claims of their unit: accept (action), or type the reason for
    rejecting and save (the service records it; the citizen then pays)."""

    list_display = ("dossier", "reason", "state", "claimed_at", "reviewed_by")
    list_filter = ("state", "reason")
    search_fields = ("dossier__code",)
    list_select_related = ("dossier", "reviewed_by")
    fields = ("dossier", "reason", "details", "proof", "state", "claimed_at", "rejection_reason")
    actions = ["accept_claims"]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["dossier", "reason", "details", "proof", "state", "claimed_at"]
        if obj is not None and obj.state != ExemptionState.CLAIMED:
            readonly.append("rejection_reason")
        return readonly

    def get_queryset(self, request):
        return super().get_queryset(request).filter(dossier__in=visible_dossiers(user=request.user))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if "rejection_reason" in form.changed_data and obj.rejection_reason.strip():
            try:
                services.review_exemption(
                    exemption=obj,
                    actor=request.user,
                    accept=False,
                    rejection_reason=obj.rejection_reason,
                )
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)

    @admin.action(description=_("Chấp nhận miễn lệ phí"))
    def accept_claims(self, request, queryset):
        count = 0
        for item in queryset.select_related("dossier"):
            try:
                services.review_exemption(exemption=item, actor=request.user, accept=True)
                count += 1
            except DomainError as exc:
                self.message_user(request, f"{item.dossier.code}: {exc.message}", messages.ERROR)
        if count:
            self.message_user(
                request,
                _("Đã chấp nhận %(n)s đề nghị miễn lệ phí.") % {"n": count},
                messages.SUCCESS,
            )
