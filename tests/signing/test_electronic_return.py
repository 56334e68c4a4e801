"""The citizen's choice of an electronic result is honoured: staff are offered it, the email at
the loopback SMTP server carries the signed PDF and a link, the dossier page keeps it."""

from __future__ import annotations

import io

import pytest

from portal.backoffice import services as backoffice
from portal.core.errors import DomainError
from portal.dossiers.models import Document, Dossier, DossierEvent, State
from tests.backoffice.test_staff_screens import _options, action_url

pytestmark = pytest.mark.django_db


def test_return_form_offers_the_electronic_result_the_citizen_chose(
    approved_electronic, staff_client, receiving_officer
):
    html = (
        staff_client(receiving_officer)
        .get(action_url(approved_electronic, "return_result"))
        .content.decode()
    )
    options = _options(html, "method")
    assert options[0][0] == "electronic" and options[0][2]  # first and pre-selected
    assert "Bản điện tử (có ký số)" in options[0][1]


def test_electronic_return_emails_the_signed_pdf_with_a_link(
    approved_electronic,
    signed_result,
    receiving_officer,
    smtp_server,
    eager_celery,
    django_capture_on_commit_callbacks,
    client,
    citizen,
):
    document, data = signed_result
    with django_capture_on_commit_callbacks(execute=True):
        dossier = backoffice.return_result(
            dossier=approved_electronic, actor=receiving_officer, method="electronic"
        )
    assert dossier.state == State.RESULT_RETURNED
    event = DossierEvent.objects.filter(dossier=dossier, action="return_result").get()
    assert event.details["method"] == "electronic"
    assert event.details["document"] == str(document.public_id)

    # (the notices queued earlier in this dossier's life may go in the same batch)
    with_pdf = [
        (rcpt, msg)
        for rcpt, msg in smtp_server.messages
        if any(part.get_content_type() == "application/pdf" for part in msg.walk())
    ]
    ((recipients, message),) = with_pdf
    assert recipients == [citizen.email]
    parts = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    (attachment,) = parts
    assert attachment.get_filename() == f"ket-qua-{dossier.code}.pdf"
    content = attachment.get_content()
    assert content == data  # the signed PDF itself, byte for byte

    from pyhanko.pdf_utils.reader import PdfFileReader

    assert len(PdfFileReader(io.BytesIO(content)).embedded_signatures) == 1
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_content()
    assert f"https://dichvucong.example.vn/ho-so/{dossier.code}/" in text
    assert "Bản điện tử (có ký số)" in text

    # what arrived verifies on /xac-thuc/
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = client.post(
        "/api/v1/verify/", {"file": SimpleUploadedFile("kq.pdf", content, "application/pdf")}
    ).json()
    assert body["signature_valid"] and body["issued_here"]

    # and the dossier page keeps it downloadable, marked as signed
    client.force_login(citizen)
    html = client.get(f"/ho-so/{dossier.code}/").content.decode()
    assert f"/ho-so/{dossier.code}/van-ban/{document.pk}/" in html
    assert "Có ký số" in html
    download = client.get(f"/ho-so/{dossier.code}/van-ban/{document.pk}/")
    assert b"".join(download.streaming_content) == data


def test_electronic_return_is_refused_when_the_citizen_did_not_choose_it(
    level4, make_dossier, receiving_officer
):
    dossier = make_dossier("approved", procedure=level4)
    Dossier.objects.filter(pk=dossier.pk).update(result_method="in_person")
    with pytest.raises(DomainError) as caught:
        backoffice.return_result(dossier=dossier, actor=receiving_officer, method="electronic")
    assert "bản điện tử (có ký số)" in caught.value.message
    assert Dossier.objects.get(pk=dossier.pk).state == State.APPROVED


def test_electronic_return_waits_for_a_signed_result(
    approved_electronic, receiving_officer, settings, tmp_path
):
    """Signing fails (a broken key): the return is refused with a reason, nothing changes."""
    broken = tmp_path / "broken.p12"
    broken.write_bytes(b"not a pkcs12")
    settings.SIGNING_PKCS12_PATH = str(broken)
    with pytest.raises(DomainError) as caught:
        backoffice.return_result(
            dossier=approved_electronic, actor=receiving_officer, method="electronic"
        )
    assert caught.value.code == "result_not_signed"
    assert Dossier.objects.get(pk=approved_electronic.pk).state == State.APPROVED
    result = approved_electronic.documents.get(kind=Document.Kind.RESULT)
    assert not result.signed


def test_staff_api_accepts_the_electronic_method(approved_electronic, signed_result):
    from portal.backoffice.api import ReturnInput

    body = ReturnInput(data={"method": "electronic", "version": approved_electronic.version})
    assert body.is_valid(), body.errors
