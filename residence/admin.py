"""Staff read-only views of the registry (app "Cư trú" in the admin): persons, households,
addresses. Scoped by residence.selectors (officer: the unit's commune; supervisor: the subtree;
administrator: all); a record outside the scope is a 404. Nobody adds, changes or deletes here
(registry writes go through the procedures' services) — except a superuser with DEBUG on, for
fixing demo data by hand. Lists and detail pages run a fixed number of queries whatever the
number of persons (prefetches below)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Prefetch
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.backoffice.selectors import can_use_back_office
from portal.core import dates
from portal.core.text import fold
from residence import selectors
from residence.models import (
    Address,
    Household,
    HouseholdMember,
    PermanentResidence,
    Person,
    RegistryChange,
    Stay,
    TemporaryResidence,
)

ADDRESS = "address__area__parent"


def _may_write(request) -> bool:
    return bool(settings.DEBUG and request.user.is_active and request.user.is_superuser)


def _dossier_link(dossier_id, code: str = ""):
    if not dossier_id:
        return "—"
    url = reverse("admin:dossiers_dossier_change", args=[dossier_id])
    return format_html('<a href="{}">{}</a>', url, code or gettext("Hồ sơ #%s") % dossier_id)


class RegistryAccess:
    """Read-only for every officer with a unit and administrators; scoped querysets; 404 out
    of scope (never the admin's "perhaps it was deleted" redirect)."""

    scope = staticmethod(selectors.visible_persons)
    not_found = _("Không tìm thấy.")

    def has_module_permission(self, request):
        return can_use_back_office(request.user) or _may_write(request)

    def has_view_permission(self, request, obj=None):
        return can_use_back_office(request.user) or _may_write(request)

    def has_add_permission(self, request, obj=None):
        return _may_write(request)

    def has_change_permission(self, request, obj=None):
        return _may_write(request)

    def has_delete_permission(self, request, obj=None):
        return _may_write(request)

    def get_queryset(self, request):
        return self.scope(user=request.user)

    def _in_scope_or_404(self, request, object_id) -> None:
        try:
            pk = int(unquote(str(object_id)))
        except (TypeError, ValueError):
            raise Http404(self.not_found) from None
        if not self.scope(user=request.user).filter(pk=pk).exists():
            raise Http404(self.not_found)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True


def _person_link(person):
    url = reverse("admin:residence_person_change", args=[person.pk])
    return format_html(
        '<a href="{}">{}</a> <small>{}</small>', url, person.full_name, person.personal_id
    )


# --- person ------------------------------------------------------------------------------------


class PersonPermanentInline(ReadOnlyInline):
    model = PermanentResidence
    fk_name = "person"
    verbose_name_plural = _("Thường trú (hiện tại và trước đây)")
    fields = ("address_col", "household_col", "registered_on", "ended_on", "end_reason", "made_by")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(ADDRESS, "household")

    @admin.display(description=_("địa chỉ"))
    def address_col(self, obj):
        return obj.address.full

    @admin.display(description=_("số hộ"))
    def household_col(self, obj):
        return obj.household.number if obj.household_id else "—"

    @admin.display(description=_("hồ sơ"))
    def made_by(self, obj):
        return _dossier_link(obj.dossier_id)


class PersonTemporaryInline(ReadOnlyInline):
    model = TemporaryResidence
    fk_name = "person"
    verbose_name_plural = _("Tạm trú (hiện tại và trước đây)")
    fields = ("address_col", "registered_on", "expires_on", "extensions", "ended_on", "made_by")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(ADDRESS)

    @admin.display(description=_("địa chỉ"))
    def address_col(self, obj):
        return obj.address.full

    @admin.display(description=_("hồ sơ"))
    def made_by(self, obj):
        return _dossier_link(obj.dossier_id)


class PersonMembershipInline(ReadOnlyInline):
    model = HouseholdMember
    fk_name = "person"
    verbose_name_plural = _("Hộ gia đình")
    fields = ("household_col", "relation", "joined_on", "left_on")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("household")

    @admin.display(description=_("số hộ"))
    def household_col(self, obj):
        url = reverse("admin:residence_household_change", args=[obj.household_id])
        return format_html('<a href="{}">{}</a>', url, obj.household.number)


class RegistryChangeInline(ReadOnlyInline):
    model = RegistryChange
    fk_name = "person"
    verbose_name_plural = _("Lịch sử thay đổi thông tin cư trú")
    fields = ("at_col", "kind", "dossier_col")
    readonly_fields = fields
    ordering = ("-at", "-pk")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("dossier")

    @admin.display(description=_("thời điểm"))
    def at_col(self, obj):
        return dates.format_datetime(obj.at)

    @admin.display(description=_("hồ sơ"))
    def dossier_col(self, obj):
        return _dossier_link(obj.dossier_id, obj.dossier.code if obj.dossier_id else "")


@admin.register(Person)
class PersonAdmin(RegistryAccess, admin.ModelAdmin):
    scope = staticmethod(selectors.visible_persons)
    not_found = _("Không tìm thấy công dân trong CSDL cư trú.")
    list_display = ("full_name", "personal_id", "dob_col", "permanent_col", "temporary_col")
    search_fields = ("search_text",)  # the search itself: get_search_results
    search_help_text = _(
        "Tìm theo họ tên (có dấu hoặc không dấu, ví dụ “tran thi mai”) hoặc số định danh cá nhân."
    )
    list_per_page = 100
    show_full_result_count = False
    actions = None
    fields = (
        "personal_id",
        "full_name",
        "date_of_birth",
        "sex",
        "nationality",
        "ethnicity",
        "religion",
        "hometown",
    )
    inlines = [
        PersonPermanentInline,
        PersonTemporaryInline,
        PersonMembershipInline,
        RegistryChangeInline,
    ]

    def get_readonly_fields(self, request, obj=None):
        return () if _may_write(request) else self.fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "permanent_residences",
                    queryset=PermanentResidence.objects.filter(
                        ended_on__isnull=True
                    ).select_related(ADDRESS),
                    to_attr="current_permanent",
                ),
                Prefetch(
                    "temporary_residences",
                    queryset=TemporaryResidence.objects.filter(
                        ended_on__isnull=True
                    ).select_related(ADDRESS),
                    to_attr="current_temporary",
                ),
            )
        )

    def get_search_results(self, request, queryset, search_term):
        words = fold(search_term or "").split()
        for word in words:
            queryset = queryset.filter(search_text__contains=word)
        return queryset, False

    @admin.display(description=_("ngày sinh"), ordering="date_of_birth")
    def dob_col(self, obj):
        return dates.format_date(obj.date_of_birth)

    @admin.display(description=_("thường trú"))
    def permanent_col(self, obj):
        current = getattr(obj, "current_permanent", None)
        return current[0].address.full if current else "—"

    @admin.display(description=_("tạm trú"))
    def temporary_col(self, obj):
        current = getattr(obj, "current_temporary", None)
        if not current:
            return "—"
        temporary = current[0]
        label = gettext("đến %(date)s") % {"date": dates.format_date(temporary.expires_on)}
        return format_html("{}<br><small>{}</small>", temporary.address.full, label)


