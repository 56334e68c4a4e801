"""Writes for accounts: citizen sign-up, staff creation, roles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import Role, Sex, StaffRole, User
from portal.accounts.passwords import validate_new_password
from portal.accounts.validators import (
    normalize_personal_id,
    normalize_phone,
    validate_personal_id,
)
from portal.core.errors import Conflict
from portal.core.text import name_problem, nfc
from portal.units.models import AdministrativeArea, PoliceUnit


def personal_id_taken_error() -> Conflict:
    message = _(
        "Số định danh cá nhân này đã được đăng ký tài khoản. Nếu đó là số của bạn, hãy đăng nhập."
    )
    return Conflict(message, code="personal_id_taken", details={"personal_id": [message]})


def username_taken_error() -> Conflict:
    message = _("Tên đăng nhập này đã được dùng.")
    return Conflict(message, code="username_taken", details={"username": [message]})


@transaction.atomic
def register_citizen(
    *,
    personal_id: str,
    full_name: str,
    date_of_birth: dt.date,
    sex: str,
    phone: str,
    password: str = "",
    email: str = "",
    permanent_address: str = "",
    current_address: str = "",
    permanent_area: AdministrativeArea | None = None,
    current_area: AdministrativeArea | None = None,
    password_hash: str | None = None,
) -> User:
    """Create a citizen account; the personal identification number is the login name.

    Validates everything again (number against date of birth and sex, phone, password) so that
    every caller (page, API, seed) gets the same rules. Duplicate number → Conflict.
    `password_hash` (instead of validating and hashing `password`) serves bulk imports and the
    demo seed, where hashing dozens of passwords would take seconds each run.
    """
    errors: dict[str, list] = {}
    personal_id = normalize_personal_id(personal_id)
    if problem := name_problem(full_name):  # before collapsing spaces: U+0085 and U+2028 are
        errors["full_name"] = [problem]  # "spaces" to str.split()
    full_name = " ".join(nfc(str(full_name or "")).split())
    if not full_name:
        errors["full_name"] = [_("Vui lòng nhập họ và tên.")]
    if date_of_birth is None:
        errors["date_of_birth"] = [_("Vui lòng nhập ngày sinh.")]
    elif date_of_birth > timezone.localdate():
        errors["date_of_birth"] = [_("Ngày sinh không thể ở tương lai.")]
    if sex not in Sex.values:
        errors["sex"] = [_("Vui lòng chọn giới tính.")]
    try:
        validate_personal_id(
            personal_id, date_of_birth=date_of_birth, sex=sex if sex in Sex.values else None
        )
    except ValidationError as exc:
        errors["personal_id"] = exc.messages
    try:
        phone = normalize_phone(phone)
    except ValidationError as exc:
        errors["phone"] = exc.messages
    user = User(
        username=personal_id,
        personal_id=personal_id,
        kind=User.Kind.CITIZEN,
        full_name=full_name,
        date_of_birth=date_of_birth,
        sex=sex,
        phone=phone,
        email=(email or "").strip(),
        permanent_address=nfc(permanent_address).strip(),
        current_address=nfc(current_address).strip(),
        permanent_area=permanent_area,
        current_area=current_area,
    )
    if not password_hash:
        try:
            validate_new_password(password, user)
        except ValidationError as exc:
            errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
    if (
        User.objects.filter(username=personal_id).exists()
        or User.objects.filter(personal_id=personal_id).exists()
    ):
        raise personal_id_taken_error()
    if password_hash:
        user.password = password_hash
    else:
        user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # a concurrent sign-up with the same number won the race
        raise personal_id_taken_error() from None
    return user


@transaction.atomic
def set_staff_roles(*, user: User, roles: Iterable[str]) -> None:
    """Make the user's roles exactly `roles`."""
    wanted = set(roles)
    unknown = wanted - set(Role.values)
    if unknown:
        raise ValidationError({"roles": [_("Vai trò không hợp lệ: %s") % ", ".join(unknown)]})
    current = set(user.staff_roles.values_list("role", flat=True))
    if current - wanted:
        user.staff_roles.filter(role__in=current - wanted).delete()
    StaffRole.objects.bulk_create([StaffRole(user=user, role=r) for r in sorted(wanted - current)])
    user._role_cache = None


@transaction.atomic
def create_staff(
    *,
    username: str,
    full_name: str,
    unit: PoliceUnit,
    roles: Iterable[str],
    password: str | None = None,
    password_hash: str | None = None,
    email: str = "",
    phone: str = "",
) -> User:
    """Create an officer: kind staff, is_staff (admin access), one unit, one or more roles.

    Pass `password` (validated) or an already computed `password_hash` (used by the demo seed).
    """
    username = nfc(username).strip()
    if problem := name_problem(full_name):
        raise ValidationError({"full_name": [problem]})
    full_name = " ".join(nfc(full_name).split())
    if User.objects.filter(username=username).exists():
        raise username_taken_error()
    user = User(
        username=username,
        full_name=full_name,
        kind=User.Kind.STAFF,
        is_staff=True,
        unit=unit,
        email=email,
        phone=normalize_phone(phone) if phone else "",
    )
    if password_hash:
        user.password = password_hash
    else:
        try:
            validate_new_password(password or "", user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from None
        user.set_password(password)
    user.save()
    set_staff_roles(user=user, roles=roles)
    return user
