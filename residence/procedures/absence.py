"""Residence procedures registered with the dossier engine (see portal.dossiers.registry)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.dossiers.registry import ProcedurePlugin, ResultDocumentSpec, _jsonable
from residence.forms import TemporaryAbsenceForm
from residence.services.absences import record_absence
from residence.services.common import find_person

TEMPORARY_ABSENCE = "1.003677"


class TemporaryAbsencePlugin(ProcedurePlugin):
    """Khai báo tạm vắng. Validation needs the person in the residence registry and an absence
    not entirely in the past; approval stores the absence in the registry (TemporaryAbsence and
    RegistryChange, person locked) in the approval transaction and issues the CT03 slip."""

    procedure_code = TEMPORARY_ABSENCE
    form_class = TemporaryAbsenceForm
    result_template = "residence/pdf/ct03.html"

    def initial(self, *, citizen) -> dict[str, Any]:
        area = getattr(citizen, "permanent_area", None) or getattr(citizen, "current_area", None)
        return {
            "full_name": citizen.full_name or "",
            "personal_id": citizen.personal_id or "",
            "date_of_birth": citizen.date_of_birth.isoformat() if citizen.date_of_birth else "",
            "permanent_address": citizen.permanent_address or "",
            "residence_commune": area.name if area else "",
        }

    def clean(self, *, dossier, data: dict[str, Any]) -> dict[str, Any]:
        # What the portal knows of the citizen fills what the form leaves out (Decision 06).
        merged = {k: v for k, v in self.initial(citizen=dossier.citizen).items() if v}
        merged.update({k: v for k, v in (data or {}).items() if v not in (None, "")})
        if not merged.get("residence_commune") and dossier.area_id:
            merged["residence_commune"] = dossier.area.name
        form = self.form_class(data=merged)
        form.is_valid()
        errors = {k: list(v) for k, v in form.errors.as_data().items()}
        cleaned = form.cleaned_data
        end = cleaned.get("date_to")
        today = timezone.localdate()
        if end and end < today and "date_to" not in errors:
            errors["date_to"] = [
                ValidationError(
                    _(
                        "Thời gian tạm vắng đã kết thúc (đến ngày %(end)s, trước hôm nay): "
                        "không khai báo tạm vắng cho khoảng thời gian đã qua."
                    )
                    % {"end": end.strftime("%d/%m/%Y")}
                )
            ]
        if cleaned.get("personal_id") and find_person(cleaned["personal_id"]) is None:
            errors.setdefault("personal_id", []).append(
                ValidationError(
                    _(
                        "Không tìm thấy người có số định danh %(pid)s trong Cơ sở dữ liệu về cư "
                        "trú: chỉ khai báo tạm vắng được cho người đã đăng ký thường trú hoặc tạm "
                        "trú. Vui lòng liên hệ Công an xã / phường nơi cư trú."
                    )
                    % {"pid": cleaned["personal_id"]}
                )
            )
        if errors:
            raise ValidationError(errors)
        return {k: _jsonable(v) for k, v in cleaned.items()}

    def approve(self, *, dossier, actor) -> ResultDocumentSpec:
        data = dossier.form_data
        person = find_person(data.get("personal_id") or dossier.applicant_personal_id)
        if person is None:
            from portal.core.errors import Conflict

            raise Conflict(
                _("Không tìm thấy người khai báo trong Cơ sở dữ liệu về cư trú."),
                code="registry_changed",
            )
        record_absence(
            dossier=dossier,
            person=person,
            date_from=_date(data["date_from"]),
            date_to=_date(data["date_to"]),
            destination=data.get("destination_address", ""),
            reason=data.get("reason", ""),
        )
        return ResultDocumentSpec(
            template_name=self.result_template,
            title=_("Phiếu khai báo tạm vắng"),
            context={
                "absence": {
                    "full_name": data.get("full_name", dossier.applicant_name),
                    "personal_id": data.get("personal_id", dossier.applicant_personal_id),
                    "date_of_birth": _vn_date(data.get("date_of_birth", "")),
                    "permanent_address": data.get("permanent_address", ""),
                    "residence_commune": data.get("residence_commune", ""),
                    "reason": data.get("reason", ""),
                    "date_from": _vn_date(data.get("date_from", "")),
                    "date_to": _vn_date(data.get("date_to", "")),
                    "destination_address": data.get("destination_address", ""),
                },
                "approved_on": timezone.localdate().strftime("%d/%m/%Y"),
                "signer_role": _("Trưởng Công an"),
            },
        )


def _date(value):
    import datetime as dt

    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _vn_date(value: str) -> str:
    """ISO date → dd/mm/yyyy (as on Vietnamese forms); anything else unchanged."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return str(value or "")


PLUGINS = [TemporaryAbsencePlugin()]
