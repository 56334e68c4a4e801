"""Background jobs of the dossier engine."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="dossiers.render_document", acks_late=True, max_retries=3)
def render_document_task(document_id: int) -> str:
    """Render a document's PDF after the transition committed (idempotent)."""
    from portal.dossiers.services import render_document

    return render_document(document_id=document_id).status


@shared_task(name="dossiers.notify_overdue", ignore_result=True)
def notify_overdue_task() -> int:
    """Tell each citizen, once, that their dossier passed its due moment (beat, every few
    minutes)."""
    from portal.dossiers.services import notify_overdue

    return notify_overdue()


@shared_task(name="dossiers.render_pending_documents", ignore_result=True)
def render_pending_documents_task() -> int:
    """Beat: queue again the rendering of documents still pending after the grace period (their
    task was lost, e.g. the broker was down at commit)."""
    from portal.dossiers.documents import requeue_pending

    return requeue_pending()
