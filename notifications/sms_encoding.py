"""Vietnamese SMS text: NFC, GSM-7 or UCS-2, part counting.

- Keep diacritics: text that is not pure GSM-7 is sent as UCS-2 (70 UTF-16 units in one part,
  67 per part when concatenated).
- Strip: every tone mark and vowel mark removed, đ→d / Đ→D, typographic punctuation mapped; the result is
  GSM-7 (160 septets, 153 per part; characters of the extension table count two and never straddle a
  part boundary). Anything still outside GSM-7 becomes "?".

GOV.UK Notify's sanitiser is *not* used: it would turn đ and tone-marked ơ/ư into "?".
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

GSM7 = "gsm7"
UCS2 = "ucs2"

KEEP = "keep"  # keep diacritics (UCS-2 unless the text happens to be GSM-7)
STRIP = "strip"  # strip to GSM-7

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")

_PUNCTUATION = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2026": "...",
    "\u00a0": " ",
    "\u2022": "-",
    "\t": " ",
}

LIMITS = {
    GSM7: (160, 153),
    UCS2: (70, 67),
}


@dataclass(frozen=True)
class SmsInfo:
    text: str
    encoding: str
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    parts: int


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def strip_diacritics(text: str) -> str:
    """Vietnamese → GSM-7: "Đăng ký tạm trú" → "Dang ky tam tru"."""
    text = nfc(text).replace("đ", "d").replace("Đ", "D")
    out: list[str] = []
    for ch in text:
        if ch in GSM7_BASIC and ch.isascii() or ch in GSM7_EXTENDED:
            out.append(ch)
            continue
        if ch in _PUNCTUATION:
            out.append(_PUNCTUATION[ch])
            continue
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        if base and all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in base):
            out.append(base)
        elif ch in GSM7_BASIC:
            out.append(ch)
        else:
            out.append("?")
    return "".join(out)


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def _unit_cost(ch: str, encoding: str) -> int:
    if encoding == GSM7:
        return 2 if ch in GSM7_EXTENDED else 1
    return 2 if ord(ch) > 0xFFFF else 1  # surrogate pair


def split_parts(text: str, encoding: str) -> list[str]:
    """Split into the parts a phone receives; a 2-unit character never straddles two parts."""
    single, multi = LIMITS[encoding]
    costs = [_unit_cost(ch, encoding) for ch in text]
    if sum(costs) <= single:
        return [text] if text else []
    parts, current, used = [], [], 0
    for ch, cost in zip(text, costs, strict=True):
        if used + cost > multi:
            parts.append("".join(current))
            current, used = [], 0
        current.append(ch)
        used += cost
    if current:
        parts.append("".join(current))
    return parts


def analyse(text: str, mode: str = KEEP) -> SmsInfo:
    """Normalise `text` for `mode` and count its encoding units and parts."""
    text = strip_diacritics(text) if mode == STRIP else nfc(text)
    encoding = GSM7 if is_gsm7(text) else UCS2
    units = sum(_unit_cost(ch, encoding) for ch in text)
    return SmsInfo(
        text=text, encoding=encoding, units=units, parts=len(split_parts(text, encoding))
    )


def prepare(text: str, mode: str = KEEP, max_parts: int = 4) -> SmsInfo:
    """Like `analyse`, but cut the text (ending with "...") so it fits in `max_parts` parts."""
    info = analyse(text, mode)
    if info.parts <= max_parts:
        return info
    _single, multi = LIMITS[info.encoding]
    budget = multi * max_parts - 3
    kept, used = [], 0
    for ch in info.text:
        cost = _unit_cost(ch, info.encoding)
        if used + cost > budget:
            break
        kept.append(ch)
        used += cost
    cut = "".join(kept).rstrip() + "..."
    while len(split_parts(cut, info.encoding)) > max_parts:  # a 2-unit char at a boundary
        cut = cut[:-4].rstrip() + "..."
    return analyse(cut, KEEP if info.encoding == UCS2 else STRIP)
