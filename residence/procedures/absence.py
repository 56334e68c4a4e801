"""Residence procedures registered with the dossier engine (see portal.dossiers.registry)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.dossiers.registry import ProcedurePlugin, ResultDocumentSpec
from residence.forms import TemporaryAbsenceForm

TEMPORARY_ABSENCE = "1.003677"


class TemporaryAbsencePlugin(ProcedurePlugin):
    """Khai báo tạm vắng. Approval records the declaration and issues a CT03-style slip; the
    residence registry (a later issue) will store the absence inside the same transaction."""

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
        return super().clean(dossier=dossier, data=merged)

    def approve(self, *, dossier, actor) -> ResultDocumentSpec:
        data = dossier.form_data
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


def _vn_date(value: str) -> str:
    """ISO date → dd/mm/yyyy (as on Vietnamese forms); anything else unchanged."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return str(value or "")


PLUGINS = [TemporaryAbsencePlugin()]
