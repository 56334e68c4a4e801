"""Documents (CT04 slip, CT05, CT06, results): what goes on them, issuing and rendering."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.catalogue.models import ResultMethod
from portal.core import dispatch
from portal.dossiers.models import (
    Document,
    Dossier,
    DossierEvent,
)
from portal.dossiers.services._common import (
    _json_safe,
    _now,
    _slip,
    display_plugin,
    get_plugin,
    logger,
)


def document_context(dossier: Dossier, **extra) -> dict[str, Any]:
    """Facts frozen at issue time (JSON only): the document says what was true then."""
    from django.conf import settings

    plugin = display_plugin(dossier.procedure)
    try:
        summary = [list(row) for row in plugin.summary(dossier=dossier)]
    except Exception:  # noqa: BLE001 - a plugin's summary must not block a transition
        logger.exception("Plugin summary failed for %s", dossier.code)
        summary = []
    return {
        "code": dossier.code,
        "lookup_url": f"{settings.PUBLIC_BASE_URL.rstrip('/')}{reverse('public-lookup')}?ma={dossier.code}",
        "procedure": {"code": dossier.procedure.code, "name": dossier.procedure.name_vi},
        "unit": {
            "code": dossier.unit.code,
            "name": dossier.unit.name,
            "address": dossier.unit.address,
            "phone": dossier.unit.phone,
            "parent_name": dossier.unit.parent.name if dossier.unit.parent_id else "",
        },
        "applicant": {
            "name": dossier.applicant_name,
            "personal_id": dossier.applicant_personal_id,
            "phone": dossier.applicant_phone,
            "email": dossier.applicant_email,
            "address": dossier.applicant_address,
        },
        "summary": summary,
        "documents": _documents_received(dossier),
        "attachments": [
            {
                "name": a.original_name,
                "requirement_key": a.requirement_key,
                "content_type": a.content_type,
            }
            for a in dossier.attachments.all()
        ],
        "result_method": dossier.result_method,
        "result_method_label": str(ResultMethod(dossier.result_method).label)
        if dossier.result_method
        else "",
        "result_address": dossier.result_address,
        "fee_amount": dossier.fee_amount,
        "submitted_at": dossier.submitted_at.isoformat() if dossier.submitted_at else None,
        "received_at": dossier.received_at.isoformat() if dossier.received_at else None,
        "accepted_at": dossier.accepted_at.isoformat() if dossier.accepted_at else None,
        "due_at": dossier.due_at.isoformat() if dossier.due_at else None,
        "issued_at": _now().isoformat(),
        **extra,
    }


def _documents_received(dossier: Dossier) -> list[dict[str, Any]]:
    """The table of documents on the slips: each required document with the files given for it,
    then the other papers the citizen added."""
    attachments = list(dossier.attachments.all())
    rows = []
    for required in dossier.procedure.required_documents.all():
        files = [a.original_name for a in attachments if a.requirement_key == required.key]
        if files or required.is_mandatory:
            rows.append(
                {
                    "name": required.name,
                    "copy_kind_label": str(required.get_copy_kind_display()),
                    "quantity": required.quantity,
                    "files": files,
                }
            )
    known = {r.key for r in dossier.procedure.required_documents.all()}
    others = [a.original_name for a in attachments if a.requirement_key not in known]
    if others:
        rows.append(
            {
                "name": _("Giấy tờ khác"),
                "copy_kind_label": "",
                "quantity": len(others),
                "files": others,
            }
        )
    return rows


def issue_document(
    dossier: Dossier,
    *,
    kind: str,
    template_name: str,
    event: DossierEvent | None,
    context: dict,
) -> Document:
    document = Document.objects.create(
        dossier=dossier, kind=kind, template_name=template_name, context=context, event=event
    )
    document_id = document.pk

    def _schedule() -> None:
        try:
            dispatch.send("portal.dossiers.tasks.render_document_task", args=[document_id])
        except Exception:  # noqa: BLE001 - broker down: re-queued by a download or the beat task
            logger.exception("Could not queue rendering of document %s", document_id)

    transaction.on_commit(_schedule)
    return document


def _form_value(value):
    """A stored form value as written on a paper form: ISO dates dd/mm/yyyy."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    if isinstance(value, list):
        return [_form_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _form_value(v) for k, v in value.items()}
    return value


