"""Public catalogue pages (levels 1 and 2 of the notice): list, detail, downloadable forms."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from portal.core.errors import NotFound
from portal.core.pdf import render_pdf

from . import presentation
from .models import DECREE_42_NAMES, Field, ProcedureFee, ResultMethod, ServiceLevel
from .selectors import downloadable_form, get_published_procedure, published_procedures


def procedure_list(request):
    q = request.GET.get("q", "").strip()[:200]
    field = request.GET.get("field", "")
    if field not in Field.values:
        field = ""
    level = request.GET.get("level", "")
    if level not in {str(v) for v in ServiceLevel.values}:
        level = ""
    today = timezone.localdate()
    rows = []
    for p in published_procedures(q=q, field=field, level=level):
        rows.append(
            {
                "procedure": p,
                "deadline": presentation.deadline_text(p),
                "fee_in_person": presentation.fee_text(
                    p.fee_on(today, ProcedureFee.Channel.IN_PERSON)
                ),
                "fee_online": presentation.fee_text(p.fee_on(today, ProcedureFee.Channel.ONLINE)),
            }
        )
    context = {
        "rows": rows,
        "q": q,
        "field": field,
        "level": level,
        "fields": Field.choices,
        "levels": [(v, label, DECREE_42_NAMES[v]) for v, label in ServiceLevel.choices],
        "filtered": bool(q or field or level),
    }
    return render(request, "catalogue/list.html", context)


def procedure_detail(request, code: str):
    try:
        procedure = get_published_procedure(code=code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    try:
        estimate = presentation.current_estimate(procedure)
    except Exception:  # noqa: BLE001 - the estimate is a courtesy; never break the page for it
        estimate = None
    methods = dict(ResultMethod.choices)
    context = {
        "p": procedure,
        "deadline": presentation.deadline_text(procedure),
        "fees_in_person": presentation.fee_schedule(procedure, ProcedureFee.Channel.IN_PERSON),
        "fees_online": presentation.fee_schedule(procedure, ProcedureFee.Channel.ONLINE),
        "result_methods": [methods.get(m, m) for m in procedure.result_methods],
        "forms": list(procedure.forms.all()) if procedure.level >= ServiceLevel.FORMS else [],
        "estimate": estimate,
        "submit_url": f"/ho-so/nop/{procedure.code}/",
        "handling_level_label": handling_level_label(procedure.handling_level),
        "office": _office_for(request.user, procedure)
        if not procedure.allows_online_submission
        else None,
    }
    return render(request, "catalogue/detail.html", context)


def _office_for(user, procedure):
    """The police unit where a logged-in citizen would file in person (their commune's)."""
    area = getattr(user, "current_area", None) or getattr(user, "permanent_area", None)
    if area is None:
        return None
    from portal.dossiers.services import unit_for

    return unit_for(procedure=procedure, area=area)


def handling_level_label(level: str) -> str:
    return {
        "commune": _("Công an cấp xã"),
        "province": _("Công an cấp tỉnh"),
        "district": _("Công an cấp huyện"),
        "ministry": _("Bộ Công an"),
    }.get(level, level)


def form_filename(form) -> str:
    return f"Mẫu {form.code} - {form.name.split(' (')[0]}.pdf"


def form_pdf(request, code: str, form_code: str):
    try:
        procedure = get_published_procedure(code=code)
        form = downloadable_form(procedure=procedure, form_code=form_code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    pdf = render_pdf(form.template_name, {"form": form, "procedure": procedure})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=form_filename(form)
    )
    return response