# --- household ---------------------------------------------------------------------------------


class MemberInline(ReadOnlyInline):
    model = HouseholdMember
    fk_name = "household"
    verbose_name_plural = _("Thành viên hộ")
    fields = ("person_col", "relation", "joined_on", "left_on", "made_by")
    readonly_fields = fields
    ordering = ("left_on", "joined_on", "pk")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")

    @admin.display(description=_("công dân"))
    def person_col(self, obj):
        return _person_link(obj.person)

    @admin.display(description=_("hồ sơ"))
    def made_by(self, obj):
        return _dossier_link(obj.dossier_id)


@admin.register(Household)
class HouseholdAdmin(RegistryAccess, admin.ModelAdmin):
    scope = staticmethod(selectors.visible_households)
    not_found = _("Không tìm thấy hộ gia đình.")
    list_display = ("number", "head_col", "address_col", "members_col", "dissolved_at")
    search_fields = ("number",)
    list_per_page = 100
    show_full_result_count = False
    actions = None
    fields = ("number", "address_col", "head_col", "created_at", "dissolved_at", "dossier_col")
    inlines = [MemberInline]

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def get_fields(self, request, obj=None):
        return self.fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(ADDRESS)
            .prefetch_related(
                Prefetch(
                    "memberships",
                    queryset=HouseholdMember.objects.filter(left_on__isnull=True).select_related(
                        "person"
                    ),
                    to_attr="current_members",
                )
            )
        )

    @admin.display(description=_("địa chỉ"))
    def address_col(self, obj):
        return obj.address.full

    @admin.display(description=_("chủ hộ"))
    def head_col(self, obj):
        head = next((m.person for m in obj.current_members if m.relation == "head"), None)
        return _person_link(head) if head else "—"

    @admin.display(description=_("số thành viên"))
    def members_col(self, obj):
        return len(obj.current_members)

    @admin.display(description=_("hồ sơ tạo hộ"))
    def dossier_col(self, obj):
        return _dossier_link(obj.dossier_id)


