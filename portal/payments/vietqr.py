"""VietQR (NAPAS 247) bank-transfer payload: EMVCo merchant-presented QR, dynamic, with amount and
the dossier code in the transfer note.

Written here (about forty lines) rather than taken from PyPI: the packages found there
(vietnam-qr-pay, napas-qr-python) are single-release projects without a maintenance record; the
EMVCo TLV format and its CRC are small, stable and fully covered by tests/payments/test_vietqr.py.
"""

from __future__ import annotations

import unicodedata

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"EMVCo field {tag} too long")
    return f"{tag}{len(value):02d}{value}"


def crc16_ccitt(data: str) -> str:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF), as EMVCo requires; 4 upper-case hex digits."""
    crc = 0xFFFF
    for byte in data.encode("utf-8"):
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def ascii_note(text: str) -> str:
    """Bank transfer notes are ASCII: strip Vietnamese marks (đ → d), keep letters, digits, '-'."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in text if c.isalnum() or c in " -")[:50].strip()


def payload(*, bank_bin: str, account_no: str, amount: int, note: str) -> str:
    beneficiary = _tlv("00", bank_bin) + _tlv("01", account_no)
    merchant = _tlv("00", NAPAS_GUID) + _tlv("01", beneficiary) + _tlv("02", SERVICE_TO_ACCOUNT)
    body = (
        _tlv("00", "01")
        + _tlv("01", "12")
        + _tlv("38", merchant)
        + _tlv("53", "704")
        + _tlv("54", str(int(amount)))
        + _tlv("58", "VN")
        + _tlv("62", _tlv("08", ascii_note(note)))
        + "6304"
    )
    return body + crc16_ccitt(body)


def for_dossier(dossier) -> str:
    from django.conf import settings

    from portal.payments.services import amount_due

    return payload(
        bank_bin=settings.VIETQR_BANK_BIN,
        account_no=settings.VIETQR_ACCOUNT_NO,
        amount=amount_due(dossier),
        note=transfer_note(dossier),
    )


def transfer_note(dossier) -> str:
    """The transfer's content: what is paid and the dossier's code (staff match it)."""
    postage_only = not dossier.fee_amount and getattr(dossier, "postal_fee", 0)
    return ascii_note(f"{'CUOC BUU CHINH' if postage_only else 'LE PHI'} {dossier.code}")


def png(data: str) -> bytes:
    import io

    import qrcode

    buffer = io.BytesIO()
    qrcode.make(data, box_size=6, border=2).save(buffer, format="PNG")
    return buffer.getvalue()


def account_display() -> dict:
    from django.conf import settings

    return {
        "bin": settings.VIETQR_BANK_BIN,
        "number": settings.VIETQR_ACCOUNT_NO,
        "name": settings.VIETQR_ACCOUNT_NAME,
    }
