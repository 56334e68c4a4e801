"""Vietnamese SMS encoding: every precomposed Vietnamese letter, generated from unicodedata."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifications import sms_encoding as se

QUALITY = {"a": {"\u0306", "\u0302"}, "e": {"\u0302"}, "o": {"\u0302", "\u031b"}, "u": {"\u031b"}}
TONES = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}  # huyền sắc hỏi ngã nặng


def vietnamese_letters() -> list[str]:
    """Every precomposed letter used in Vietnamese (134 = 67 lower + 67 upper), found by scanning
    Unicode: a vowel base with at most one vowel mark valid for it and at most one tone; plus đ/Đ."""
    found = []
    for cp in range(0x00C0, 0x1F00):
        ch = chr(cp)
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], decomposed[1:]
        if len(decomposed) < 2 or base.lower() not in "aeiouy":
            continue
        quality = [m for m in marks if m not in TONES]
        tones = [m for m in marks if m in TONES]
        if len(tones) > 1 or len(quality) > 1 or len(marks) != len(quality) + len(tones):
            continue
        if quality and quality[0] not in QUALITY.get(base.lower(), set()):
            continue
        found.append(ch)
    return found + ["đ", "Đ"]


LETTERS = vietnamese_letters()


def test_the_scan_finds_all_134_letters():
    assert len(LETTERS) == 134
    assert len(set(LETTERS)) == 134
    for ch in "ăâêôơưđ ạảãàáằắẳẵặầấẩẫậ ỳýỷỹỵ ờớởỡợ ừứửữự".replace(" ", ""):
        assert ch in LETTERS
        assert ch.upper() in LETTERS


@pytest.mark.parametrize("letter", LETTERS, ids=lambda c: f"U+{ord(c):04X}")
def test_each_letter_is_stripped_to_its_ascii_base(letter):
    stripped = se.strip_diacritics(letter)
    assert len(stripped) == 1 and stripped.isascii() and stripped.isalpha()
    expected = "d" if letter in "đĐ" else unicodedata.normalize("NFD", letter)[0].lower()
    assert stripped.lower() == expected
    assert stripped.isupper() == letter.isupper()
    assert se.analyse(letter, se.STRIP).encoding == se.GSM7


@pytest.mark.parametrize("letter", LETTERS, ids=lambda c: f"U+{ord(c):04X}")
def test_each_letter_is_kept_as_one_ucs2_character_even_from_decomposed_input(letter):
    decomposed = unicodedata.normalize("NFD", letter)
    info = se.analyse(decomposed * 70, se.KEEP)
    assert info.text == letter * 70
    assert (info.units, info.parts) == (70, 1)
    if letter in se.GSM7_BASIC:  # à è é ì ò ù É exist in GSM-7 itself
        assert info.encoding == se.GSM7
        assert se.analyse(letter * 161, se.KEEP).parts == 2
    else:
        assert info.encoding == se.UCS2
        assert se.analyse(letter * 71, se.KEEP).parts == 2


def test_part_boundaries_ucs2_and_gsm7():
    assert se.analyse("ă" * 67 * 2, se.KEEP).parts == 2
    assert se.analyse("ă" * (67 * 2 + 1), se.KEEP).parts == 3
    assert se.analyse("a" * 160, se.KEEP).parts == 1
    assert se.analyse("a" * 161, se.KEEP).parts == 2
    assert se.analyse("a" * 306, se.KEEP).parts == 2
    assert se.analyse("a" * 307, se.KEEP).parts == 3


def test_gsm7_extended_characters_count_two_and_do_not_straddle_parts():
    info = se.analyse("€" * 80, se.STRIP)
    assert (info.encoding, info.units, info.parts) == (se.GSM7, 160, 1)
    assert se.analyse("€" * 81, se.STRIP).parts == 2
    parts = se.split_parts("a" * 152 + "€" + "b" * 10, se.GSM7)
    assert parts[0] == "a" * 152 and parts[1].startswith("€")


def test_real_sentence_both_ways():
    text = "Hồ sơ G09.20-20260609-0001 đã được tiếp nhận. Ngày hẹn trả kết quả: 12/06/2026."
    kept = se.analyse(text, se.KEEP)
    assert kept.text == text and kept.encoding == se.UCS2 and kept.parts == 2
    stripped = se.analyse(text, se.STRIP)
    assert stripped.text.startswith("Ho so G09.20-20260609-0001 da duoc tiep nhan.")
    assert stripped.encoding == se.GSM7 and stripped.parts == 1


def test_typographic_punctuation_is_mapped_not_questioned():
    assert se.strip_diacritics("“Đơn” – số…") == '"Don" - so...'


def test_cap_on_parts_cuts_with_ellipsis():
    info = se.prepare("Nguyễn " * 100, se.KEEP, max_parts=2)
    assert info.parts == 2 and info.text.endswith("...")
    info = se.prepare("Nguyen " * 100, se.STRIP, max_parts=1)
    assert info.parts == 1 and info.units <= 160


def test_astral_characters_count_two_utf16_units():
    assert se.analyse("😀" * 35, se.KEEP).parts == 1
    assert se.analyse("😀" * 36, se.KEEP).parts == 2
    assert sys.maxunicode > 0xFFFF


@given(st.text(alphabet="".join(LETTERS) + "abc xyz.,-0123456789€[]", max_size=400))
def test_stripped_text_is_always_gsm7_and_parts_agree(text):
    info = se.analyse(text, se.STRIP)
    assert se.is_gsm7(info.text)
    parts = se.split_parts(info.text, info.encoding)
    assert "".join(parts) == info.text
    assert all(sum(2 if c in se.GSM7_EXTENDED else 1 for c in p) <= 160 for p in parts)
    if len(parts) > 1:
        assert all(sum(2 if c in se.GSM7_EXTENDED else 1 for c in p) <= 153 for p in parts)
