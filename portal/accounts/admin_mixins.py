"""Admin access by role (not by Django model permissions): reusable by every app's admin."""

from __future__ import annotations

from django.contrib import admin


def is_admin_user(user) -> bool:
    return bool(user.is_active and user.is_authenticated and user.is_administrator)


def is_staff_officer(user) -> bool:
    return bool(user.is_active and user.is_staff and getattr(user, "is_officer", False))


class RoleScopedAdmin(admin.ModelAdmin):
    """Administrators (role or superuser) manage; other officers may only look.

    Subclasses narrow `get_queryset` to what the officer may see (a selector).
    """

    def has_module_permission(self, request):
        return is_admin_user(request.user) or is_staff_officer(request.user)

    def has_view_permission(self, request, obj=None):
        return is_admin_user(request.user) or is_staff_officer(request.user)

    def has_add_permission(self, request):
        return is_admin_user(request.user)

    def has_change_permission(self, request, obj=None):
        return is_admin_user(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_admin_user(request.user)
