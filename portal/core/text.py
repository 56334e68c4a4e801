"""Text helpers for Vietnamese: accent folding for search, NFC normalisation."""

import unicodedata


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value or "")


def fold(value: str) -> str:
    """Lower-case, strip tone marks and diacritics, map đ→d: "Đăng ký tạm trú" → "dang ky tam tru"."""
    decomposed = unicodedata.normalize("NFD", (value or "").replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())
