"""Admin: the postal fee table (administrators edit it) and the shipments (staff of the dossier's
unit, supervisors their subtree, read-only; the simulator can advance one in development)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from portal.accounts.access import is_administrator
from portal.backoffice import selectors
from portal.backoffice.admin import BackOfficeAccess
from portal.postal.models import PostalFeeRate, Shipment, ShipmentEvent
from portal.postal.providers import SimulatorProvider, get_provider, in_process_sender


@admin.register(PostalFeeRate)
class PostalFeeRateAdmin(BackOfficeAccess, admin.ModelAdmin):
    list_display = ("__str__", "valid_from", "valid_to", "area", "amount", "note")
    list_filter = ("valid_from",)
    autocomplete_fields = ()
    raw_id_fields = ("area",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("area")

    def has_add_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_change_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_administrator(request.user)


class ShipmentEventInline(admin.TabularInline):
    model = ShipmentEvent
    extra = 0
    can_delete = False
    fields = ("occurred_at", "state", "description", "location", "received_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Shipment)
class ShipmentAdmin(BackOfficeAccess, admin.ModelAdmin):
    list_display = ("tracking_number", "dossier", "state", "address", "fee", "created_at")
    list_filter = ("state",)
    search_fields = ("tracking_number", "dossier__code")
    list_select_related = ("dossier",)
    inlines = [ShipmentEventInline]
    actions = ["simulate_next_event"]
    readonly_fields = (
        "dossier",
        "provider",
        "tracking_number",
        "state",
        "address",
        "fee",
        "created_at",
        "last_event_at",
    )
    exclude = ("created_by",)

    def get_queryset(self, request):
        visible = selectors.dossiers_for_staff(user=request.user).values("pk")
        return super().get_queryset(request).filter(dossier_id__in=visible)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not (settings.DEBUG and isinstance(get_provider(), SimulatorProvider)):
            actions.pop("simulate_next_event", None)
        return actions

    @admin.action(description=_lazy("Mô phỏng: bưu điện chuyển sang bước tiếp theo"))
    def simulate_next_event(self, request, queryset):
        provider = get_provider()
        if not isinstance(provider, SimulatorProvider):
            return
        for shipment in queryset:
            delivery = provider.advance(shipment, send=in_process_sender())
            if delivery is None:
                self.message_user(
                    request,
                    _("%(code)s đã kết thúc hành trình.") % {"code": shipment.tracking_number},
                    messages.WARNING,
                )
            elif delivery.status != 200:
                self.message_user(request, delivery.body.decode(), messages.ERROR)
            else:
                shipment.refresh_from_db()
                self.message_user(
                    request,
                    _("%(code)s: %(state)s")
                    % {"code": shipment.tracking_number, "state": shipment.get_state_display()},
                )
