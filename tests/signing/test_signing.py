"""Level-4 results are signed (PAdES, pyHanko) with the unit's development certificate; the
signature validates against the development CA and sits in the leader's signature box."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from portal.dossiers import services
from portal.dossiers.models import Document
from portal.signing import pki
from tests.conftest import pdf_text

pytestmark = pytest.mark.django_db


def _validate(data: bytes):
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    root = load_cert_from_pemder(str(pki.pki_dir() / pki.ROOT_CERT))
    context = ValidationContext(trust_roots=[root], allow_fetching=False)
    reader = PdfFileReader(io.BytesIO(data))
    return [validate_pdf_signature(sig, context) for sig in reader.embedded_signatures]


def test_level4_result_validates_against_the_development_ca(signed_result, unit):
    document, data = signed_result
    assert document.signed
    (status,) = _validate(data)
    assert status.intact and status.valid and status.trusted
    assert status.bottom_line
    assert status.signing_cert.subject.native["common_name"] == unit.name
    assert data.startswith(b"%PDF-")


def test_the_signature_is_visible_in_the_leaders_signature_box(signed_result):
    import pypdf

    from portal.signing.signer import FIELD_NAME

    _document, data = signed_result
    reader = pypdf.PdfReader(io.BytesIO(data))
    widgets = [
        (index, annot.get_object())
        for index, page in enumerate(reader.pages)
        for annot in page.get("/Annots") or []
        if annot.get_object().get("/T") == FIELD_NAME
    ]
    ((page_index, widget),) = widgets
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    assert (x2 - x1) > 150 and (y2 - y1) > 60  # a visible box, not an invisible signature
    page = reader.pages[page_index]
    assert x1 > float(page.mediabox.width) / 2  # right column, where the leader signs
    # it has an appearance (the stamp drawn in the box)
    assert "/AP" in widget


def test_slips_and_level3_results_are_not_signed(make_dossier):
    dossier = make_dossier("approved")  # level 3
    for document in dossier.documents.all():
        document = services.render_document(document_id=document.pk)
        assert document.status == Document.Status.READY
        assert not document.signed
        assert len(document.sha256) == 64
        with document.file.open("rb") as handle:
            assert _validate(handle.read()) == []


def test_signed_result_keeps_its_text(signed_result, citizen):
    _document, data = signed_result
    assert citizen.full_name.upper() in pdf_text(data).upper()


def test_make_dev_pki_creates_one_certificate_per_unit_and_is_idempotent(unit, other_unit):
    call_command("make_dev_pki")
    root = (pki.pki_dir() / pki.ROOT_CERT).read_bytes()
    first = {p.name: p.read_bytes() for p in (pki.pki_dir() / "units").glob("*.crt.pem")}
    assert f"{unit.code}.crt.pem" in first and f"{other_unit.code}.crt.pem" in first
    call_command("make_dev_pki")
    assert (pki.pki_dir() / pki.ROOT_CERT).read_bytes() == root
    again = {p.name: p.read_bytes() for p in (pki.pki_dir() / "units").glob("*.crt.pem")}
    assert again == first


def test_production_pkcs12_from_the_environment(settings, tmp_path, approved_electronic, unit):
    """With SIGNING_PKCS12_PATH/PASSWORD set, the result is signed with that key, and only the
    configured trust roots are trusted (the development CA no longer is)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509 import load_pem_x509_certificate

    creds = pki.ensure_unit(code="PROD", name="Công an xã Sản Xuất")
    key = serialization.load_pem_private_key(creds.key_path.read_bytes(), password=None)
    cert = load_pem_x509_certificate(creds.cert_path.read_bytes())
    bundle = pkcs12.serialize_key_and_certificates(
        b"prod",
        key,
        cert,
        None,
        serialization.BestAvailableEncryption(b"mat-khau-p12"),
    )
    path = tmp_path / "signing.p12"
    path.write_bytes(bundle)
    settings.SIGNING_PKCS12_PATH = str(path)
    settings.SIGNING_PKCS12_PASSWORD = "mat-khau-p12"
    settings.SIGNING_TRUST_ROOTS = [str(pki.pki_dir() / pki.ROOT_CERT)]

    document = approved_electronic.documents.get(kind=Document.Kind.RESULT)
    document = services.render_document(document_id=document.pk)
    assert document.signed
    with document.file.open("rb") as handle:
        (status,) = _validate(handle.read())
    assert status.bottom_line
    assert status.signing_cert.subject.native["common_name"] == "Công an xã Sản Xuất"


def test_a_wrong_pkcs12_password_fails_the_document_not_the_request(
    settings, tmp_path, approved_electronic
):
    path = tmp_path / "broken.p12"
    path.write_bytes(b"not a pkcs12 file")
    settings.SIGNING_PKCS12_PATH = str(path)
    settings.SIGNING_PKCS12_PASSWORD = "sai"
    document = approved_electronic.documents.get(kind=Document.Kind.RESULT)
    document = services.render_document(document_id=document.pk)
    assert document.status == Document.Status.FAILED
    assert not document.file
