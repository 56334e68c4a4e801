"""Temporary-residence procedures: đăng ký tạm trú (1.004194), gia hạn tạm trú (1.002755), xóa
đăng ký tạm trú (1.010028).

Each plugin prefills its CT01-based form from the registry and the account, validates against the
registry (specific Vietnamese messages), routes the dossier to the commune of the residence
concerned, and on approval writes the registry (residence.services.temporary) and issues the CT08
result notice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.text import fold
from portal.dossiers.registry import ProcedurePlugin, ResultDocumentSpec, _display, _jsonable
from residence.documents import result_notice
from residence.forms_temporary import (
    BASIS_OWN,
    CONSENT_ATTACHMENT,
    REMOVAL_REASONS,
    WHOSE_MEMBER,
    TemporaryExtensionForm,
    TemporaryRegistrationForm,
    TemporaryRemovalForm,
)
from residence.models import EXTENSION_WINDOW_DAYS, MAX_TEMPORARY_DAYS, TemporaryResidence
from residence.services import temporary as registry_writes
from residence.services.common import (
    current_membership,
    current_permanent,
    current_temporary,
    find_person,
    person_of_account,
)

TEMPORARY_REGISTRATION = "1.004194"
TEMPORARY_EXTENSION = "1.002755"
TEMPORARY_REMOVAL = "1.010028"

# Catalogue documents: the owner's / household head's consent letter, the guardian's.
OWNER_CONSENT_KEY = "y-kien-chu-ho"
OWNER_CONSENT_NAME = "Văn bản đồng ý của chủ hộ, chủ sở hữu chỗ ở hợp pháp hoặc người được ủy quyền"


def _vn(day: dt.date | str | None) -> str:
    if not day:
        return ""
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day)
        except ValueError:
            return day
    return day.strftime("%d/%m/%Y")


def _date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


def _person_initial(citizen) -> dict[str, Any]:
    """Personal data for CT01: the registry's record first, the account's where it has none."""
    person = person_of_account(citizen)
    if person is not None:
        return {
            "full_name": person.full_name,
            "personal_id": person.personal_id,
            "date_of_birth": person.date_of_birth.isoformat(),
            "sex": person.sex,
        }
    birth = getattr(citizen, "date_of_birth", None)
    return {
        "full_name": getattr(citizen, "full_name", "") or "",
        "personal_id": getattr(citizen, "personal_id", "") or "",
        "date_of_birth": birth.isoformat() if birth else "",
        "sex": getattr(citizen, "sex", "") or "",
    }


def _merge(initial: dict, data: dict | None) -> dict:
    """What the citizen typed, with blanks filled from what the registry/account knows."""
    merged = {k: v for k, v in initial.items() if v not in (None, "")}
    merged.update({k: v for k, v in (data or {}).items() if v not in (None, "")})
    return merged


def _not_account_id(cleaned: dict, dossier) -> str | None:
    own = getattr(dossier.citizen, "personal_id", "") or ""
    if cleaned.get("personal_id") and own and cleaned["personal_id"] != own:
        return _(
            "Số định danh cá nhân %(typed)s không phải của tài khoản đang nộp hồ sơ (%(own)s): "
            "mỗi người tự đăng ký tạm trú bằng tài khoản định danh của mình."
        ) % {"typed": cleaned["personal_id"], "own": own}
    return None


def _errors(form, extra: dict[str, list[str]]) -> None:
    errors: dict[str, list] = {k: list(v) for k, v in form.errors.as_data().items()}
    for field, messages in extra.items():
        errors.setdefault(field, []).extend(ValidationError(m) for m in messages)
    if errors:
        raise ValidationError(errors)


def _without_ct01(documents) -> list:
    """Filed online, the e-form is the CT01 declaration: never ask for an upload of it."""
    return [d for d in documents if "ct01" not in d.key.lower()]


class _TemporaryPlugin(ProcedurePlugin):
    def summary(self, *, dossier) -> list[tuple[str, str]]:
        """As the base summary, without the fields left empty; a ticked box reads "Có"."""
        fields = self.form_class().fields
        rows = []
        for name, value in dossier.form_data.items():
            if value in (None, "", False):
                continue
            field_ = fields.get(name)
            label = str(field_.label) if field_ is not None else name
            rows.append((label, _("Có") if value is True else _display(field_, value)))
        return rows


class TemporaryRegistrationPlugin(_TemporaryPlugin):
    """Đăng ký tạm trú (1.004194): CT01; approval opens a temporary residence (ending an open one
    elsewhere) and issues CT08."""

    procedure_code = TEMPORARY_REGISTRATION
    form_class = TemporaryRegistrationForm

    def initial(self, *, citizen) -> dict[str, Any]:
        return _person_initial(citizen)

    def area_for(self, *, dossier, data):
        # The commune of the temporary residence is the one chosen for the dossier.
        return dossier.area

    def clean(self, *, dossier, data: dict[str, Any]) -> dict[str, Any]:
        form = self.form_class(data=_merge(self.initial(citizen=dossier.citizen), data))
        extra: dict[str, list[str]] = {}
        if not form.is_valid():
            _errors(form, extra)
        cleaned = form.cleaned_data
        wrong_id = _not_account_id(cleaned, dossier)
        if wrong_id:
            extra["personal_id"] = [wrong_id]
        person = find_person(cleaned["personal_id"])
        if person is not None and dossier.area_id:
            key = fold(" ".join(cleaned["street"].split()))
            permanent = current_permanent(person)
            if (
                permanent is not None
                and permanent.address.area_id == dossier.area_id
                and permanent.address.street_key == key
            ):
                extra.setdefault("street", []).append(
                    _(
                        "Bạn đã đăng ký thường trú tại chính địa chỉ này (%(address)s): không "
                        "đăng ký tạm trú tại nơi đã đăng ký thường trú."
                    )
                    % {"address": permanent.address.full}
                )
            temporary = current_temporary(person)
            if (
                temporary is not None
                and temporary.address.area_id == dossier.area_id
                and temporary.address.street_key == key
            ):
                extra.setdefault("street", []).append(
                    _(
                        "Bạn đang tạm trú tại chính địa chỉ này (đến ngày %(until)s): khi sắp hết "
                        "hạn, hãy nộp hồ sơ gia hạn tạm trú thay vì đăng ký mới."
                    )
                    % {"until": _vn(temporary.expires_on)}
                )
        _errors(form, extra)
        return {k: _jsonable(v) for k, v in cleaned.items()}

    def required_documents(self, *, dossier) -> list:
        documents = dossier.procedure.required_documents.all()
        required = [d for d in _without_ct01(documents) if d.is_mandatory]
        data = dossier.form_data or {}
        if data.get("basis") not in (None, "", BASIS_OWN) and (
            data.get("consent_method") == CONSENT_ATTACHMENT
        ):
            consent = next((d for d in documents if d.key == OWNER_CONSENT_KEY), None)
            if consent is None:
                from portal.catalogue.models import RequiredDocument

                consent = RequiredDocument(
                    procedure=dossier.procedure,
                    key=OWNER_CONSENT_KEY,
                    name=OWNER_CONSENT_NAME,
                    copy_kind=RequiredDocument.CopyKind.ORIGINAL,
                )
            if consent not in required:
                required.append(consent)
        return required

    def approve(self, *, dossier, actor) -> ResultDocumentSpec:
        data = dossier.form_data
        person = registry_writes.person_for_registration(
            personal_id=data["personal_id"],
            full_name=data["full_name"],
            date_of_birth=_date(data["date_of_birth"]),
            sex=data["sex"],
        )
        residence = registry_writes.register_temporary(
            dossier=dossier,
            person=person,
            area=dossier.area,
            street=data["street"],
            date_from=_date(data["date_from"]),
            date_to=_date(data["date_to"]),
        )
        return result_notice(
            title=_("Đăng ký tạm trú"),
            text=_("Công dân đã được đăng ký tạm trú và cập nhật vào Cơ sở dữ liệu về cư trú."),
            lines=[
                (_("Họ, chữ đệm và tên"), person.full_name),
                (_("Số định danh cá nhân"), person.personal_id),
                (_("Nơi tạm trú"), residence.address.full),
                (
                    _("Thời hạn tạm trú"),
                    f"{_vn(residence.registered_on)} – {_vn(residence.expires_on)}",
                ),
            ],
        )


class TemporaryExtensionPlugin(_TemporaryPlugin):
    """Gia hạn tạm trú (1.002755): within the 15 days before expiry; approval moves the expiry
    and issues CT08."""

    procedure_code = TEMPORARY_EXTENSION
    form_class = TemporaryExtensionForm

    def initial(self, *, citizen) -> dict[str, Any]:
        values = _person_initial(citizen)
        person = person_of_account(citizen)
        residence = current_temporary(person) if person else None
        if residence is not None:
            values["temporary_address"] = residence.address.full
            values["current_expires_on"] = residence.expires_on.isoformat()
        return values

    def _residence(self, dossier) -> TemporaryResidence | None:
        person = person_of_account(dossier.citizen)
        return current_temporary(person) if person else None

    def area_for(self, *, dossier, data):
        residence = self._residence(dossier)
        return residence.address.area if residence else None

    def clean(self, *, dossier, data: dict[str, Any]) -> dict[str, Any]:
        merged = _merge(self.initial(citizen=dossier.citizen), data)
        residence = self._residence(dossier)
        if residence is not None:  # what is shown comes from the registry, not from the client
            merged["temporary_address"] = residence.address.full
            merged["current_expires_on"] = residence.expires_on.isoformat()
        form = self.form_class(data=merged)
        form.is_valid()
        extra: dict[str, list[str]] = {}
        wrong_id = _not_account_id(form.cleaned_data, dossier) if form.cleaned_data else None
        if wrong_id:
            extra["personal_id"] = [wrong_id]
        today = timezone.localdate()
        if residence is None:
            extra["temporary_address"] = [
                _(
                    "Bạn không có nơi tạm trú nào đang được đăng ký trong Cơ sở dữ liệu về cư trú: "
                    "không thể gia hạn. Hãy nộp hồ sơ đăng ký tạm trú."
                )
            ]
        elif residence.expires_on < today:
            extra["current_expires_on"] = [
                _(
                    "Thời hạn tạm trú của bạn đã hết ngày %(expired)s: không thể gia hạn nữa. "
                    "Hãy nộp hồ sơ đăng ký tạm trú mới."
                )
                % {"expired": _vn(residence.expires_on)}
            ]
        else:
            opens = residence.expires_on - dt.timedelta(days=EXTENSION_WINDOW_DAYS)
            if today < opens:
                extra["current_expires_on"] = [
                    _(
                        "Chỉ được gia hạn tạm trú trong %(days)d ngày trước khi hết hạn "
                        "(%(expires)s): bạn có thể nộp hồ sơ gia hạn từ ngày %(opens)s."
                    )
                    % {
                        "days": EXTENSION_WINDOW_DAYS,
                        "expires": _vn(residence.expires_on),
                        "opens": _vn(opens),
                    }
                ]
            new_end = form.cleaned_data.get("new_expires_on") if form.cleaned_data else None
            if new_end is not None:
                last = residence.expires_on + dt.timedelta(days=MAX_TEMPORARY_DAYS)
                if new_end <= residence.expires_on:
                    extra["new_expires_on"] = [
                        _("Ngày gia hạn đến phải sau thời hạn tạm trú hiện tại (%(expires)s).")
                        % {"expires": _vn(residence.expires_on)}
                    ]
                elif new_end > last:
                    extra["new_expires_on"] = [
                        _("Mỗi lần gia hạn tối đa 02 năm: chọn ngày không muộn hơn %(last)s.")
                        % {"last": _vn(last)}
                    ]
        _errors(form, extra)
        return {k: _jsonable(v) for k, v in form.cleaned_data.items()}

    def required_documents(self, *, dossier) -> list:
        return [
            d for d in _without_ct01(dossier.procedure.required_documents.all()) if d.is_mandatory
        ]

    def approve(self, *, dossier, actor) -> ResultDocumentSpec:
        data = dossier.form_data
        person = find_person(data.get("personal_id") or dossier.citizen.personal_id)
        if person is None:
            from portal.core.errors import Conflict

            raise Conflict(
                _("Công dân không còn trong Cơ sở dữ liệu về cư trú."), code="registry_changed"
            )
        residence = registry_writes.extend_temporary(
            dossier=dossier, person=person, new_expires_on=_date(data["new_expires_on"])
        )
        return result_notice(
            title=_("Gia hạn tạm trú"),
            text=_("Thời hạn tạm trú của công dân đã được gia hạn trong Cơ sở dữ liệu về cư trú."),
            lines=[
                (_("Họ, chữ đệm và tên"), person.full_name),
                (_("Số định danh cá nhân"), person.personal_id),
                (_("Nơi tạm trú"), residence.address.full),
                (_("Thời hạn tạm trú đến"), _vn(residence.expires_on)),
                (_("Số lần gia hạn"), str(residence.extensions)),
            ],
        )


class TemporaryRemovalPlugin(_TemporaryPlugin):
    """Xóa đăng ký tạm trú (1.010028): the filer's own or a household member's open temporary
    residence in this commune; approval ends it and issues CT08."""

    procedure_code = TEMPORARY_REMOVAL
    form_class = TemporaryRemovalForm

    def initial(self, *, citizen) -> dict[str, Any]:
        return {"whose": "self"}

    def _target(self, dossier, data) -> tuple[Any, str | None]:
        """(person whose residence is removed, error message or None)."""
        filer = person_of_account(dossier.citizen)
        if data.get("whose") != WHOSE_MEMBER:
            if filer is None:
                return None, _(
                    "Không tìm thấy bạn trong Cơ sở dữ liệu về cư trú: không có đăng ký tạm trú "
                    "nào để xóa."
                )
            return filer, None
        member_id = data.get("member_personal_id") or ""
        member = find_person(member_id)
        filer_household = current_membership(filer) if filer else None
        member_household = current_membership(member) if member else None
        if (
            member is None
            or filer_household is None
            or member_household is None
            or member_household.household_id != filer_household.household_id
        ):
            return None, _(
                "Người có số định danh %(pid)s không phải thành viên hộ gia đình của bạn trong "
                "Cơ sở dữ liệu về cư trú."
            ) % {"pid": member_id}
        return member, None

    def _residence(self, dossier, data) -> TemporaryResidence | None:
        person, _error = self._target(dossier, data)
        return current_temporary(person) if person else None

    def area_for(self, *, dossier, data):
        residence = self._residence(dossier, data or {})
        return residence.address.area if residence else None

    def clean(self, *, dossier, data: dict[str, Any]) -> dict[str, Any]:
        form = self.form_class(data=_merge(self.initial(citizen=dossier.citizen), data))
        extra: dict[str, list[str]] = {}
        if not form.is_valid():
            _errors(form, extra)
        cleaned = form.cleaned_data
        person, error = self._target(dossier, cleaned)
        field = "member_personal_id" if cleaned.get("whose") == WHOSE_MEMBER else "whose"
        if error:
            extra[field] = [error]
        else:
            residence = current_temporary(person)
            if residence is None or residence.address.area_id != dossier.area_id:
                area_name = dossier.area.name if dossier.area_id else ""
                extra[field] = [
                    _(
                        "%(who)s không có đăng ký tạm trú còn hiệu lực tại %(area)s: không có gì "
                        "để xóa ở xã / phường này."
                    )
                    % {"who": person.full_name, "area": area_name}
                ]
        _errors(form, extra)
        return {k: _jsonable(v) for k, v in cleaned.items()}

    def required_documents(self, *, dossier) -> list:
        return [
            d for d in _without_ct01(dossier.procedure.required_documents.all()) if d.is_mandatory
        ]

    def approve(self, *, dossier, actor) -> ResultDocumentSpec:
        data = dossier.form_data
        person, error = self._target(dossier, data)
        if person is None:
            from portal.core.errors import Conflict

            raise Conflict(error or _("Không tìm thấy công dân."), code="registry_changed")
        reason = str(dict(REMOVAL_REASONS).get(data.get("reason"), data.get("reason", "")))
        residence = registry_writes.remove_temporary(
            dossier=dossier, person=person, area=dossier.area, reason=reason
        )
        return result_notice(
            title=_("Xóa đăng ký tạm trú"),
            text=_("Đăng ký tạm trú của công dân đã được xóa trong Cơ sở dữ liệu về cư trú."),
            lines=[
                (_("Họ, chữ đệm và tên"), person.full_name),
                (_("Số định danh cá nhân"), person.personal_id),
                (_("Nơi tạm trú đã xóa"), residence.address.full),
                (_("Lý do"), reason),
                (_("Ngày xóa đăng ký"), _vn(residence.ended_on)),
            ],
        )


PLUGINS = [TemporaryRegistrationPlugin(), TemporaryExtensionPlugin(), TemporaryRemovalPlugin()]
