"""What the engine calls when it renders a document (portal.dossiers.services.render_document)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.urls import reverse

from portal.signing.signer import SigningError, sign_pdf

__all__ = ["SigningError", "finish_pdf", "must_sign", "verify_url"]

SIGNED_LEVEL = 4


def verify_url(document) -> str:
    """The public address printed as a QR code on every issued document."""
    path = reverse("verify-document", kwargs={"public_id": document.public_id})
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}"


def must_sign(document) -> bool:
    """Results of level-4 procedures (online end to end) are digitally signed."""
    from portal.dossiers.models import Document

    return (
        document.kind == Document.Kind.RESULT
        and getattr(document.dossier.procedure, "level", None) == SIGNED_LEVEL
    )


def finish_pdf(document, pdf: bytes) -> tuple[bytes, bool, str]:
    """(final bytes, signed?, SHA-256 of the final bytes). Raises SigningError."""
    signed = False
    if must_sign(document):
        pdf = sign_pdf(pdf, unit=document.dossier.unit)
        signed = True
    return pdf, signed, hashlib.sha256(pdf).hexdigest()


def signed_result(*, dossier):
    """The dossier's signed result document and its bytes, for an electronic return. Renders it
    now if the worker has not yet (idempotent). Raises Conflict when there is none to send."""
    from django.utils.translation import gettext as _

    from portal.core.errors import Conflict
    from portal.dossiers.models import Document
    from portal.dossiers.services import render_document

    document = dossier.documents.filter(kind=Document.Kind.RESULT).order_by("-created_at", "-pk")
    document = document.first()
    if document is None:
        raise Conflict(
            _("Hồ sơ chưa có văn bản kết quả để trả bản điện tử."), code="no_result_document"
        )
    if document.status != Document.Status.READY:
        document = render_document(document_id=document.pk)
    if document.status != Document.Status.READY or not document.signed:
        raise Conflict(
            _("Văn bản kết quả chưa được ký số. Vui lòng thử lại sau ít phút."),
            code="result_not_signed",
        )
    try:
        with document.file.open("rb") as handle:
            content = handle.read()
    except (FileNotFoundError, ValueError):
        raise Conflict(
            _("Không đọc được tệp kết quả đã ký số. Vui lòng thử lại sau ít phút."),
            code="result_not_signed",
        ) from None
    return document, content
