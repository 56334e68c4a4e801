"""Masking personal data for logs: "+84912345678" → "+849*****678", "an@example.vn" → "a***@example.vn"."""

from __future__ import annotations

import re

import phonenumbers


def mask_phone(phone: str) -> str:
    phone = phone or ""
    if len(phone) <= 6:
        return "*" * len(phone)
    return phone[:4] + "*" * (len(phone) - 7) + phone[-3:]


def mask_email(email: str) -> str:
    local, _, domain = (email or "").partition("@")
    if not domain:
        return mask_phone(email)
    return (local[:1] or "") + "***@" + domain


def mask(address: str) -> str:
    return mask_email(address) if "@" in (address or "") else mask_phone(address)


_DIGITS = re.compile(r"\d{4,}")


def scrub(text: str) -> str:
    """Remove long digit runs (codes, numbers) from free text such as provider error messages."""
    return _DIGITS.sub(lambda m: "*" * len(m.group()), text or "")


def normalise_phone(phone: str) -> str:
    """E.164 for a Vietnamese (or international) number; "" if it is not a valid number."""
    try:
        parsed = phonenumbers.parse((phone or "").strip(), "VN")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