# --- address -----------------------------------------------------------------------------------


class _AddressResidentInline(ReadOnlyInline):
    fk_name = "address"
    readonly_fields = ()

    @admin.display(description=_("công dân"))
    def person_col(self, obj):
        return _person_link(obj.person)

    @admin.display(description=_("hồ sơ"))
    def made_by(self, obj):
        return _dossier_link(obj.dossier_id)


class AddressPermanentInline(_AddressResidentInline):
    model = PermanentResidence
    verbose_name_plural = _("Người thường trú")
    fields = ("person_col", "registered_on", "made_by")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).filter(ended_on__isnull=True).select_related("person")


class AddressTemporaryInline(_AddressResidentInline):
    model = TemporaryResidence
    verbose_name_plural = _("Người tạm trú")
    fields = ("person_col", "registered_on", "expires_on", "made_by")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).filter(ended_on__isnull=True).select_related("person")


class AddressStayInline(_AddressResidentInline):
    model = Stay
    verbose_name_plural = _("Đang lưu trú")
    fields = ("guest_col", "host_name", "starts_col", "ends_col", "made_by")
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(ends_at__gte=timezone.now())
            .select_related("guest")
            .order_by("starts_at", "pk")
        )

    @admin.display(description=_("khách"))
    def guest_col(self, obj):
        if obj.guest_id:
            return _person_link(obj.guest)
        return format_html("{} <small>{}</small>", obj.guest_name, obj.guest_personal_id)

    @admin.display(description=_("từ"))
    def starts_col(self, obj):
        return dates.format_datetime(obj.starts_at)

    @admin.display(description=_("đến"))
    def ends_col(self, obj):
        return dates.format_datetime(obj.ends_at)


@admin.register(Address)
class AddressAdmin(RegistryAccess, admin.ModelAdmin):
    scope = staticmethod(selectors.visible_addresses)
    not_found = _("Không tìm thấy địa chỉ.")
    list_display = ("street", "area", "households_col")
    list_select_related = ("area",)
    search_fields = ("street_key",)
    list_per_page = 100
    show_full_result_count = False
    actions = None
    fields = ("full_col", "households_col")
    inlines = [AddressPermanentInline, AddressTemporaryInline, AddressStayInline]

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def get_fields(self, request, obj=None):
        return self.fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("area__parent")
            .prefetch_related(
                Prefetch(
                    "households",
                    queryset=Household.objects.filter(dissolved_at__isnull=True).order_by("number"),
                    to_attr="open_households",
                )
            )
        )

    def get_search_results(self, request, queryset, search_term):
        words = fold(search_term or "").split()
        for word in words:
            queryset = queryset.filter(street_key__contains=word)
        return queryset, False

    @admin.display(description=_("địa chỉ đầy đủ"))
    def full_col(self, obj):
        return obj.full

    @admin.display(description=_("hộ gia đình"))
    def households_col(self, obj):
        households = getattr(obj, "open_households", None)
        if households is None:
            households = list(obj.households.filter(dissolved_at__isnull=True).order_by("number"))
        if not households:
            return "—"
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:residence_household_change", args=[h.pk]), h.number)
                for h in households
            ),
        )
