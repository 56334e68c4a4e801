"""Read side of the catalogue. The catalogue is public: anyone may see published procedures."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from portal.core.errors import NotFound
from portal.core.text import fold

from .models import FormTemplate, Procedure


def published_procedures(
    *, q: str = "", field: str = "", level: int | str | None = None, detail: bool = False
) -> QuerySet[Procedure]:
    """Published procedures, filtered. `q` is accent-insensitive and every word must match."""
    qs = Procedure.objects.filter(is_published=True).prefetch_related("fees")
    if detail:
        qs = qs.prefetch_related(
            "legal_bases",
            "required_documents",
            Prefetch("forms", queryset=FormTemplate.objects.order_by("code")),
        )
    for word in fold(q).split():
        qs = qs.filter(search_text__contains=word)
    if field:
        qs = qs.filter(field=field)
    if level not in (None, ""):
        try:
            qs = qs.filter(level=int(level))
        except (TypeError, ValueError):
            qs = qs.none()
    return qs.order_by("field", "code")


def get_published_procedure(*, code: str) -> Procedure:
    try:
        return published_procedures(detail=True).get(code=code)
    except Procedure.DoesNotExist:
        raise NotFound(
            _("Không tìm thấy thủ tục có mã %(code)s.") % {"code": code},
            code="procedure_not_found",
        ) from None


def downloadable_form(*, procedure: Procedure, form_code: str) -> FormTemplate:
    """The form of a level >= 2 procedure that lists it; anything else is a 404."""
    if procedure.level < 2:
        raise NotFound(_("Thủ tục mức độ 1 không cung cấp biểu mẫu."), code="form_not_found")
    for form in procedure.forms.all():
        if form.code.lower() == form_code.lower():
            return form
    raise NotFound(_("Thủ tục không có mẫu %(form)s.") % {"form": form_code}, code="form_not_found")
