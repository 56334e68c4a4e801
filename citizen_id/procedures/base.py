"""What the four identity procedures share: the DC02 data prefilled from the registry, the
Circular 17/2024 slips (CC02 appointment, CC03 refusal) instead of the residence CT04/CT06, and
the visit check before approval."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from citizen_id.documents import NAMES, TEMPLATES
from portal.dossiers.registry import ProcedurePlugin, _display

# Catalogue documents the online DC02 replaces (the e-form is the request itself) or that are
# handed over at the counter (the old card, given back when the new one is collected).
NOT_UPLOADED = frozenset({"phieu-de-nghi-can-cuoc", "van-ban-de-nghi", "the-cu"})


def visit_reason() -> str:
    return _(
        "Cần đến trụ sở Công an để thu nhận ảnh khuôn mặt, vân tay, mống mắt và đối chiếu giấy tờ."
    )


def biometric_reuse_years() -> int:
    """A re-issue may reuse biometrics captured within this many years (settings)."""
    return int(getattr(settings, "CITIZEN_ID_BIOMETRIC_REUSE_YEARS", 5))


def vn_date(value) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    try:
        return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return str(value or "")


def parse_date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


class IdentityPlugin(ProcedurePlugin):
    """Base of the identity plugins (not registered itself)."""

    request_label = ""
    slip_templates = {"receipt": TEMPLATES["CC02"], "refusal": TEMPLATES["CC03"]}

    # --- the applicant, prefilled from the registry (Decision 06/QĐ-TTg) ----------------------

    def initial(self, *, citizen) -> dict[str, Any]:
        from residence.services.common import current_permanent, person_of_account

        person = person_of_account(citizen)
        born = (person.date_of_birth if person else None) or getattr(citizen, "date_of_birth", None)
        permanent = current_permanent(person) if person else None
        return {
            "full_name": (person.full_name if person else "") or citizen.full_name or "",
            "personal_id": citizen.personal_id or "",
            "date_of_birth": born.isoformat() if born else "",
            "permanent_address": (permanent.address.full if permanent else "")
            or citizen.permanent_address
            or "",
            "current_address": citizen.current_address or "",
        }

    def clean(self, *, dossier, data: dict[str, Any]) -> dict[str, Any]:
        # The registry and the account are authoritative for who the applicant is; what the form
        # leaves empty is filled from them.
        known = self.initial(citizen=dossier.citizen)
        merged = {k: v for k, v in (data or {}).items() if v not in (None, "")}
        for key in ("full_name", "personal_id", "date_of_birth"):
            if known.get(key):
                merged[key] = known[key]
        for key in ("permanent_address", "current_address"):
            if not merged.get(key) and known.get(key):
                merged[key] = known[key]
        cleaned = super().clean(dossier=dossier, data=merged)
        errors = self.check(dossier=dossier, data=cleaned)
        if errors:
            raise forms.ValidationError(
                {k: [forms.ValidationError(m) for m in v] for k, v in errors.items()}
            )
        return cleaned

    def check(self, *, dossier, data: dict[str, Any]) -> dict[str, list[str]]:
        """Checks against the registry after the form's own (field → messages)."""
        return {}

    def required_documents(self, *, dossier) -> list:
        return [d for d in super().required_documents(dossier=dossier) if d.key not in NOT_UPLOADED]

    def summary(self, *, dossier) -> list[tuple[str, str]]:
        data = dossier.form_data or {}
        rows = []
        for name, field_ in self.form_class.base_fields.items():
            raw = data.get(name)
            if raw in (None, "", False):
                continue
            rows.append((str(field_.label), _("Có") if raw is True else _display(field_, raw)))
        return rows

    # --- whom the card is for -----------------------------------------------------------------

    def subject(self, dossier) -> dict[str, Any]:
        """The person the request is about: personal_id, full_name, date_of_birth (date), sex."""
        data = dossier.form_data or {}
        return {
            "personal_id": data.get("personal_id") or dossier.applicant_personal_id,
            "full_name": data.get("full_name") or dossier.applicant_name,
            "date_of_birth": parse_date(data.get("date_of_birth"))
            or getattr(dossier.citizen, "date_of_birth", None),
            "sex": getattr(dossier.citizen, "sex", "") or "",
            "representative": None,
        }

    def subject_person(self, dossier, *, create: bool = False):
        from residence.services.common import find_person, get_or_create_person

        who = self.subject(dossier)
        person = find_person(who["personal_id"])
        if person is None and create and who["date_of_birth"]:
            person = get_or_create_person(
                personal_id=who["personal_id"],
                full_name=who["full_name"],
                date_of_birth=who["date_of_birth"],
                sex=who["sex"],
            )
        return person

    def reason_label(self, dossier) -> str:
        field_ = self.form_class.base_fields.get("reason")
        value = (dossier.form_data or {}).get("reason", "")
        return _display(field_, value) if field_ is not None and value else ""

    # --- the slips (CC02, CC03) and the filled DC02 -------------------------------------------

    def dc02_data(self, dossier) -> dict[str, Any]:
        from citizen_id.documents import person_data

        who = self.subject(dossier)
        person = self.subject_person(dossier)
        data: dict[str, Any] = {}
        if person is not None:
            data.update(person_data(person))
        data.update(
            {
                "full_name": who["full_name"],
                "personal_id": who["personal_id"],
                "date_of_birth": who["date_of_birth"].isoformat() if who["date_of_birth"] else "",
                "current_address": (dossier.form_data or {}).get("current_address", ""),
                "phone": dossier.applicant_phone,
                "email": dossier.applicant_email,
                "request_label": self.request_label,
                "reason": self.reason_label(dossier),
                "receive_method_label": _receive_label(dossier),
                "delivery_address": dossier.result_address if _by_post(dossier) else "",
            }
        )
        if not data.get("permanent_address"):
            data["permanent_address"] = (dossier.form_data or {}).get("permanent_address", "")
        if who["representative"]:
            data["representative"] = who["representative"]
        return data

    def slip_context(self, *, dossier, kind: str) -> dict[str, Any]:
        data = self.dc02_data(dossier)
        extra: dict[str, Any] = {"data": data}
        if kind == "receipt":
            from portal.booking.services import appointment_for

            appointment = appointment_for(dossier)
            due = timezone.localtime(dossier.due_at).date() if dossier.due_at else None
            extra.update(
                form_code="CC02",
                form_name=NAMES["CC02"],
                title=_("Giấy hẹn trả thẻ căn cước (CC02)"),
                appointment_at=timezone.localtime(appointment.starts_at).isoformat()
                if appointment
                else "",
                return_on=due.isoformat() if due else "",
                receive_method_label=data["receive_method_label"],
                delivery_address=data["delivery_address"],
            )
        elif kind == "refusal":
            extra.update(
                form_code="CC03",
                form_name=NAMES["CC03"],
                title=_("Thông báo từ chối giải quyết thủ tục về căn cước (CC03)"),
            )
        return extra

    # --- visit and approval -------------------------------------------------------------------

    def needs_visit(self, *, dossier) -> tuple[bool, str]:
        return True, visit_reason()

    def visit_done(self, dossier):
        """The checked-in appointment of this dossier, or None."""
        from portal.booking.models import Appointment, AppointmentState

        return (
            Appointment.objects.filter(dossier=dossier, state=AppointmentState.CHECKED_IN)
            .order_by("-checked_in_at")
            .first()
        )

    def on_visit_booked(self, *, dossier, appointment, actor) -> None:
        """Booked or moved after reception: a new appointment slip (CC02) names the new time and
        place (called by portal.booking inside the booking transaction)."""
        if dossier.state not in ("received", "processing", "supplement_requested"):
            return  # the CC02 issued at reception will carry the appointment
        from portal.dossiers import services
        from portal.dossiers.services._common import RECEIPT_TEMPLATE, _slip

        context = services.document_context(dossier, officer_unit=dossier.unit.name)
        template, context = _slip(dossier, "receipt", RECEIPT_TEMPLATE, context)
        services.issue_document(
            dossier, kind="receipt", template_name=template, event=None, context=context
        )

    def on_visit_checked_in(self, *, dossier, appointment, actor) -> None:
        """The citizen came: the collection slip (CC01) is issued with what was captured today."""
        from portal.dossiers import services

        context = services.document_context(
            dossier,
            title=str(_("Phiếu thu nhận thông tin căn cước (CC01)")),
            form_code="CC01",
            form_name=NAMES["CC01"],
            data=self.dc02_data(dossier),
            captured_on=timezone.localtime(appointment.checked_in_at or timezone.now())
            .date()
            .isoformat(),
            biometrics=True,
            officer_unit=dossier.unit.name,
        )
        services.issue_document(
            dossier,
            kind="form",
            template_name="citizen_id/pdf/cc01.html",
            event=None,
            context=context,
        )

    def require_visit(self, dossier):
        """Before approval: when a visit is needed the citizen must have been checked in (the
        biometrics are captured then). Returns the appointment (None when no visit is needed)."""
        from portal.core.errors import Conflict

        needed, _reason = self.needs_visit(dossier=dossier)
        if not needed:
            return None
        appointment = self.visit_done(dossier)
        if appointment is None:
            raise Conflict(
                _(
                    "Công dân chưa đến trụ sở để thu nhận thông tin (chưa ghi nhận đến theo lịch "
                    "hẹn) nên chưa thể phê duyệt hồ sơ."
                ),
                code="visit_not_done",
            )
        return appointment


def _by_post(dossier) -> bool:
    return dossier.result_method == "post"


def _receive_label(dossier) -> str:
    if _by_post(dossier):
        return _("Nhận qua dịch vụ bưu chính")
    if dossier.result_method == "electronic":
        return _("Nhận bản điện tử trên Cổng dịch vụ công")
    return _("Nhận trực tiếp tại %(unit)s") % {"unit": dossier.unit.name}
