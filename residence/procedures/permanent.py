"""Permanent residence and households: four procedures, each a plugin of the dossier engine.

- 1.004222 Đăng ký thường trú
- 1.003197 Xóa đăng ký thường trú
- 1.010038 Tách hộ
- 1.010039 Điều chỉnh thông tin trong Cơ sở dữ liệu về cư trú

Forms: residence/forms_permanent.py (CT01 fields that apply). `clean` checks the request against
the registry with specific Vietnamese messages; `approve` writes the registry in the approval
transaction (residence/services/permanent.py, which re-checks under row locks) and issues the
CT08 notice. Filed online the e-form is the CT01 declaration, so no upload of CT01 is demanded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.errors import Conflict
from portal.core.text import fold, name_problem, nfc
from portal.dossiers.registry import ProcedurePlugin, ResultDocumentSpec
from residence import forms_permanent as f
from residence.documents import result_notice
from residence.models import HouseholdMember, Person, Relation, Sex
from residence.services import permanent as writes
from residence.services.common import (
    current_membership,
    current_permanent,
    find_person,
    person_of_account,
)

PERMANENT_REGISTRATION = "1.004222"
PERMANENT_DEREGISTRATION = "1.003197"
HOUSEHOLD_SPLIT = "1.010038"
INFORMATION_CORRECTION = "1.010039"

OWNER_CONSENT_DOC = "y-kien-chu-ho"
GUARDIAN_CONSENT_DOC = "y-kien-giam-ho"
RENTAL_DOC = "hop-dong-thue"
KINSHIP_DOC = "quan-he-nhan-than"


def _vn_date(value) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    try:
        return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return str(value or "")


def _relation_label(value: str) -> str:
    return str(dict(Relation.choices).get(value, value))


class _Errors(dict):
    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(str(message))

    def raise_if_any(self) -> None:
        if self:
            raise ValidationError({k: [ValidationError(m) for m in v] for k, v in self.items()})


class _ResidencePlugin(ProcedurePlugin):
    """What the four plugins share: the catalogue's attachments without the CT01 upload (the
    e-form is the declaration) plus conditional ones, and the requester in the registry."""

    def required_documents(self, *, dossier) -> list:
        documents = list(dossier.procedure.required_documents.all())
        wanted = set(self.conditional_documents(dossier=dossier))
        return [
            d
            for d in documents
            if not d.key.startswith("to-khai") and (d.is_mandatory or d.key in wanted)
        ]

    def conditional_documents(self, *, dossier) -> list[str]:
        return []

    def _requester(self, dossier, errors: _Errors) -> Person | None:
        person = person_of_account(dossier.citizen)
        if person is None:
            errors.add(
                "__all__",
                _(
                    "Không tìm thấy thông tin của bạn (số định danh %(id)s) trong Cơ sở dữ liệu "
                    "về cư trú."
                )
                % {"id": dossier.citizen.personal_id or "—"},
            )
        return person

    def summary(self, *, dossier) -> list[tuple[str, str]]:
        """The request as people read it (slips, staff view), in form order: empty and unticked
        fields left out, a ticked box as "Có", a member list as "số định danh (quan hệ)"."""
        from portal.dossiers.registry import _display

        data = dossier.form_data or {}
        rows = []
        for name, field in self.form_class.base_fields.items():
            raw = data.get(name)
            if raw in (None, "", [], False):
                continue
            if raw is True:
                value = _("Có")
            elif isinstance(raw, list):
                value = "; ".join(
                    f"{item.get('personal_id', '')} ({_relation_label(item.get('relation', ''))})"
                    for item in raw
                    if isinstance(item, dict)
                )
            else:
                value = _display(field, raw)
            rows.append((str(field.label), value))
        return rows

    def _notice(self, *, title, lines, text) -> ResultDocumentSpec:
        return result_notice(title=title, lines=lines, text=text)


# ---------------------------------------------------------------------------------------------
# 1.004222 Đăng ký thường trú


class PermanentRegistrationPlugin(_ResidencePlugin):
    procedure_code = PERMANENT_REGISTRATION
    form_class = f.PermanentRegistrationForm

    def initial(self, *, citizen) -> dict[str, Any]:
        person = person_of_account(citizen)
        birth = person.date_of_birth if person else getattr(citizen, "date_of_birth", None)
        return {
            "full_name": (person.full_name if person else citizen.full_name) or "",
            "date_of_birth": birth.isoformat() if birth else "",
            "sex": (person.sex if person else getattr(citizen, "sex", "")) or "",
            "personal_id": citizen.personal_id or "",
            "phone": getattr(citizen, "phone", "") or "",
            "email": citizen.email or "",
            "basis": f.BASIS_OWNED,
            "household_choice": f.HOUSEHOLD_NEW,
        }

    def _household(self, data: dict[str, Any]):
        if data.get("household_choice") != f.HOUSEHOLD_JOIN:
            return None
        return writes.household_by_ref(data.get("household_ref", ""))

    def area_for(self, *, dossier, data: dict[str, Any]):
        """Joining a household: the commune of its address; otherwise the commune chosen."""
        household = self._household(data or {})
        return household.address.area if household is not None else None

    def _area(self, dossier, data):
        return self.area_for(dossier=dossier, data=data) or dossier.area

    def clean(self, *, dossier, data: dict[str, Any]) -> dict[str, Any]:
        cleaned = super().clean(dossier=dossier, data=data)
        errors = _Errors()
        if cleaned["personal_id"] != (dossier.citizen.personal_id or ""):
            errors.add(
                "personal_id",
                _("Số định danh cá nhân phải là số định danh của tài khoản nộp hồ sơ (%(id)s).")
                % {"id": dossier.citizen.personal_id or "—"},
            )
        person = find_person(cleaned["personal_id"])
        street_key = fold(" ".join(cleaned["street"].split()))
        household = None
        if cleaned["household_choice"] == f.HOUSEHOLD_JOIN:
            household = self._household(cleaned)
            if household is None:
                errors.add(
                    "household_ref",
                    _(
                        "Không tìm thấy hộ gia đình có số hộ hoặc số định danh chủ hộ "
                        "“%(ref)s” trong Cơ sở dữ liệu về cư trú."
                    )
                    % {"ref": cleaned["household_ref"]},
                )
            elif household.address.street_key != street_key:
                errors.add(
                    "household_ref",
                    _(
                        "Hộ gia đình %(number)s ở địa chỉ %(address)s, không phải địa chỉ bạn "
                        "đề nghị đăng ký thường trú."
                    )
                    % {"number": household.number, "address": household.address.full},
                )
        area = self._area(dossier, cleaned)
        if person is not None:
            residence = current_permanent(person)
            if (
                residence is not None
                and area is not None
                and residence.address.area_id == area.pk
                and residence.address.street_key == street_key
            ):
                errors.add(
                    "street",
                    _("Bạn đã đăng ký thường trú tại địa chỉ %(address)s.")
                    % {"address": residence.address.full},
                )
            else:
                problem = writes.head_leaving_problem(person)
                if problem:
                    errors.add("household_choice", problem)
        if cleaned["basis"] != f.BASIS_OWNED:
            if cleaned["consent_given"]:
                head = household and _head(household)
                if head is not None and cleaned["consent_personal_id"] != head.personal_id:
                    errors.add(
                        "consent_personal_id",
                        _(
                            "Người cho ý kiến đồng ý phải là chủ hộ %(number)s (%(name)s) hoặc "
                            "đính kèm văn bản đồng ý."
                        )
                        % {"number": household.number, "name": head.full_name},
                    )
            elif not cleaned["consent_by_letter"]:
                errors.add(
                    "consent_given",
                    _(
                        "Bạn không phải chủ sở hữu chỗ ở: cần ý kiến đồng ý của chủ hộ, chủ sở "
                        "hữu (ghi họ tên, số định danh và đánh dấu đồng ý) hoặc đính kèm văn bản "
                        "đồng ý."
                    ),
                )
        birth = dt.date.fromisoformat(cleaned["date_of_birth"])
        if _age(birth) < 18 and not (cleaned["guardian_name"] and cleaned["guardian_personal_id"]):
            errors.add(
                "guardian_name",
                _(
                    "Người chưa đủ 18 tuổi phải có cha, mẹ hoặc người giám hộ: ghi họ tên và số "
                    "định danh cá nhân của người giám hộ."
                ),
            )
        errors.raise_if_any()
        return cleaned

    def conditional_documents(self, *, dossier) -> list[str]:
        data = dossier.form_data or {}
        keys = []
        if data.get("basis") != f.BASIS_OWNED and not data.get("consent_given"):
            keys.append(OWNER_CONSENT_DOC)
        if data.get("basis") == f.BASIS_RENTED:
            keys.append(RENTAL_DOC)
        if data.get("basis") == f.BASIS_KINSHIP:
            keys.append(KINSHIP_DOC)
        try:
            minor = _age(dt.date.fromisoformat(str(data.get("date_of_birth")))) < 18
        except ValueError:
            minor = False
        if minor and not data.get("guardian_consent"):
            keys.append(GUARDIAN_CONSENT_DOC)
        return keys

    def approve(self, *, dossier, actor) -> ResultDocumentSpec:
        data = dossier.form_data
        household = None
        if data.get("household_choice") == f.HOUSEHOLD_JOIN:
            household = self._household(data)
            if household is None:
                raise Conflict(
                    _("Hộ gia đình “%(ref)s” không còn trong Cơ sở dữ liệu về cư trú.")
                    % {"ref": data.get("household_ref", "")},
                    code="registry_conflict",
                )
        area = household.address.area if household is not None else dossier.area
        person, residence = writes.register_permanent(
            dossier=dossier,
            area=area,
            street=household.address.street if household is not None else data["street"],
            person_data=data,
            household=household,
            relation=data.get("relation") or "",
        )
        membership = current_membership(person)
        return self._notice(
            title=_("Đăng ký thường trú"),
            lines=[
                (_("Họ, chữ đệm và tên"), person.full_name),
                (_("Số định danh cá nhân"), person.personal_id),
                (_("Ngày sinh"), _vn_date(person.date_of_birth)),
                (_("Nơi thường trú"), residence.address.full),
                (_("Số hộ"), residence.household.number if residence.household else ""),
                (
                    _("Quan hệ với chủ hộ"),
                    _relation_label(membership.relation) if membership else "",
                ),
                (_("Đăng ký thường trú từ ngày"), _vn_date(residence.registered_on)),
            ],
            text=_(
                "Thông tin đăng ký thường trú của công dân đã được cập nhật vào Cơ sở dữ liệu "
                "về cư trú."
            ),
        )


def _age(born: dt.date) -> int:
    day = timezone.localdate()
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _head(household) -> Person | None:
    member = (
        HouseholdMember.objects.filter(
            household=household, relation=Relation.HEAD, left_on__isnull=True
        )
        .select_related("person")
        .first()
    )
    return member.person if member else None


# ---------------------------------------------------------------------------------------------
# 1.003197 Xóa đăng ký thường trú


class PermanentDeregistrationPlugin(_ResidencePlugin):
    procedure_code = PERMANENT_DEREGISTRATION
    form_class = f.PermanentDeregistrationForm

    def initial(self, *, citizen) -> dict[str, Any]:
        return {"subject": f.SUBJECT_SELF}

    def _target(self, dossier, data) -> Person | None:
        if data.get("subject") == f.SUBJECT_MEMBER:
            return find_person(data.get("member_personal_id", ""))
        return person_of_account(dossier.citizen)

    def area_for(self, *, dossier, data: dict[str, Any]):
        """The commune where the person is permanently registered."""
        person = self._target(dossier, data or {})
        residence = current_permanent(person) if person is not None else None
        return residence.address.area if residence is not None else None

    def clean(self, *, dossier, data: dict[str, Any]) -> dict[str, Any]:
        cleaned = super().clean(dossier=dossier, data=data)
        errors = _Errors()
        requester = self._requester(dossier, errors)
        errors.raise_if_any()
        target = requester
        if cleaned["subject"] == f.SUBJECT_MEMBER:
            target = find_person(cleaned["member_personal_id"])
            if target is None:
                errors.add(
                    "member_personal_id",
                    _("Không tìm thấy người có số định danh %(id)s trong Cơ sở dữ liệu về cư trú.")
                    % {"id": cleaned["member_personal_id"]},
                )
                errors.raise_if_any()
            mine, theirs = current_membership(requester), current_membership(target)
            if mine is None or theirs is None or mine.household_id != theirs.household_id:
                errors.add(
                    "member_personal_id",
                    _(
                        "%(name)s không cùng hộ gia đình với bạn; chỉ được đề nghị xóa đăng ký "
                        "thường trú cho thành viên trong hộ của mình."
                    )
                    % {"name": target.full_name},
                )
        residence = current_permanent(target)
        where = "member_personal_id" if target != requester else "subject"
        if residence is None:
            errors.add(
                where,
                _("%(name)s hiện không có đăng ký thường trú trong Cơ sở dữ liệu về cư trú.")
                % {"name": target.full_name},
            )
        else:
            problem = writes.head_leaving_problem(target)
            if problem:
                errors.add(where, problem)
        errors.raise_if_any()
        return cleaned

    def approve(self, *, dossier, actor) -> ResultDocumentSpec:
        data = dossier.form_data
        target = self._target(dossier, data)
        if target is None:
            raise Conflict(
                _("Không còn tìm thấy người được xóa đăng ký thường trú."), code="registry_conflict"
            )
        reason = str(dict(f.DEREGISTRATION_REASONS).get(data.get("reason"), data.get("reason")))
        residence = writes.deregister_permanent(dossier=dossier, person=target, reason=reason)
        return self._notice(
            title=_("Xóa đăng ký thường trú"),
            lines=[
                (_("Họ, chữ đệm và tên"), target.full_name),
                (_("Số định danh cá nhân"), target.personal_id),
                (_("Nơi thường trú đã xóa"), residence.address.full),
                (_("Lý do"), reason),
                (_("Ngày xóa đăng ký"), _vn_date(timezone.localdate())),
            ],
            text=_("Đăng ký thường trú của công dân đã được xóa trong Cơ sở dữ liệu về cư trú."),
        )


# ---------------------------------------------------------------------------------------------
# 1.010038 Tách hộ


class HouseholdSplitPlugin(_ResidencePlugin):
    procedure_code = HOUSEHOLD_SPLIT
    form_class = f.HouseholdSplitForm

    def initial(self, *, citizen) -> dict[str, Any]:
        return {"new_head_personal_id": citizen.personal_id or "", "members": []}

    def area_for(self, *, dossier, data: dict[str, Any]):
        """The commune of the household's address."""
        person = find_person((data or {}).get("new_head_personal_id", ""))
        membership = current_membership(person) if person is not None else None
        return membership.household.address.area if membership is not None else None

    def _resolve(self, data) -> tuple[Any, Person | None, list[tuple[str, Person | None, str]]]:
        new_head = find_person(data.get("new_head_personal_id", ""))
        membership = current_membership(new_head) if new_head is not None else None
        members = [
            (m["personal_id"], find_person(m["personal_id"]), m["relation"])
            for m in data.get("members") or []
        ]
        return (membership.household if membership else None), new_head, members

    def clean(self, *, dossier, data: dict[str, Any]) -> dict[str, Any]:
        cleaned = super().clean(dossier=dossier, data=data)
        errors = _Errors()
        requester = self._requester(dossier, errors)
        errors.raise_if_any()
        household, new_head, members = self._resolve(cleaned)
        if household is None:
            errors.add(
                "new_head_personal_id",
                _("Chủ hộ mới (số định danh %(id)s) không là thành viên của hộ gia đình nào.")
                % {"id": cleaned["new_head_personal_id"]},
            )
            errors.raise_if_any()
        current = {m.person_id: m for m in writes.current_members(household)}
        if requester.pk not in current:
            errors.add(
                "__all__",
                _("Bạn không phải là thành viên của hộ %(number)s nên không thể đề nghị tách hộ.")
                % {"number": household.number},
            )
        if current[new_head.pk].relation == Relation.HEAD:
            errors.add(
                "new_head_personal_id",
                _("%(name)s đang là chủ hộ của hộ %(number)s; chủ hộ mới phải là thành viên khác.")
                % {"name": new_head.full_name, "number": household.number},
            )
        for i, (pid, person, _relation) in enumerate(members, start=1):
            membership = current.get(person.pk) if person is not None else None
            if membership is None:
                errors.add(
                    "members",
                    _(
                        "Thành viên %(i)d (số định danh %(id)s) không phải thành viên của hộ %(number)s."
                    )
                    % {"i": i, "id": pid, "number": household.number},
                )
            elif membership.relation == Relation.HEAD:
                errors.add(
                    "members",
                    _(
                        "Thành viên %(i)d (%(name)s) là chủ hộ hiện tại; chủ hộ không tách theo "
                        "hộ mới (hãy thay đổi chủ hộ trước)."
                    )
                    % {"i": i, "name": person.full_name},
                )
        if len(current) <= 1 + len(members):
            errors.add("members", _("Phải còn ít nhất một người ở lại hộ cũ."))
        head = next((m.person for m in current.values() if m.relation == Relation.HEAD), None)
        if head is not None and head.pk != requester.pk:
            if cleaned["consent_given"]:
                if cleaned["consent_personal_id"] != head.personal_id:
                    errors.add(
                        "consent_personal_id",
                        _("Người cho ý kiến đồng ý phải là chủ hộ %(number)s (%(name)s).")
                        % {"number": household.number, "name": head.full_name},
                    )
            elif not cleaned["consent_by_letter"]:
                errors.add(
                    "consent_given",
                    _(
                        "Cần ý kiến đồng ý cho tách hộ của chủ hộ %(name)s (ghi họ tên, số định "
                        "danh và đánh dấu đồng ý) hoặc đính kèm văn bản đồng ý."
                    )
                    % {"name": head.full_name},
                )
        errors.raise_if_any()
        return cleaned

    def conditional_documents(self, *, dossier) -> list[str]:
        data = dossier.form_data or {}
        return [OWNER_CONSENT_DOC] if data.get("consent_by_letter") else []

    def approve(self, *, dossier, actor) -> ResultDocumentSpec:
        household, new_head, members = self._resolve(dossier.form_data)
        if household is None or any(p is None for _pid, p, _r in members):
            raise Conflict(
                _("Thông tin hộ gia đình đã thay đổi; không thể tách hộ như đề nghị."),
                code="registry_conflict",
            )
        new = writes.split_household(
            dossier=dossier,
            household=household,
            new_head=new_head,
            members=[(p, r) for _pid, p, r in members],
        )
        lines = [
            (_("Số hộ mới"), new.number),
            (_("Địa chỉ"), new.address.full),
            (_("Chủ hộ"), f"{new_head.full_name} ({new_head.personal_id})"),
        ]
        for _pid, person, relation in members:
            lines.append(
                (
                    _("Thành viên"),
                    f"{person.full_name} ({person.personal_id}) – {_relation_label(relation)}",
                )
            )
        lines.append((_("Tách từ hộ"), household.number))
        return self._notice(
            title=_("Tách hộ"),
            lines=lines,
            text=_("Hộ gia đình mới đã được cập nhật vào Cơ sở dữ liệu về cư trú."),
        )


