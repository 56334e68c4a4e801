"""Result documents of the residence procedures.

`result_notice` builds the CT08 notice (Thông tư 66/2023/TT-BCA) that procedures ending in a
registry change issue on approval; the engine renders it after commit from the frozen context.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.dossiers.registry import ResultDocumentSpec

CT08_TEMPLATE = "residence/pdf/ct08.html"


def result_notice(
    *, title: str, lines: list[tuple[str, str]], text: str = "", signer_role: str = ""
) -> ResultDocumentSpec:
    """A CT08 result notice: `title` names the procedure's outcome ("Đăng ký thường trú"),
    `lines` are label/value pairs (the new address, the dates …), `text` one sentence."""
    return ResultDocumentSpec(
        template_name=CT08_TEMPLATE,
        title=str(title),
        context={
            "notice": {
                "title": str(title),
                "text": str(text),
                "lines": [[str(k), str(v)] for k, v in lines],
            },
            "approved_on": timezone.localdate().strftime("%d/%m/%Y"),
            "signer_role": str(signer_role or _("Trưởng Công an")),
        },
    )


def registry_form_context(*, personal_id: str) -> dict[str, str]:
    """Household head and relation of a person, as the registry holds them, for the filled CT01
    (ProcedurePlugin.form_context): {} when the registry does not know the person."""
    from residence.models import Relation
    from residence.services.common import current_membership, find_person, household_head

    person = find_person(personal_id)
    membership = current_membership(person) if person is not None else None
    if membership is None:
        return {}
    head = household_head(membership.household)
    relation = membership.relation
    return {
        "head_name": head.full_name if head else "",
        "head_personal_id": head.personal_id if head else "",
        "head_relation": str(Relation(relation).label) if relation in Relation.values else relation,
    }
