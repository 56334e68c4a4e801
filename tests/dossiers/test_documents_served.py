"""Issued documents are rendered once (by the task that runs after the commit) and every request
path serves the stored file: the citizen page, the API and the back office never render.
Renders are counted with the renderer's own counter (portal.core.pdf.render_count)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from portal.core import pdf
from portal.dossiers import documents, services
from portal.dossiers.models import Document

pytestmark = pytest.mark.django_db

API = "/api/v1/dossiers/"


@pytest.fixture(autouse=True)
def _own_cache(settings):
    # the "re-queued once per grace period" marks live in the cache: a fresh one per test
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"documents-{uuid.uuid4().hex}",
        }
    }


def _page_url(document):
    return reverse("dossiers:document", args=[document.dossier.code, document.pk])


def _api_url(document):
    return f"{API}{document.dossier.code}/documents/{document.pk}/"


def _clients(citizen):
    page = Client()
    page.force_login(citizen)
    api = APIClient()
    api.force_authenticate(citizen)
    return page, api


def test_a_document_is_rendered_once_after_commit_and_served_from_storage(
    make_dossier, citizen, eager_tasks, django_capture_on_commit_callbacks
):
    before = pdf.render_count
    with django_capture_on_commit_callbacks(execute=True):
        dossier = make_dossier("received")
    issued = list(dossier.documents.all())
    assert issued and all(d.status == Document.Status.READY for d in issued)
    assert pdf.render_count - before == len(issued)  # each one rendered exactly once
    receipt = dossier.documents.get(kind=Document.Kind.RECEIPT)
    with receipt.file.open("rb") as handle:
        stored = handle.read()

    page, api = _clients(citizen)
    rendered = pdf.render_count
    first = page.get(_page_url(receipt))
    second = page.get(_page_url(receipt))
    from_api = api.get(_api_url(receipt))
    assert pdf.render_count == rendered  # downloads render nothing
    for response in (first, second, from_api):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == stored
        assert response["Cache-Control"].startswith("private")
        assert response["ETag"]
    assert first["Content-Disposition"].startswith("inline;")
    assert f"receipt-{dossier.code}.pdf" in first["Content-Disposition"]
    assert from_api["Content-Disposition"].startswith("attachment;")
    # a browser that has it already gets 304 without the file
    again = page.get(_page_url(receipt), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert pdf.render_count == rendered


def test_a_document_not_rendered_yet_answers_being_made_without_rendering(
    make_dossier, citizen, settings
):
    dossier = make_dossier("received")  # the test's transaction never commits: still pending
    receipt = dossier.documents.get(kind=Document.Kind.RECEIPT)
    assert receipt.status == Document.Status.PENDING
    page, api = _clients(citizen)
    before = pdf.render_count

    response = page.get(_page_url(receipt))
    assert response.status_code == 202
    assert response["Retry-After"] == str(documents.RETRY_AFTER_SECONDS)
    body = response.content.decode()
    assert "Văn bản đang được tạo." in body
    assert f'http-equiv="refresh" content="{documents.RETRY_AFTER_SECONDS}"' in body

    response = api.get(_api_url(receipt))
    assert response.status_code == 409
    assert response.json()["code"] == "document_pending"
    assert response["Retry-After"] == str(documents.RETRY_AFTER_SECONDS)

    assert pdf.render_count == before
    receipt.refresh_from_db()
    assert receipt.status == Document.Status.PENDING


def test_the_back_office_serves_the_stored_file_and_never_renders(
    make_dossier, receiving_officer, settings
):
    from portal.backoffice.testing import login_staff

    settings.BACKOFFICE_OTP_REQUIRED = True
    dossier = make_dossier("received")
    receipt = dossier.documents.get(kind=Document.Kind.RECEIPT)
    staff = Client()
    login_staff(staff, receiving_officer)
    url = reverse("admin:dossiers_dossier_document", args=[dossier.pk, receipt.pk])
    before = pdf.render_count
    pending = staff.get(url)
    assert pending.status_code == 302  # back to the dossier, with "đang được tạo"
    assert pdf.render_count == before
    services.render_document(document_id=receipt.pk)  # the worker
    rendered = pdf.render_count
    served = staff.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert b"".join(served.streaming_content).startswith(b"%PDF-")
    assert "no-store" in served["Cache-Control"]  # staff machines keep no copy
    assert pdf.render_count == rendered


def test_a_failed_document_is_not_rendered_in_the_request(make_dossier, citizen):
    dossier = make_dossier("received")
    receipt = dossier.documents.get(kind=Document.Kind.RECEIPT)
    Document.objects.filter(pk=receipt.pk).update(status=Document.Status.FAILED)
    page, api = _clients(citizen)
    before = pdf.render_count
    assert page.get(_page_url(receipt)).status_code == 404
    response = api.get(_api_url(receipt))
    assert response.status_code == 409 and response.json()["code"] == "document_unavailable"
    assert pdf.render_count == before


def test_a_lost_render_task_is_queued_again_once(make_dossier, citizen, eager_tasks):
    """Pending past the grace period (its task was lost): the first request queues it again (here
    without a broker, as in development, the task runs in that request), once; afterwards the
    stored file is served."""
    dossier = make_dossier("received")
    receipt = dossier.documents.get(kind=Document.Kind.RECEIPT)
    Document.objects.filter(pk=receipt.pk).update(
        created_at=receipt.created_at - documents.grace() - timedelta(seconds=1)
    )
    page, _api = _clients(citizen)
    before = pdf.render_count
    first = page.get(_page_url(receipt))
    assert first.status_code == 200
    assert b"".join(first.streaming_content).startswith(b"%PDF-")
    assert page.get(_page_url(receipt)).status_code == 200
    assert pdf.render_count - before == 1


def test_a_young_pending_document_is_not_queued_again(make_dossier, citizen, eager_tasks):
    dossier = make_dossier("received")
    receipt = dossier.documents.get(kind=Document.Kind.RECEIPT)
    page, _api = _clients(citizen)
    before = pdf.render_count
    assert page.get(_page_url(receipt)).status_code == 202
    assert pdf.render_count == before


def test_beat_queues_the_stale_pending_documents(make_dossier, eager_tasks):
    dossier = make_dossier("received")
    stale = dossier.documents.get(kind=Document.Kind.RECEIPT)
    Document.objects.filter(pk=stale.pk).update(
        created_at=stale.created_at - documents.grace() - timedelta(seconds=1)
    )
    young_pending = dossier.documents.filter(status=Document.Status.PENDING).exclude(pk=stale.pk)
    before = pdf.render_count
    from portal.dossiers.tasks import render_pending_documents_task

    assert render_pending_documents_task() == 1
    stale.refresh_from_db()
    assert stale.status == Document.Status.READY and stale.file
    assert pdf.render_count - before == 1
    assert all(d.status == Document.Status.PENDING for d in young_pending)
    assert render_pending_documents_task() == 0  # nothing left to do
