"""Serving issued documents (CT04, CT05, CT06, apology, results, filled forms) from storage.

Every document is rendered ONCE, by the worker after the commit that issued it
(`services.render_document`, task `dossiers.render_document`), and stored. Request paths (citizen
pages, the API, the back office) only stream the stored file; they never render:

- READY → the stored PDF, streamed (FileResponse), with `Content-Type: application/pdf`, a
  `Content-Disposition` with the file name, an `ETag` (a stored document never changes) and
  `Cache-Control: private` (a repeat download with `If-None-Match` gets 304 without reading the file).
- PENDING → "đang tạo": the page answers 202 with `Retry-After` (and refreshes itself), the API
  409 `document_pending` with `Retry-After`. If the document has waited longer than
  `DOCUMENTS_RENDER_GRACE_SECONDS` (its task was lost: broker down at commit), the request
  re-queues its rendering, at most once per grace period; the beat task
  `dossiers.render_pending_documents` does the same for documents nobody asked for.
  Without a broker (development: tasks run in-process) the re-queued task renders in that
  request, once, and stores the file.
- FAILED → the page answers 404, the API 409 `document_unavailable` (logged when it failed).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.http import quote_etag

from portal.core import dispatch
from portal.dossiers.models import Document

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


def grace() -> timedelta:
    return timedelta(seconds=getattr(settings, "DOCUMENTS_RENDER_GRACE_SECONDS", 30))


def is_ready(document: Document) -> bool:
    return document.status == Document.Status.READY and bool(document.file)


def is_pending(document: Document) -> bool:
    return document.status == Document.Status.PENDING


def requeue_if_stale(document: Document) -> bool:
    """A pending document older than the grace period: queue its rendering again (at most once
    per grace period and document, across processes). True if queued."""
    if not is_pending(document) or timezone.now() - document.created_at < grace():
        return False
    if not _first_in_grace(document.pk):
        return False
    return _queue(document.pk)


def _first_in_grace(document_id: int) -> bool:
    """True for the first caller per document and grace period. A cache that does not answer
    lets the caller queue anyway (rendering is idempotent: a duplicate task finds it ready)."""
    try:
        return cache.add(f"dossiers:document-render:{document_id}", 1, grace().total_seconds())
    except Exception:  # noqa: BLE001
        logger.warning("cache unavailable; queueing the rendering of document %s", document_id)
        return True


def _queue(document_id: int) -> bool:
    try:
        dispatch.send("portal.dossiers.tasks.render_document_task", args=[document_id])
    except Exception:  # noqa: BLE001 - broker down: the beat task tries again
        logger.exception("Could not queue rendering of document %s", document_id)
        return False
    return True


def requeue_pending(*, limit: int = 200) -> int:
    """Beat: queue the rendering of documents left pending past the grace period."""
    cutoff = timezone.now() - grace()
    ids = list(
        Document.objects.filter(status=Document.Status.PENDING, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    queued = 0
    for pk in ids:
        if _first_in_grace(pk) and _queue(pk):
            queued += 1
    return queued


def etag(document: Document) -> str:
    return quote_etag(f"doc-{document.pk}-{document.file.name}")


def stored_response(
    request,
    document: Document,
    *,
    filename: str,
    as_attachment: bool,
    cache_control: str = "private, max-age=86400",
):
    """The stored PDF of a READY document, streamed; 304 for a matching If-None-Match.
    Raises FileNotFoundError when the stored file is gone."""
    tag = etag(document)
    if tag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
    else:
        handle = document.file.open("rb")
        response = FileResponse(
            handle, content_type="application/pdf", as_attachment=as_attachment, filename=filename
        )
    response["ETag"] = tag
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    return response
