from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.accounts.admin_mixins import RoleScopedAdmin
from portal.accounts.models import StaffRole, User
from portal.accounts.validators import normalize_phone
from portal.core.text import clean_person_name, fold, nfc
from portal.units.selectors import units_visible_to


def search_users(queryset, term: str):
    """A full personal number, phone or email exactly; anything else: every accent- and
    case-folded word in the username, name or addresses (User.search_text, trigram-indexed on
    PostgreSQL): "tran thi mai" finds "Trần Thị Mai"."""
    term = " ".join(nfc(term).split())
    if not term:
        return queryset
    compact = term.replace(" ", "").replace(".", "")
    if compact.isdigit() and len(compact) == 12:
        return queryset.filter(personal_id=compact)
    if "@" in term and " " not in term:
        return queryset.filter(email__iexact=term)
    if compact.lstrip("+").isdigit() and len(compact) >= 9:
        try:
            return queryset.filter(phone=normalize_phone(term))
        except ValidationError:
            pass
    for word in fold(term).split():
        queryset = queryset.filter(search_text__contains=word)
    return queryset


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 1
    verbose_name = _("vai trò")
    verbose_name_plural = _("vai trò")


class UserCreateForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "full_name", "kind", "unit")

    def clean_full_name(self):
        return clean_person_name(self.cleaned_data.get("full_name", ""))


class UserEditForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User

    def clean_full_name(self):
        return clean_person_name(self.cleaned_data.get("full_name", ""))


class UnitLevelFilter(admin.SimpleListFilter):
    title = _("cấp đơn vị")
    parameter_name = "unit_level"

    def lookups(self, request, model_admin):
        from portal.units.models import PoliceUnit

        return PoliceUnit.Level.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(unit__level=self.value())
        return queryset


@admin.register(User)
class UserAdmin(RoleScopedAdmin, DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    inlines = [StaffRoleInline]
    list_display = ["username", "full_name", "kind", "unit", "roles_display", "is_active"]
    list_filter = ["kind", "staff_roles__role", UnitLevelFilter, "is_active"]
    list_select_related = ["unit"]
    search_fields = ["search_text"]  # the search itself: get_search_results
    search_help_text = _(
        "Tìm theo tên đăng nhập, họ tên, địa chỉ (có dấu hoặc không dấu), số định danh cá nhân "
        "(đủ 12 số) hoặc số điện thoại."
    )
    ordering = ["kind", "username"]

    def get_search_results(self, request, queryset, search_term):
        return search_users(queryset, search_term), False

    autocomplete_fields = ["unit"]
    raw_id_fields = ["permanent_area", "current_area"]
    readonly_fields = ["last_login", "date_joined", "phone_verified_at"]
    fieldsets = (
        (None, {"fields": ("username", "password", "kind", "unit")}),
        (
            _("Thông tin cá nhân"),
            {
                "fields": (
                    "full_name",
                    "personal_id",
                    "date_of_birth",
                    "sex",
                    "phone",
                    "phone_verified_at",
                    "email",
                    "permanent_address",
                    "permanent_area",
                    "current_address",
                    "current_area",
                )
            },
        ),
        (
            _("Quyền"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Thời điểm"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "kind", "unit", "password1", "password2"),
            },
        ),
    )

    def get_queryset(self, request):
        qs = super().get_queryset(request).prefetch_related("staff_roles")
        if request.user.is_administrator:
            return qs
        return qs.filter(unit__in=units_visible_to(request.user))

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("kind", User.Kind.STAFF)
        return initial

    def get_inlines(self, request, obj):
        if obj is None:
            return []  # roles are added once the account exists
        return super().get_inlines(request, obj)

    @admin.display(description=_("vai trò"))
    def roles_display(self, obj):
        return ", ".join(str(r.get_role_display()) for r in obj.staff_roles.all()) or "—"

    def save_model(self, request, obj, form, change):
        if obj.kind == User.Kind.STAFF:
            obj.is_staff = True  # officers work in the admin
        super().save_model(request, obj, form, change)
