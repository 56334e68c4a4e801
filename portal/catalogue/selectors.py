"""Read side of the catalogue. The catalogue is public: anyone may see published procedures."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.errors import NotFound
from portal.core.text import fold

from .models import FormTemplate, Procedure, ProcedureFee


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
            qs = qs.filter(_effective_level_is(int(level)))
        except (TypeError, ValueError):
            qs = qs.none()
    return qs.order_by("field", "code")


def _effective_level_is(level: int) -> Q:
    """`Procedure.effective_level == level` as a query: a level 3–4 procedure without a plugin is
    level 2; a level-4 one with an online fee and no payment provider is level 3."""
    from portal.dossiers import payments
    from portal.dossiers.registry import registry

    online = Q(code__in=registry.codes())
    fee = Exists(
        ProcedureFee.objects.filter(
            procedure=OuterRef("pk"), channel=ProcedureFee.Channel.ONLINE, amount__gt=0
        ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=timezone.localdate()))
    )
    if payments.available():
        level_3, level_4 = Q(level=3) & online, Q(level=4) & online
    else:  # a level-4 procedure with an online fee cannot be paid online: it is level 3
        level_3 = online & (Q(level=3) | (Q(level=4) & fee))
        level_4 = online & Q(level=4) & ~fee
    by_level = {1: Q(level=1), 2: Q(level=2) | (Q(level__gte=3) & ~online), 3: level_3, 4: level_4}
    return by_level.get(level, Q(pk__in=[]))


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


# --- for filing dossiers: kept in memory for the catalogue version (portal/catalogue/memo.py) ---
# The instances are shared by the requests of a process: read them, never modify them.


def _with_fees(queryset: QuerySet[Procedure]) -> Procedure | None:
    return queryset.prefetch_related("fees").first()


def filing_procedure(*, code: str) -> Procedure | None:
    """The published procedure with this code, its fees loaded, or None."""
    from .memo import remembered

    code = str(code or "").strip()
    if not code:
        return None
    return remembered(
        "procedure-code",
        code,
        lambda: _with_fees(Procedure.objects.filter(code=code, is_published=True)),
    )


def procedure_by_id(pk: int) -> Procedure | None:
    """The procedure (published or not: an existing dossier's), its fees loaded."""
    from .memo import remembered

    return remembered("procedure-id", pk, lambda: _with_fees(Procedure.objects.filter(pk=pk)))


def first_form(procedure: Procedure) -> FormTemplate | None:
    """The procedure's first form template by code (the one a dossier is filled on), or None."""
    from .memo import remembered

    found = remembered(
        "procedure-first-form",
        procedure.pk,
        lambda: [procedure.forms.order_by("code").first()],
    )
    return found[0] if found else None
