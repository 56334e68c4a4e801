"""Signing fixtures: the back office's (units, staff, make_dossier, staff_client …), a development
PKI in a temporary folder, a level-4 procedure whose results are signed, a loopback SMTP server."""

from __future__ import annotations

import uuid

import pytest

from portal.celery import app as celery_app
from tests.backoffice.conftest import *  # noqa: F403 - reuse the engine's and back office's fixtures
from tests.notifications.conftest import SmtpSink


@pytest.fixture(scope="session")
def pki_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("pki")


@pytest.fixture(autouse=True)
def _signing_settings(settings, pki_dir):
    settings.SIGNING_PKI_DIR = str(pki_dir)
    settings.SIGNING_PKCS12_PATH = ""
    settings.SIGNING_TRUST_ROOTS = []
    settings.PUBLIC_BASE_URL = "https://dichvucong.example.vn"
    # rate-limit counters of this test only
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"signing-{uuid.uuid4().hex}",
        }
    }


@pytest.fixture
def eager_celery():
    old = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = old


@pytest.fixture
def smtp_server(settings):
    sink = SmtpSink()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    yield sink
    sink.close()


@pytest.fixture
def level4(procedure):
    """Khai báo tạm vắng as the catalogue has it: level 4 (online end to end), electronic result
    allowed; free, so a submitted dossier goes straight to reception."""
    procedure.level = 4
    procedure.result_methods = ["electronic", "in_person"]
    procedure.save(update_fields=["level", "result_methods"])
    return procedure


@pytest.fixture
def approved_electronic(level4, make_dossier):
    """An approved level-4 dossier whose citizen chose the electronic result."""
    from portal.dossiers.models import Dossier

    dossier = make_dossier("approved", procedure=level4)
    Dossier.objects.filter(pk=dossier.pk).update(result_method="electronic")
    return Dossier.objects.get(pk=dossier.pk)


@pytest.fixture
def signed_result(approved_electronic):
    """The rendered (and signed) result document of `approved_electronic`, and its bytes."""
    from portal.dossiers import services
    from portal.dossiers.models import Document

    document = approved_electronic.documents.get(kind=Document.Kind.RESULT)
    document = services.render_document(document_id=document.pk)
    assert document.status == Document.Status.READY
    with document.file.open("rb") as handle:
        return document, handle.read()
