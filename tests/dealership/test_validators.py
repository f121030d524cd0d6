"""Normalisers of phone numbers, resident ID numbers and VINs, with real values."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dealership.validators import (
    id_number_check_code,
    normalize_id_number,
    normalize_phone,
    normalize_vin,
    vin_check_digit,
)


def _id_number(first17: str) -> str:
    return first17 + id_number_check_code(first17)


def _vin(draft: str) -> str:
    """The draft with its ISO 3779 check digit put in position 9."""
    return draft[:8] + vin_check_digit(draft) + draft[9:]


def _refusal_code(normalize, raw: str, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        normalize(raw, **kwargs)
    return caught.value.code


# --- phone numbers -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138-1234-5678",
        "+8613812345678",
        "008613812345678",
        "86 13812345678",
        "  13812345678  ",
    ],
)
def test_normalize_phone_chinese_mobile_any_format_gives_e164(raw):
    assert normalize_phone(raw) == "+8613812345678"


def test_normalize_phone_beijing_landline_with_trunk_prefix_gives_e164():
    assert normalize_phone("010-12345678") == "+861012345678"


def test_normalize_phone_shenzhen_landline_gives_e164():
    assert normalize_phone("0755-88886666") == "+8675588886666"


def test_normalize_phone_foreign_number_with_country_code_gives_e164():
    assert normalize_phone("+44 20 7946 0958") == "+442079460958"


def test_normalize_phone_national_number_of_given_region_gives_e164():
    assert normalize_phone("(415) 555-2671", region="US") == "+14155552671"


def test_normalize_phone_chinese_mobile_read_in_another_region_refused():
    assert _refusal_code(normalize_phone, "13812345678", region="US") == "invalid"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("12345", "invalid"),  # too short
        ("1381234567", "invalid"),  # a mobile with ten digits
        ("138123456789", "invalid"),  # a mobile with twelve digits
        ("1234567890123456", "invalid"),
        ("abc", "invalid"),
        ("++86", "invalid"),
        ("", "required"),
        ("   ", "required"),
        (None, "required"),
    ],
)
def test_normalize_phone_invalid_refused(raw, code):
    assert _refusal_code(normalize_phone, raw) == code


def test_normalize_phone_letters_inside_number_refused():
    # A typo such as letters in the middle must not be read as a phone keypad and turned
    # into somebody else's number (138abcd5678 would become +8613822235678).
    assert _refusal_code(normalize_phone, "138abcd5678") == "invalid"


# --- resident ID numbers (GB 11643-1999) ---------------------------------------------------
def test_normalize_id_number_gb_reference_example_valid():
    assert normalize_id_number("11010519491231002X") == "11010519491231002X"


def test_normalize_id_number_lowercase_x_upper_cased():
    assert normalize_id_number("11010519491231002x") == "11010519491231002X"


def test_normalize_id_number_surrounding_spaces_stripped():
    assert normalize_id_number(" 440301199001011234 ") == "440301199001011234"


@pytest.mark.parametrize(
    "first17",
    ["44030119900101123", "32010619850712345", "51010720000229001", "65010219000101003"],
)
def test_normalize_id_number_computed_check_digit_valid(first17):
    value = _id_number(first17)

    assert normalize_id_number(value) == value


def test_id_number_check_code_of_reference_example_is_x():
    assert id_number_check_code("11010519491231002") == "X"


def test_id_number_check_code_of_shenzhen_example_is_4():
    assert id_number_check_code("44030119900101123") == "4"


def test_normalize_id_number_wrong_check_digit_refused():
    assert _refusal_code(normalize_id_number, "440301199001011235") == "check_digit"


def test_normalize_id_number_reference_example_with_digit_instead_of_x_refused():
    assert _refusal_code(normalize_id_number, "110105194912310020") == "check_digit"


def test_normalize_id_number_impossible_birth_date_refused():
    assert _refusal_code(normalize_id_number, _id_number("44030119990230123")) == "birth_date"


def test_normalize_id_number_not_a_leap_year_refused():
    assert _refusal_code(normalize_id_number, _id_number("44030120230229123")) == "birth_date"


def test_normalize_id_number_future_birth_date_refused():
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    value = _id_number(f"440301{tomorrow:%Y%m%d}123")

    assert _refusal_code(normalize_id_number, value) == "birth_date"


def test_normalize_id_number_birth_before_1900_refused():
    assert _refusal_code(normalize_id_number, _id_number("44030118991231123")) == "birth_date"


@pytest.mark.parametrize("raw", ["11²²²²19491231002X", "1101051949123100²X", "11010519491231002²"])
def test_normalize_id_number_non_ascii_digits_refused_as_format(raw):
    assert _refusal_code(normalize_id_number, raw) == "format"


def test_normalize_id_number_unknown_region_refused():
    assert _refusal_code(normalize_id_number, _id_number("99030119900101123")) == "region"


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002",  # 17 characters
        "11010519491231002XX",  # 19 characters
        "1101051949A231002X",  # a letter in the middle
        "11010519491231002Y",  # a last character other than a digit or X
        "X10105194912310020",
        "",
        None,
    ],
)
def test_normalize_id_number_bad_format_refused(raw):
    assert _refusal_code(normalize_id_number, raw) == "format"


# --- VINs (ISO 3779 / GB 16735) ------------------------------------------------------------
@pytest.mark.parametrize(
    "vin",
    [
        "1M8GDM9AXKP042788",  # the textbook example, check digit X
        "11111111111111111",
        "1HGCM82633A004352",
        "JHMCM56557C404453",
    ],
)
def test_normalize_vin_known_real_vins_valid(vin):
    assert normalize_vin(vin) == vin


@pytest.mark.parametrize(
    "draft", ["LVGBE40K0SA123456", "LW4CB21F0SC654321", "LSVNV2180N2012345"],
)
def test_normalize_vin_computed_check_digit_valid(draft):
    vin = _vin(draft)

    assert normalize_vin(vin) == vin


def test_vin_check_digit_of_textbook_example_is_x():
    assert vin_check_digit("1M8GDM9A0KP042788") == "X"


def test_normalize_vin_lowercase_and_spaces_normalised():
    assert normalize_vin(" 1m8gdm9axkp042788 ") == "1M8GDM9AXKP042788"


def test_normalize_vin_inner_spaces_removed():
    assert normalize_vin("1M8 GDM9AX KP042788") == "1M8GDM9AXKP042788"


@pytest.mark.parametrize("letter", ["I", "O", "Q", "i", "o", "q"])
def test_normalize_vin_letters_i_o_q_refused(letter):
    vin = "1M8GDM9AXKP042788"
    raw = vin[:3] + letter + vin[4:]

    assert _refusal_code(normalize_vin, raw) == "letters"


@pytest.mark.parametrize(
    "raw", ["1M8GDM9AXKP04278", "1M8GDM9AXKP0427888", "", None],
)
def test_normalize_vin_wrong_length_refused(raw):
    assert _refusal_code(normalize_vin, raw) == "length"


def test_normalize_vin_punctuation_refused():
    assert _refusal_code(normalize_vin, "1M8GDM9AX-P042788") == "characters"


def test_normalize_vin_wrong_check_digit_refused():
    assert _refusal_code(normalize_vin, "1M8GDM9A1KP042788") == "check_digit"


def test_normalize_vin_one_character_mistyped_refused():
    vin = _vin("LVGBE40K0SA123456")
    mistyped = vin[:-1] + ("7" if vin[-1] != "7" else "8")

    assert _refusal_code(normalize_vin, mistyped) == "check_digit"
