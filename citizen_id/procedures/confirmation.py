"""Cấp xác nhận số chứng minh nhân dân 9 số, số định danh cá nhân (2.001178).

Filed online, no visit. Approval links the old 9-digit number to the person in the registry (if
not yet linked) and issues the confirmation letter naming both numbers as a PDF. The letter is
not signed electronically yet: level-4 signing comes with issue 10, until then the PDF says so.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from citizen_id.forms import NumberConfirmationForm
from portal.dossiers.registry import ResultDocumentSpec

from .base import IdentityPlugin, parse_date, vn_date

NUMBER_CONFIRMATION = "2.001178"
RESULT_TEMPLATE = "citizen_id/pdf/number_confirmation.html"


class NumberConfirmationPlugin(IdentityPlugin):
    procedure_code = NUMBER_CONFIRMATION
    form_class = NumberConfirmationForm
    request_label = "Xác nhận số chứng minh nhân dân 9 số, số định danh cá nhân"

    def _former(self, number: str):
        from citizen_id.models import FormerIdNumber

        return FormerIdNumber.objects.filter(number=number or "").select_related("person").first()

    def check(self, *, dossier, data) -> dict[str, list[str]]:
        former = self._former(data.get("former_id_number", ""))
        if former is not None and former.person.personal_id != data.get("personal_id"):
            return {
                "former_id_number": [
                    _(
                        "Số chứng minh nhân dân này gắn với một người khác trong Cơ sở dữ liệu: "
                        "vui lòng kiểm tra lại số đã nhập."
                    )
                ]
            }
        return {}

    def deadline_working_days(self, *, dossier):
        # 3 working days when the old number is in the database already, else 7 (look-up).
        former = self._former((dossier.form_data or {}).get("former_id_number", ""))
        return Decimal(3) if former is not None else Decimal(7)

    def needs_visit(self, *, dossier) -> tuple[bool, str]:
        return False, _("Thủ tục thực hiện trực tuyến, không cần đến trụ sở Công an.")

    def approve(self, *, dossier, actor) -> ResultDocumentSpec:
        from citizen_id.services import link_former_number

        data = dossier.form_data or {}
        person = self.subject_person(dossier, create=True)
        former = link_former_number(
            person=person,
            number=data.get("former_id_number", ""),
            issued_on=parse_date(data.get("former_issued_on")),
            place=data.get("former_place", ""),
        )
        confirmation: dict[str, Any] = {
            "full_name": person.full_name,
            "date_of_birth": vn_date(person.date_of_birth),
            "sex": str(person.get_sex_display()) if person.sex else "",
            "personal_id": person.personal_id,
            "former_id_number": former.number,
            "former_issued_on": vn_date(former.issued_on) if former.issued_on else "",
            "former_place": former.place,
            "purpose": data.get("purpose", ""),
        }
        return ResultDocumentSpec(
            template_name=RESULT_TEMPLATE,
            title=_("Văn bản xác nhận số chứng minh nhân dân 9 số, số định danh cá nhân"),
            context={
                "confirmation": confirmation,
                "approved_on": timezone.localdate().strftime("%d/%m/%Y"),
                "signer_role": _("Trưởng Công an"),
            },
        )


PLUGINS = [NumberConfirmationPlugin()]
