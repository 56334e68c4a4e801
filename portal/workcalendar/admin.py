"""Admin: calendar overrides, and office hours (also as an inline for the police unit admin)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.accounts.admin_mixins import RoleScopedAdmin, is_admin_user, is_staff_officer
from portal.units.selectors import units_visible_to

from .models import CalendarOverride, OfficeHours, Weekday


class OfficeHoursFormSet(forms.BaseInlineFormSet):
    """Refuse overlapping sessions of the same weekday within one unit."""

    def clean(self):
        super().clean()
        by_day: dict[int, list[tuple]] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            weekday, opens, closes = data.get("weekday"), data.get("opens"), data.get("closes")
            if weekday is None or opens is None or closes is None:
                continue
            by_day.setdefault(int(weekday), []).append((opens, closes))
        for sessions in by_day.values():
            sessions.sort()
            for (_opens, first_closes), (second_opens, _closes) in zip(
                sessions, sessions[1:], strict=False
            ):
                if second_opens < first_closes:
                    raise forms.ValidationError(
                        _("Các buổi trong cùng một ngày không được chồng lên nhau.")
                    )


class OfficeHoursInline(admin.TabularInline):
    """Import this in the police unit admin: `inlines = [OfficeHoursInline]`."""

    model = OfficeHours
    formset = OfficeHoursFormSet
    fields = ["weekday", "opens", "closes", "kind"]
    extra = 0
    verbose_name = _("buổi làm việc / tiếp nhận")
    verbose_name_plural = _(
        "Giờ làm việc (để trống: thứ Hai–thứ Sáu 07:30–11:30, 13:30–17:00; "
        "sáng thứ Bảy 07:30–11:30 chỉ tiếp nhận)"
    )

    # Same rule as RoleScopedAdmin: administrators manage, other officers may only look.
    def has_view_permission(self, request, obj=None):
        return is_admin_user(request.user) or is_staff_officer(request.user)

    def has_add_permission(self, request, obj=None):
        return is_admin_user(request.user)

    def has_change_permission(self, request, obj=None):
        return is_admin_user(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_admin_user(request.user)


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(RoleScopedAdmin):
    list_display = ["date", "weekday", "kind", "note"]
    list_filter = ["kind"]
    search_fields = ["note"]
    date_hierarchy = "date"

    @admin.display(description=_("thứ"))
    def weekday(self, obj: CalendarOverride) -> str:
        return str(Weekday(obj.date.weekday()).label)


@admin.register(OfficeHours)
class OfficeHoursAdmin(RoleScopedAdmin):
    list_display = ["unit", "weekday", "opens", "closes", "kind"]
    list_filter = ["kind", "weekday"]
    search_fields = ["unit__name", "unit__code"]
    raw_id_fields = ["unit"]
    list_select_related = ["unit"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(unit__in=units_visible_to(request.user))