# ---------------------------------------------------------------------------------------------
# 1.010039 Điều chỉnh thông tin trong CSDL cư trú

TEXT_LIMITS = {"hometown": 300, "ethnicity": 60, "religion": 60}
SEX_WORDS = {"m": Sex.MALE, "nam": Sex.MALE, "f": Sex.FEMALE, "nu": Sex.FEMALE}


class InformationCorrectionPlugin(_ResidencePlugin):
    procedure_code = INFORMATION_CORRECTION
    form_class = f.InformationCorrectionForm

    def area_for(self, *, dossier, data: dict[str, Any]):
        """The commune where the citizen is permanently registered."""
        person = person_of_account(dossier.citizen)
        residence = current_permanent(person) if person is not None else None
        return residence.address.area if residence is not None else None

    def _parse(self, person: Person, field: str, raw: str) -> Any:
        """The new value in its stored form; ValidationError(message) when invalid."""
        raw = nfc(" ".join((raw or "").split()))
        if field == "full_name":
            problem = name_problem(raw)
            if problem:
                raise ValidationError(problem)
            return raw
        if field == "date_of_birth":
            for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
                try:
                    day = dt.datetime.strptime(raw, fmt).date()
                    break
                except ValueError:
                    continue
            else:
                raise ValidationError(_("Ngày sinh mới không hợp lệ (ngày/tháng/năm)."))
            if day > timezone.localdate():
                raise ValidationError(_("Ngày sinh mới không được sau ngày hôm nay."))
            return day
        if field == "sex":
            value = SEX_WORDS.get(fold(raw))
            if value is None:
                raise ValidationError(_("Giới tính mới phải là “Nam” hoặc “Nữ”."))
            return value
        if field == "household_head":
            if not (len(raw) == 12 and raw.isdigit()):
                raise ValidationError(
                    _("Vui lòng nhập số định danh cá nhân (12 chữ số) của chủ hộ mới.")
                )
            return raw
        limit = TEXT_LIMITS[field]
        if len(raw) > limit:
            raise ValidationError(_("Thông tin mới dài quá %(n)d ký tự.") % {"n": limit})
        return raw

    def clean(self, *, dossier, data: dict[str, Any]) -> dict[str, Any]:
        cleaned = super().clean(dossier=dossier, data=data)
        errors = _Errors()
        person = self._requester(dossier, errors)
        errors.raise_if_any()
        field = cleaned["field"]
        try:
            value = self._parse(person, field, cleaned["new_value"])
        except ValidationError as exc:
            errors.add("new_value", exc.messages[0])
            errors.raise_if_any()
        if field == "household_head":
            mine = current_membership(person)
            target = find_person(value)
            theirs = current_membership(target) if target is not None else None
            if mine is None or theirs is None or theirs.household_id != mine.household_id:
                errors.add(
                    "new_value",
                    _("Chủ hộ mới (số định danh %(id)s) phải là thành viên trong hộ của bạn.")
                    % {"id": value},
                )
            elif theirs.relation == Relation.HEAD:
                errors.add(
                    "new_value",
                    _("%(name)s đã là chủ hộ; thông tin mới phải khác thông tin hiện có.")
                    % {"name": target.full_name},
                )
        elif getattr(person, field) == value:
            errors.add(
                "new_value", _("Thông tin mới trùng với thông tin hiện có trong CSDL cư trú.")
            )
        errors.raise_if_any()
        cleaned["new_value"] = value.isoformat() if isinstance(value, dt.date) else value
        return cleaned

    def approve(self, *, dossier, actor) -> ResultDocumentSpec:
        data = dossier.form_data
        person = person_of_account(dossier.citizen)
        field = data["field"]
        label = str(dict(f.CORRECTABLE_FIELDS)[field])
        if person is None:
            raise Conflict(
                _("Không còn tìm thấy công dân trong CSDL cư trú."), code="registry_conflict"
            )
        if field == "household_head":
            target = find_person(data["new_value"])
            mine = current_membership(person)
            if target is None or mine is None:
                raise Conflict(
                    _("Thông tin hộ gia đình đã thay đổi; không thể thay đổi chủ hộ như đề nghị."),
                    code="registry_conflict",
                )
            old_head = _head(mine.household)
            writes.change_household_head(
                dossier=dossier,
                household=mine.household,
                new_head=target,
                former_head_relation=data.get("former_head_relation") or "",
            )
            old_text = f"{old_head.full_name} ({old_head.personal_id})" if old_head else ""
            new_text = f"{target.full_name} ({target.personal_id})"
            lines = [(_("Số hộ"), mine.household.number)]
        else:
            value = data["new_value"]
            if field == "date_of_birth":
                value = dt.date.fromisoformat(value)
            old, new = writes.correct_person(
                dossier=dossier, person=person, field=field, value=value
            )
            old_text, new_text = _shown(field, old), _shown(field, new)
            lines = []
        return self._notice(
            title=_("Điều chỉnh thông tin trong Cơ sở dữ liệu về cư trú"),
            lines=[
                (_("Họ, chữ đệm và tên"), person.full_name),
                (_("Số định danh cá nhân"), person.personal_id),
                *lines,
                (_("Thông tin điều chỉnh"), label),
                (_("Thông tin cũ"), old_text),
                (_("Thông tin mới"), new_text),
                (_("Căn cứ"), data.get("basis", "")),
            ],
            text=_("Thông tin của công dân đã được điều chỉnh trong Cơ sở dữ liệu về cư trú."),
        )


def _shown(field: str, value) -> str:
    if field == "sex":
        return str(dict(Sex.choices).get(value, value))
    if isinstance(value, dt.date):
        return _vn_date(value)
    return str(value or "")


PLUGINS = [
    PermanentRegistrationPlugin(),
    PermanentDeregistrationPlugin(),
    HouseholdSplitPlugin(),
    InformationCorrectionPlugin(),
]