def filled_form_values(dossier: Dossier) -> dict[str, Any]:
    """The `f` dict a form template (templates/pdf/forms/*) reads to print a filled tờ khai: the
    applicant (account and dossier), the form data (dates dd/mm/yyyy) and what the plugin adds
    (plugin.form_context: household head, members …). A blank form has no `f` at all."""
    citizen = dossier.citizen
    values = {k: _form_value(v) for k, v in (dossier.form_data or {}).items()}
    sex = getattr(citizen, "sex", "") or ""
    born = getattr(citizen, "date_of_birth", None)
    members = values.get("members") or values.get("household_members") or []
    filled: dict[str, Any] = {
        "addressee": dossier.unit.name if dossier.unit_id else "",
        "full_name": dossier.applicant_name,
        "personal_id": dossier.applicant_personal_id,
        "date_of_birth": born.strftime("%d/%m/%Y") if born else "",
        "sex": {"M": _("Nam"), "F": _("Nữ")}.get(sex, sex),
        "phone": dossier.applicant_phone,
        "email": dossier.applicant_email,
        "address": dossier.applicant_address,
        "request": dossier.procedure.name_vi,
        "head_name": "",
        "head_relation": "",
        "head_personal_id": "",
        "members": [m for m in members if isinstance(m, dict)],
        "values": values,
        "place_date": timezone.localdate().strftime(_("ngày %d tháng %m năm %Y")),
    }
    try:
        filled.update(get_plugin(dossier.procedure).form_context(dossier=dossier) or {})
    except Exception:  # noqa: BLE001 - a plugin's extras must not block the submission
        logger.exception("Plugin form_context failed for %s", dossier.code)
    return _json_safe(filled)


def issue_filled_form(dossier: Dossier, *, event: DossierEvent | None) -> Document | None:
    """The procedure's form (its first FormTemplate: CT01, CT03 …) filled with the dossier's data,
    issued once as a Document and rendered after commit like the slips. None when the procedure
    has no form or the dossier has its filled form already."""
    from portal.catalogue.selectors import first_form

    form = first_form(dossier.procedure)  # kept in memory for the catalogue version
    if form is None or dossier.documents.filter(kind=Document.Kind.FORM).exists():
        return None
    context = document_context(
        dossier,
        title=f"Mẫu {form.code} – {form.name.split(' (')[0]}",
        form={"code": form.code, "name": form.name, "legal_source": form.legal_source},
        f=filled_form_values(dossier),
    )
    context["procedure"]["name_vi"] = dossier.procedure.name_vi
    context["f"]["summary"] = context["summary"]
    context = _slip(dossier, "form", form.template_name, context)[1]
    return issue_document(
        dossier,
        kind=Document.Kind.FORM,
        template_name=form.template_name,
        event=event,
        context=context,
    )


def _to_datetime(value):
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


def _render_context(context: dict, document: Document | None = None) -> dict:
    from portal.core.pdf import qr_data_uri

    ctx = dict(context)
    for key in ("submitted_at", "received_at", "accepted_at", "due_at", "issued_at"):
        if ctx.get(key):
            ctx[key] = timezone.localtime(_to_datetime(ctx[key]))
    # Dates a plugin's slip adds (slip_context), frozen as ISO strings.
    if isinstance(ctx.get("appointment_at"), str):
        ctx["appointment_at"] = timezone.localtime(_to_datetime(ctx["appointment_at"]))
    for holder, key in (
        (ctx, "return_on"),
        (ctx, "captured_on"),
        (ctx.get("data"), "date_of_birth"),
    ):
        if isinstance(holder, dict) and isinstance(holder.get(key), str):
            try:
                holder[key] = dt.date.fromisoformat(holder[key])
            except ValueError:  # noqa: PERF203 - not a date: printed as given
                continue
    if document is not None:  # the QR code opens the public verification page (portal.signing)
        from portal.signing.services import verify_url

        ctx["verify_url"] = verify_url(document)
    if target := ctx.get("verify_url") or ctx.get("lookup_url"):
        try:
            ctx["qr"] = qr_data_uri(target)
        except Exception:  # noqa: BLE001
            logger.exception("QR code failed")
    return ctx


def render_document(*, document_id: int) -> Document:
    """Render a document's PDF from its frozen context. Idempotent: a ready document is returned
    as is. A missing template or a rendering error marks it failed (logged), never raises."""
    from django.template import TemplateDoesNotExist

    from portal.core.pdf import render_pdf

    with transaction.atomic():
        document = (
            Document.objects.select_for_update(of=("self",))
            .select_related("dossier")
            .get(pk=document_id)
        )
        if document.status == Document.Status.READY and document.file:
            return document
        try:
            pdf = render_pdf(document.template_name, _render_context(document.context, document))
        except TemplateDoesNotExist:
            logger.error("Document %s: template %s is missing", document.pk, document.template_name)
            document.status = Document.Status.FAILED
            document.save(update_fields=["status"])
            return document
        except Exception:  # noqa: BLE001
            logger.exception("Document %s could not be rendered", document.pk)
            document.status = Document.Status.FAILED
            document.save(update_fields=["status"])
            return document
        from portal.signing.services import SigningError, finish_pdf

        try:  # level-4 results are signed with the unit's certificate; the SHA-256 is recorded
            pdf, document.signed, document.sha256 = finish_pdf(document, pdf)
        except SigningError:
            logger.exception("Document %s could not be signed", document.pk)
            document.status = Document.Status.FAILED
            document.save(update_fields=["status"])
            return document
        name = f"{document.kind}-{document.pk}.pdf"
        document.file.save(name, ContentFile(pdf), save=False)
        document.status = Document.Status.READY
        document.save(update_fields=["status", "file", "signed", "sha256"])
        return document
