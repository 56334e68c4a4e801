"""Validation of personal identification numbers (domain.md §6) and Vietnamese phone numbers.

Personal identification number (Decree 137/2015/NĐ-CP art. 13, Circular 07/2016/TT-BCA art. 7):
12 digits = 3 digits province of birth registration + 1 digit century and sex + 2 digits year of
birth + 6 random digits. Century/sex digit: 20th century (1900–1999) male 0 / female 1, 21st
(2000–2099) 2/3, 22nd (2100–2199) 4/5, 23rd (2200–2299) 6/7, 24th (2300–2399) 8/9.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.accounts.models import Sex
from portal.accounts.province_codes import LEGACY_PROVINCE_CODES

# digit 4 → (first year of the century, sex)
CENTURY_SEX_DIGITS: dict[str, tuple[int, str]] = {
    "0": (1900, Sex.MALE),
    "1": (1900, Sex.FEMALE),
    "2": (2000, Sex.MALE),
    "3": (2000, Sex.FEMALE),
    "4": (2100, Sex.MALE),
    "5": (2100, Sex.FEMALE),
    "6": (2200, Sex.MALE),
    "7": (2200, Sex.FEMALE),
    "8": (2300, Sex.MALE),
    "9": (2300, Sex.FEMALE),
}

_SEPARATORS = re.compile(r"[\s.\-]")


@dataclass(frozen=True)
class PersonalIdInfo:
    number: str
    province_code: str
    province_name: str
    century_start: int
    sex: str
    year_digits: str


def century_sex_digit(year: int, sex: str) -> str:
    """The 4th digit for someone born in `year` with `sex` (e.g. 1990, "F" → "1")."""
    century = (year // 100) * 100
    for digit, (start, s) in CENTURY_SEX_DIGITS.items():
        if start == century and s == sex:
            return digit
    raise ValueError(f"no century code for year {year}")


def normalize_personal_id(value: str) -> str:
    """Remove spaces, dots and dashes people type between digit groups."""
    return _SEPARATORS.sub("", str(value or ""))


def _century_label(start: int) -> str:
    return _("%(start)s–%(end)s") % {"start": start, "end": start + 99}


def validate_personal_id(
    number: str, *, date_of_birth: dt.date | None = None, sex: str | None = None
) -> PersonalIdInfo:
    """Check a personal identification number; raise ValidationError with a specific message.

    Codes: pid_not_digits, pid_length, pid_province, pid_century, pid_sex, pid_year.
    The date-of-birth and sex checks run only when those are given.
    """
    number = normalize_personal_id(number)
    if not number.isdigit() or not number.isascii():
        raise ValidationError(
            _("Số định danh cá nhân chỉ được gồm chữ số (0–9)."), code="pid_not_digits"
        )
    if len(number) != 12:
        raise ValidationError(
            _("Số định danh cá nhân phải gồm đúng 12 chữ số (bạn đã nhập %(count)s chữ số).")
            % {"count": len(number)},
            code="pid_length",
        )
    province = number[:3]
    if province not in LEGACY_PROVINCE_CODES:
        raise ValidationError(
            _(
                "Ba chữ số đầu (%(code)s) không phải mã tỉnh, thành phố nơi đăng ký khai sinh "
                "(001 đến 096, ví dụ 019 là Thái Nguyên)."
            )
            % {"code": province},
            code="pid_province",
        )
    digit = number[3]
    century_start, id_sex = CENTURY_SEX_DIGITS[digit]
    if date_of_birth is not None:
        born_century = (date_of_birth.year // 100) * 100
        if born_century != century_start:
            raise ValidationError(
                _(
                    "Chữ số thứ 4 (%(digit)s) chỉ người sinh trong các năm %(id_century)s, "
                    "không khớp với năm sinh %(year)s."
                )
                % {
                    "digit": digit,
                    "id_century": _century_label(century_start),
                    "year": date_of_birth.year,
                },
                code="pid_century",
            )
    if sex and sex != id_sex:
        raise ValidationError(
            _(
                "Chữ số thứ 4 (%(digit)s) chỉ giới tính %(id_sex)s, không khớp với giới tính "
                "%(sex)s đã chọn."
            )
            % {
                "digit": digit,
                "id_sex": Sex(id_sex).label.lower(),
                "sex": Sex(sex).label.lower() if sex in Sex.values else sex,
            },
            code="pid_sex",
        )
    if date_of_birth is not None and number[4:6] != f"{date_of_birth.year % 100:02d}":
        raise ValidationError(
            _(
                "Chữ số thứ 5–6 (%(digits)s) phải là hai số cuối của năm sinh "
                "(%(year)s → %(expected)s)."
            )
            % {
                "digits": number[4:6],
                "year": date_of_birth.year,
                "expected": f"{date_of_birth.year % 100:02d}",
            },
            code="pid_year",
        )
    return PersonalIdInfo(
        number=number,
        province_code=province,
        province_name=LEGACY_PROVINCE_CODES[province],
        century_start=century_start,
        sex=id_sex,
        year_digits=number[4:6],
    )


_ACCEPTED_PHONE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def normalize_phone(value: str) -> str:
    """Validate a Vietnamese mobile or landline number and return it in E.164 (+84…).

    Codes: phone_invalid, phone_not_vietnamese, phone_type.
    """
    raw = str(value or "").strip()
    try:
        parsed = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            _(
                "Số điện thoại không hợp lệ. Hãy nhập số điện thoại Việt Nam, "
                "ví dụ 0912 345 678 hoặc +84 912 345 678."
            ),
            code="phone_invalid",
        )
    if phonenumbers.region_code_for_number(parsed) != "VN":
        raise ValidationError(
            _("Chỉ chấp nhận số điện thoại Việt Nam (mã quốc gia +84)."),
            code="phone_not_vietnamese",
        )
    if phonenumbers.number_type(parsed) not in _ACCEPTED_PHONE_TYPES:
        raise ValidationError(
            _("Số này không phải số di động hoặc số cố định (ví dụ số dịch vụ 1900)."),
            code="phone_type",
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def validate_phone(value: str) -> None:
    normalize_phone(value)
