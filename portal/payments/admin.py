"""Payments in the admin: unit-scoped (what the officer may see of dossiers), refund_due flagged,
staff confirm VietQR transfers and counter payments through the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from portal.core.errors import DomainError
from portal.dossiers.selectors import visible_dossiers
from portal.payments import services
from portal.payments.models import ExemptionState, FeeExemption, Payment, PaymentState


def _officer(request) -> bool:
    from portal.backoffice.selectors import can_use_back_office

    return can_use_back_office(request.user)


class _OfficerAccess:
    """Any officer with a unit (or an administrator) may look; rows are their scope's."""

    def has_module_permission(self, request):
        return _officer(request)

    def has_view_permission(self, request, obj=None):
        return _officer(request)


class RecordPaymentForm(forms.Form):
    code = forms.CharField(label=_("Mã hồ sơ"), max_length=40)
    kind = forms.ChoiceField(
        label=_("Hình thức"),
        choices=[
            ("transfer", _("Xác nhận đã nhận chuyển khoản (VietQR)")),
            ("counter", _("Nộp tại cơ quan")),
        ],
    )
    amount = forms.IntegerField(label=_("Số tiền (đồng)"), min_value=1)
    bank_ref = forms.CharField(label=_("Mã giao dịch trên sao kê"), max_length=40, required=False)


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
class PaymentAdmin(_OfficerAccess, admin.ModelAdmin):
    change_list_template = "admin/payments/payment/change_list.html"

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

    def get_urls(self):
        extra = [
            path(
                "ghi-nhan/",
                self.admin_site.admin_view(self.record_view),
                name="payments_payment_record",
            )
        ]
        return extra + super().get_urls()

    def record_view(self, request):
        """Staff record money received outside the gateway: a VietQR transfer matched on the
        bank statement (same confirmation as online) or the fee paid at the counter (level 3)."""
        form = RecordPaymentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            dossier = (
                visible_dossiers(user=request.user).filter(code=form.cleaned_data["code"]).first()
            )
            if dossier is None:
                form.add_error("code", _("Không tìm thấy hồ sơ trong phạm vi đơn vị của bạn."))
            else:
                try:
                    if form.cleaned_data["kind"] == "transfer":
                        payment = services.confirm_bank_transfer(
                            dossier=dossier,
                            actor=request.user,
                            amount=form.cleaned_data["amount"],
                            bank_ref=form.cleaned_data["bank_ref"],
                        )
                    else:
                        payment = services.record_counter_payment(
                            dossier=dossier, actor=request.user, amount=form.cleaned_data["amount"]
                        )
                except DomainError as exc:
                    form.add_error(None, exc.message)
                else:
                    self.message_user(
                        request,
                        _("Đã ghi nhận khoản thu %(txn)s cho hồ sơ %(code)s.")
                        % {"txn": payment.txn_ref, "code": dossier.code},
                        messages.SUCCESS,
                    )
                    return redirect("admin:payments_payment_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Xác nhận đã nhận chuyển khoản / nộp tại cơ quan"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/payments/record.html", context)

    @admin.display(description=_("cảnh báo"))
    def flag(self, obj):
        if obj.state == PaymentState.REFUND_DUE:
            return _("⚠ Thanh toán trùng: cần hoàn tiền")
        return ""


@admin.register(FeeExemption)
class FeeExemptionAdmin(_OfficerAccess, admin.ModelAdmin):
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

    def has_change_permission(self, request, obj=None):
        return _officer(request)

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
