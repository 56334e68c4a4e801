"""The identity-card forms of Circular 17/2024/TT-BCA as PDFs (templates citizen_id/pdf/).

- DC02 (Phiếu đề nghị giải quyết thủ tục về căn cước): blank from the catalogue, or filled from the
  registry (`dc02_data`) plus the request, for a dossier.
- CC01 (Phiếu thu nhận thông tin căn cước), CC02 (Giấy hẹn trả thẻ căn cước), CC03 (Thông báo từ
  chối): issued by staff; the identity plugins render them with `render_form`.

The template names are here so plugins never spell a path.
"""

from __future__ import annotations

from typing import Any

from portal.core.pdf import render_pdf

TEMPLATES = {
    "DC02": "citizen_id/pdf/dc02.html",
    "CC01": "citizen_id/pdf/cc01.html",
    "CC02": "citizen_id/pdf/cc02.html",
    "CC03": "citizen_id/pdf/cc03.html",
}
NAMES = {
    "DC02": "Phiếu đề nghị giải quyết thủ tục về căn cước",
    "CC01": "Phiếu thu nhận thông tin căn cước",
    "CC02": "Giấy hẹn trả thẻ căn cước",
    "CC03": "Thông báo về việc từ chối giải quyết thủ tục về căn cước",
}


def person_data(person, *, phone: str = "", email: str = "") -> dict[str, Any]:
    """What the registry knows of a person, as the forms print it (Decision 06/QĐ-TTg: prefilled)."""
    from residence.services.common import current_permanent

    from .models import FormerIdNumber

    permanent = current_permanent(person)
    former = FormerIdNumber.objects.filter(person=person).order_by("-issued_on").first()
    return {
        "full_name": person.full_name,
        "date_of_birth": person.date_of_birth,
        "sex_label": str(person.get_sex_display()),
        "personal_id": person.personal_id,
        "former_id_number": former.number if former else "",
        "ethnicity": person.ethnicity,
        "religion": person.religion,
        "nationality": person.nationality,
        "hometown": person.hometown,
        "permanent_address": permanent.address.full if permanent else "",
        "phone": phone,
        "email": email,
    }


def render_form(code: str, context: dict[str, Any] | None = None) -> bytes:
    """One of DC02, CC01, CC02, CC03 as PDF bytes; `context` as each template documents
    (without it, the blank form)."""
    code = code.upper()
    return render_pdf(
        TEMPLATES[code],
        {"form_code": code, "form_name": NAMES[code], "data": {}, **(context or {})},
    )
