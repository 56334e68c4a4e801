from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.accounts.admin_mixins import RoleScopedAdmin
from portal.units.models import AdministrativeArea, PoliceUnit
from portal.units.selectors import units_visible_to

try:  # office hours per unit live in the working-calendar app
    from portal.workcalendar.admin import OfficeHoursInline
except ImportError:  # pragma: no cover - the calendar app is optional for this admin
    OfficeHoursInline = None


class ProvinceFilter(admin.SimpleListFilter):
    title = _("tỉnh / thành phố")
    parameter_name = "province"

    def lookups(self, request, model_admin):
        return AdministrativeArea.objects.filter(kind=AdministrativeArea.Kind.PROVINCE).values_list(
            "code", "name"
        )

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(parent__code=self.value())
        return queryset


@admin.register(AdministrativeArea)
class AdministrativeAreaAdmin(RoleScopedAdmin):
    list_display = ["code", "name", "division_type", "kind", "parent"]
    list_filter = ["kind", "division_type", ProvinceFilter]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    raw_id_fields = ["parent"]


@admin.register(PoliceUnit)
class PoliceUnitAdmin(RoleScopedAdmin):
    list_display = ["tree_name", "code", "level", "area", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["area"]
    autocomplete_fields = ["parent"]
    raw_id_fields = ["area"]
    readonly_fields = ["path_names"]
    ordering = ["path"]
    fields = [
        "code",
        "name",
        "level",
        "parent",
        "path_names",
        "area",
        "address",
        "phone",
        "email",
        "is_active",
    ]
    inlines = [OfficeHoursInline] if OfficeHoursInline else []

    def get_queryset(self, request):
        return units_visible_to(request.user).select_related("area")

    @admin.display(description=_("tên đơn vị"), ordering="path")
    def tree_name(self, obj):
        depth = max(obj.path.count("/") - 2, 0)
        # indentation by class, not a style attribute (the Content-Security-Policy forbids those)
        return format_html(
            '<span class="unit-depth unit-depth-{}">{}{}</span>',
            min(depth, 6),
            "└ " if depth else "",
            obj.name,
        )

    @admin.display(description=_("thuộc"))
    def path_names(self, obj):
        if not obj.pk:
            return "—"
        names = [u.name for u in obj.ancestors()] + [obj.name]
        return " › ".join(names)
