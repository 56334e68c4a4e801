"""Keys and certificates of the signing units.

Development: `python manage.py make_dev_pki` (also run on demand by the signer) creates a root CA
and one certificate per police unit under SIGNING_PKI_DIR (var/pki/, never in the repository).
Production: a PKCS#12 file and its password from the environment (SIGNING_PKCS12_PATH,
SIGNING_PKCS12_PASSWORD); a unit may have its own file SIGNING_PKCS12_DIR/<unit code>.p12 (same
password). Trust roots for verification: the PEM files of SIGNING_TRUST_ROOTS, plus the development
root when no production PKCS#12 is configured.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

log = logging.getLogger(__name__)

ROOT_CERT = "root-ca.crt.pem"
ROOT_KEY = "root-ca.key.pem"
ROOT_NAME = "Cổng dịch vụ công Công an – CA phát triển (không dùng thật)"


def pki_dir() -> Path:
    return Path(settings.SIGNING_PKI_DIR)


def production_configured() -> bool:
    return bool(settings.SIGNING_PKCS12_PATH)


def _safe(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", code) or "unit"


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.chmod(0o600)
    tmp.replace(path)


def _key_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _name(common_name: str, unit: str = "") -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Bộ Công an (phát triển)"),
    ]
    if unit:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit[:64]))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]))
    return x509.Name(attributes)


def ensure_root() -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """The development root CA, created once (idempotent)."""
    cert_path, key_path = pki_dir() / ROOT_CERT, pki_dir() / ROOT_KEY
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        return cert, key
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    name = _name("CA phát triển – Cổng DVC Công an")
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write(key_path, _key_pem(key))
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    log.info("development root CA created in %s", pki_dir())
    return cert, key


@dataclass(frozen=True)
class UnitCredentials:
    key_path: Path
    cert_path: Path
    created: bool


def ensure_unit(*, code: str, name: str) -> UnitCredentials:
    """The development certificate of one police unit, issued by the development root (idempotent)."""
    base = pki_dir() / "units"
    key_path, cert_path = base / f"{_safe(code)}.key.pem", base / f"{_safe(code)}.crt.pem"
    if key_path.exists() and cert_path.exists():
        return UnitCredentials(key_path, cert_path, created=False)
    root_cert, root_key = ensure_root()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(name, unit=code))
        .issuer_name(root_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )
    _write(key_path, _key_pem(key))
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return UnitCredentials(key_path, cert_path, created=True)


def trust_root_paths() -> list[Path]:
    """PEM files of the certificates a valid signature must chain to."""
    paths = [Path(p) for p in settings.SIGNING_TRUST_ROOTS if p]
    if not production_configured():
        paths.append(pki_dir() / ROOT_CERT)
    return [p for p in paths if p.exists()]


def unit_pkcs12(code: str) -> Path | None:
    """The production PKCS#12 of a unit: its own file if present, else the shared one."""
    if settings.SIGNING_PKCS12_DIR:
        own = Path(settings.SIGNING_PKCS12_DIR) / f"{_safe(code)}.p12"
        if own.exists():
            return own
    if settings.SIGNING_PKCS12_PATH:
        return Path(settings.SIGNING_PKCS12_PATH)
    return None
