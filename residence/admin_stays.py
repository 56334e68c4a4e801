"""Back office: the stays notified in the unit's area (thông báo lưu trú), read-only.

Registered from residence.apps.ready() (residence/admin.py holds the persons and households).
Scope: an officer sees the stays at addresses in their unit's commune (PoliceUnit.area); a
supervisor those of every unit of their subtree; an administrator all. Another unit's stay is a
404. The list opens on the guests staying now ("Đang lưu trú") and searches by guest name
(accents optional: "nguyen van a") or personal number; its query count does not grow with rows.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.text import fold
from residence.models import Stay
from residence.selectors import visible_stays


def search_stays(queryset: QuerySet[Stay], term: str) -> QuerySet[Stay]:
    """A full personal number exactly; anything else in the folded guest name and number."""
    term = " ".join((term or "").split())
    if not term:
        return queryset
    if term.isdigit() and len(term) == 12:
        return queryset.filter(guest_personal_id=term)
    return queryset.filter(guest_search__contains=fold(term))


class StayStatusFilter(admin.SimpleListFilter):
    title = _("tình trạng")
    parameter_name = "tinh_trang"
    DEFAULT = "current"

    def lookups(self, request, model_admin):
        return [
            ("current", _("Đang lưu trú")),
            ("upcoming", _("Sắp đến")),
            ("ended", _("Đã rời đi")),
            ("all", _("Tất cả")),
        ]

    def value(self):
        return super().value() or self.DEFAULT

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        now = timezone.now()
        value = self.value()
        if value == "current":
            return queryset.filter(starts_at__lte=now, ends_at__gte=now)
        if value == "upcoming":
            return queryset.filter(starts_at__gt=now)
        if value == "ended":
            return queryset.filter(ends_at__lt=now)
        return queryset


class StayAdmin(admin.ModelAdmin):
    list_display = (
        "guest_name",
        "guest_personal_id",
        "guest_date_of_birth",
        "place_col",
        "host_name",
        "starts_at",
        "ends_at",
        "dossier_col",
    )
    list_select_related = ("address__area", "dossier")
    list_filter = (StayStatusFilter,)
    search_fields = ("guest_search",)  # the search itself: get_search_results
    search_help_text = _(
        "Tìm khách theo họ tên (có dấu hoặc không dấu, ví dụ “nguyen van a”) "
        "hoặc số định danh cá nhân (đủ 12 số)."
    )
    ordering = ("-starts_at", "-pk")
    list_per_page = 50
    show_full_result_count = False
    actions = None
    fields = (
        "guest_name",
        "guest_personal_id",
        "guest_date_of_birth",
        "place_col",
        "host_name",
        "starts_at",
        "ends_at",
        "dossier_col",
        "created_at",
    )
    readonly_fields = fields

    # --- read-only, scoped ---------------------------------------------------------------
    def _may_look(self, request) -> bool:
        from portal.backoffice.selectors import can_use_back_office

        return can_use_back_office(request.user)

    def has_module_permission(self, request):
        return self._may_look(request)

    def has_view_permission(self, request, obj=None):
        return self._may_look(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # the registry's one access choke point (residence.selectors)
        return visible_stays(user=request.user).select_related("address__area", "dossier")

    def get_search_results(self, request, queryset, search_term):
        return search_stays(queryset, search_term), False

    def _in_scope_or_404(self, request, object_id) -> None:
        from django.contrib.admin.utils import unquote

        try:
            pk = int(unquote(str(object_id)))
        except (TypeError, ValueError):
            raise Http404 from None
        if not self.get_queryset(request).filter(Q(pk=pk)).exists():
            raise Http404

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        title = _("Lưu trú trên địa bàn")
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    # --- columns -------------------------------------------------------------------------
    @admin.display(description=_("nơi lưu trú"), ordering="address__street_key")
    def place_col(self, obj):
        return f"{obj.address.street}, {obj.address.area.name}"

    @admin.display(description=_("hồ sơ"), ordering="dossier__code")
    def dossier_col(self, obj):
        return obj.dossier.code if obj.dossier_id else "—"


def register(site=None) -> None:
    site = site or admin.site
    if not site.is_registered(Stay):
        site.register(Stay, StayAdmin)
