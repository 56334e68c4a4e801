"""Admin: the day's appointments of the officer's unit (check in, no-show through the services), and
the slot policy of each unit (administrators manage it, officers look)."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.accounts.admin_mixins import RoleScopedAdmin, is_admin_user, is_staff_officer
from portal.core.errors import DomainError
from portal.units.selectors import units_visible_to
from portal.workcalendar.services import LOCAL_TZ

from . import selectors, services
from .models import Appointment, AppointmentEvent, SlotPolicy


@admin.register(SlotPolicy)
class SlotPolicyAdmin(RoleScopedAdmin):
    list_display = ["unit", "weekday", "slot_minutes", "capacity"]
    list_filter = ["weekday"]
    search_fields = ["unit__name", "unit__code"]
    raw_id_fields = ["unit"]
    list_select_related = ["unit"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(unit__in=units_visible_to(request.user))


class DayFilter(admin.SimpleListFilter):
    """The day shown (default: today, Vietnam time); any YYYY-MM-DD is accepted in `ngay`."""

    title = _("ngày hẹn")
    parameter_name = "ngay"

    def lookups(self, request, model_admin):
        today = timezone.now().astimezone(LOCAL_TZ).date()
        days = [today + dt.timedelta(days=n) for n in range(-1, 8)]
        labels = {
            today - dt.timedelta(days=1): gettext("Hôm qua"),
            today: gettext("Hôm nay"),
            today + dt.timedelta(days=1): gettext("Ngày mai"),
        }
        return [(d.isoformat(), labels.get(d, f"{d:%d/%m/%Y}")) for d in days] + [
            ("tat-ca", gettext("Mọi ngày"))
        ]

    def day(self) -> dt.date | None:
        value = self.value()
        if value == "tat-ca":
            return None
        try:
            return dt.date.fromisoformat(value or "")
        except ValueError:
            return timezone.now().astimezone(LOCAL_TZ).date()

    def choices(self, changelist):
        current = self.day()
        current_value = "tat-ca" if current is None else current.isoformat()
        for lookup, title in self.lookup_choices:
            yield {
                "selected": lookup == current_value,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        day = self.day()
        if day is None:
            return queryset
        start, end = selectors.day_bounds(day)
        return queryset.filter(starts_at__gte=start, starts_at__lt=end)


class AppointmentEventInline(admin.TabularInline):
    model = AppointmentEvent
    fields = ["at", "kind", "starts_at", "previous_starts_at", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return is_admin_user(request.user) or is_staff_officer(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    """The day's list: officers of a unit see their unit, supervisors the subtree, administrators
    all. Nobody edits an appointment here; the actions call the services."""

    list_display = [
        "time",
        "seat_no",
        "citizen_name",
        "personal_id",
        "dossier_code",
        "procedure",
        "state",
        "checked_in_at",
        "unit",
    ]
    list_filter = [DayFilter, "state"]
    search_fields = ["citizen__full_name", "citizen__personal_id", "dossier__code"]
    ordering = ["starts_at", "seat_no"]
    actions = ["check_in_action", "no_show_action"]
    readonly_fields = [
        "unit",
        "dossier",
        "citizen",
        "starts_at",
        "ends_at",
        "seat_no",
        "state",
        "created_at",
        "checked_in_at",
        "checked_in_by",
        "closed_at",
    ]
    fields = readonly_fields
    inlines = [AppointmentEventInline]
    list_per_page = 100

    def has_module_permission(self, request):
        return is_admin_user(request.user) or is_staff_officer(request.user)

    def has_view_permission(self, request, obj=None):
        return is_admin_user(request.user) or is_staff_officer(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return selectors.appointments_visible_to_staff(user=request.user)

    @admin.display(description=_("giờ hẹn"), ordering="starts_at")
    def time(self, obj: Appointment) -> str:
        start = obj.starts_at.astimezone(LOCAL_TZ)
        return f"{start:%H:%M}–{obj.ends_at.astimezone(LOCAL_TZ):%H:%M} {start:%d/%m/%Y}"

    @admin.display(description=_("công dân"), ordering="citizen__full_name")
    def citizen_name(self, obj: Appointment) -> str:
        return obj.citizen.full_name

    @admin.display(description=_("số định danh cá nhân"))
    def personal_id(self, obj: Appointment) -> str:
        return obj.citizen.personal_id or ""

    @admin.display(description=_("mã hồ sơ"), ordering="dossier__code")
    def dossier_code(self, obj: Appointment) -> str:
        return obj.dossier.code if obj.dossier_id else "—"

    @admin.display(description=_("thủ tục"))
    def procedure(self, obj: Appointment) -> str:
        return obj.dossier.procedure.name if obj.dossier_id else "—"

    def _run(self, request, queryset, service, done: str) -> None:
        ok = 0
        for appointment in queryset:
            try:
                service(actor=request.user, appointment=appointment)
            except DomainError as exc:
                self.message_user(
                    request,
                    f"{appointment.citizen.full_name} ({self.time(appointment)}): {exc.message}",
                    messages.ERROR,
                )
            else:
                ok += 1
        if ok:
            self.message_user(request, done % {"count": ok}, messages.SUCCESS)

    @admin.action(description=_("Ghi nhận công dân đã đến"))
    def check_in_action(self, request, queryset):
        self._run(
            request,
            queryset,
            services.check_in,
            gettext("Đã ghi nhận %(count)d công dân đến làm thủ tục."),
        )

    @admin.action(description=_("Ghi nhận công dân không đến"))
    def no_show_action(self, request, queryset):
        self._run(
            request,
            queryset,
            services.mark_no_show,
            gettext("Đã ghi nhận %(count)d lịch hẹn công dân không đến."),
        )
