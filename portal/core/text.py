"""Text helpers for Vietnamese: accent folding for search, NFC normalisation, person names."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value or "")


def nfc_deep(value):
    """NFC for every string inside `value` (dict keys and values, lists); other values as they are.

    Text typed in decomposed form (NFD: "e" + U+0302 + U+0301 instead of "ế"), common from some
    phone keyboards and macOS file names, looks identical but compares and searches differently.
    """
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {nfc_deep(k): nfc_deep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [nfc_deep(v) for v in value]
    if isinstance(value, tuple):
        return tuple(nfc_deep(v) for v in value)
    return value


def fold(value: str) -> str:
    """Lower-case, strip tone marks and diacritics, map đ→d: "Đăng ký tạm trú" → "dang ky tam tru"."""
    decomposed = unicodedata.normalize("NFD", (value or "").replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())


# Characters no person's name contains: markup, and the invisible ones (C0/C1 controls, format
# characters such as zero-width spaces/joiners and bidi overrides, private use, surrogates,
# unassigned code points, line/paragraph separators).
_MARKUP = frozenset("<>")
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})


def name_problem(value: str) -> str | None:
    """Why `value` cannot be a person's name (a Vietnamese message), or None if it can.

    Vietnamese letters with every diacritic, other alphabets, spaces, hyphens, apostrophes and
    dots pass; markup (`<`, `>`) and control or invisible characters are refused.
    """
    text = nfc(str(value or ""))
    if any(ch in _MARKUP for ch in text):
        return _("Họ và tên không được chứa ký tự “<” hoặc “>”.")
    for ch in text:
        if ch not in "\t\n\r" and unicodedata.category(ch) in _REFUSED_CATEGORIES:
            return _(
                "Họ và tên chứa ký tự điều khiển hoặc ký tự ẩn (mã U+%(code)04X); "
                "vui lòng gõ lại họ và tên."
            ) % {"code": ord(ch)}
        if ch in "\t\n\r":
            return _("Họ và tên chỉ gồm một dòng, không chứa ký tự xuống dòng hoặc tab.")
    return None


def validate_person_name(value: str) -> None:
    """Django/DRF validator for person-name fields (code "name_invalid")."""
    problem = name_problem(value)
    if problem:
        raise ValidationError(problem, code="name_invalid")


def clean_person_name(value: str) -> str:
    """NFC, single spaces, validated: what every service stores as a person's name."""
    validate_person_name(value)
    return " ".join(nfc(str(value or "")).split())
