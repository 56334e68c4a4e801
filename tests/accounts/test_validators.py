import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from portal.accounts.province_codes import LEGACY_PROVINCE_CODES
from portal.accounts.validators import (
    century_sex_digit,
    normalize_phone,
    validate_personal_id,
)


def error_of(number, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validate_personal_id(number, **kwargs)
    return info.value


@pytest.mark.parametrize(
    ("number", "dob", "sex"),
    [
        ("019090123456", dt.date(1990, 5, 17), "M"),  # Thái Nguyên, 1900s male
        ("001185000001", dt.date(1985, 1, 1), "F"),  # Hà Nội, 1900s female
        ("079203123456", dt.date(2003, 12, 31), "M"),  # TP.HCM, 2000s male
        ("096305000123", dt.date(2005, 2, 28), "F"),  # Cà Mau, 2000s female
        ("019 090 123 456", dt.date(1990, 5, 17), "M"),  # spaces typed between groups
    ],
)
def test_valid_numbers_pass_and_are_decoded(number, dob, sex):
    info = validate_personal_id(number, date_of_birth=dob, sex=sex)
    assert info.number == number.replace(" ", "")
    assert info.sex == sex
    assert info.century_start == dob.year // 100 * 100


def test_the_63_legacy_province_codes():
    assert len(LEGACY_PROVINCE_CODES) == 63
    assert LEGACY_PROVINCE_CODES["001"] == "Hà Nội"
    assert LEGACY_PROVINCE_CODES["019"] == "Thái Nguyên"
    assert LEGACY_PROVINCE_CODES["079"] == "Hồ Chí Minh"
    assert LEGACY_PROVINCE_CODES["096"] == "Cà Mau"
    assert "003" not in LEGACY_PROVINCE_CODES and "097" not in LEGACY_PROVINCE_CODES


def test_every_failure_has_its_own_code_and_message():
    failures = {
        "pid_not_digits": error_of("01909012345A"),
        "pid_length": error_of("01909012345"),
        "pid_province": error_of("003090123456"),
        "pid_century": error_of("019290123456", date_of_birth=dt.date(1990, 5, 17), sex="M"),
        "pid_sex": error_of("019190123456", date_of_birth=dt.date(1990, 5, 17), sex="M"),
        "pid_year": error_of("019091123456", date_of_birth=dt.date(1990, 5, 17), sex="M"),
    }
    for code, err in failures.items():
        assert err.code == code
    messages = {err.messages[0] for err in failures.values()}
    assert len(messages) == len(failures)  # six distinct Vietnamese messages


def test_messages_name_the_problem_in_vietnamese():
    assert "12 chữ số" in error_of("0190901234").messages[0]
    assert "bạn đã nhập 10 chữ số" in error_of("0190901234").messages[0]
    assert "chỉ được gồm chữ số" in error_of("019O90123456").messages[0]
    assert "(003)" in error_of("003090123456").messages[0]
    century = error_of("019290123456", date_of_birth=dt.date(1990, 5, 17)).messages[0]
    assert "2000–2099" in century and "1990" in century
    sex = error_of("019190123456", sex="M").messages[0]
    assert "nữ" in sex and "nam" in sex
    year = error_of("019091123456", date_of_birth=dt.date(1990, 5, 17)).messages[0]
    assert "(91)" in year and "90" in year


def test_century_and_sex_digit_table():
    assert century_sex_digit(1990, "M") == "0"
    assert century_sex_digit(1990, "F") == "1"
    assert century_sex_digit(2001, "M") == "2"
    assert century_sex_digit(2001, "F") == "3"
    assert century_sex_digit(2100, "M") == "4"
    assert century_sex_digit(2299, "F") == "7"
    # a woman born in 2001 whose number says 1900s female
    err = error_of("019101123456", date_of_birth=dt.date(2001, 3, 3), sex="F")
    assert err.code == "pid_century"


def test_checks_against_birth_data_run_only_when_given():
    assert validate_personal_id("019290123456").sex == "M"


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0912345678", "+84912345678"),
        ("0912 345 678", "+84912345678"),
        ("+84 86 123 4567", "+84861234567"),
        ("84329123456", "+84329123456"),
        ("0208 3851 234", "+842083851234"),  # Thái Nguyên landline
    ],
)
def test_vietnamese_numbers_normalised_to_e164(raw, e164):
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("0123456789", "phone_invalid"),
        ("abc", "phone_invalid"),
        ("", "phone_invalid"),
        ("+1 650 253 0000", "phone_not_vietnamese"),
        ("19001234", "phone_type"),
    ],
)
def test_bad_phone_numbers(raw, code):
    with pytest.raises(ValidationError) as info:
        normalize_phone(raw)
    assert info.value.code == code
    assert info.value.messages[0]
    assert "điện thoại" in info.value.messages[0] or "số" in info.value.messages[0]
