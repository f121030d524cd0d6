"""How personal data looks when it is not shown in full."""

from __future__ import annotations

import pytest

from dealership.masking import format_phone, mask_id_number, mask_name, mask_phone


def test_mask_phone_chinese_mobile_hides_middle_digits():
    assert mask_phone("+8613812345678") == "138****5678"


def test_mask_phone_landline_hides_middle_digits():
    assert mask_phone("+861012345678") == "101***5678"


def test_mask_phone_foreign_number_shows_national_digits_masked():
    assert mask_phone("+14155552671") == "415***2671"


def test_mask_phone_short_number_keeps_two_digits_each_side():
    assert mask_phone("+85291234567") == "912*4567"


def test_mask_phone_unparsable_value_still_masked():
    assert mask_phone("12345") == "12*45"


@pytest.mark.parametrize("value", ["", None])
def test_mask_phone_empty_gives_empty(value):
    assert mask_phone(value) == ""


def test_format_phone_chinese_mobile_in_groups_of_3_4_4():
    assert format_phone("+8613812345678") == "138 1234 5678"


def test_format_phone_chinese_landline_in_national_form():
    assert format_phone("+861012345678") == "010 1234 5678"


def test_format_phone_foreign_number_in_international_form():
    assert format_phone("+14155552671") == "+1 415-555-2671"


def test_format_phone_unparsable_value_returned_as_is():
    assert format_phone("not a phone") == "not a phone"


@pytest.mark.parametrize("value", ["", None])
def test_format_phone_empty_gives_empty(value):
    assert format_phone(value) == ""


def test_mask_id_number_keeps_region_and_last_four():
    assert mask_id_number("440301199001011234") == "4403**********1234"


def test_mask_id_number_with_x_keeps_x():
    assert mask_id_number("11010519491231002X") == "1101**********002X"


def test_mask_id_number_short_value_fully_hidden():
    assert mask_id_number("12345678") == "********"


@pytest.mark.parametrize("value", ["", None])
def test_mask_id_number_empty_gives_empty(value):
    assert mask_id_number(value) == ""


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张伟", "张*"),
        ("张三丰", "张*丰"),
        ("王小明", "王*明"),
        ("欧阳娜娜", "欧**娜"),
        ("司马相如", "司**如"),
        ("张", "张"),
        (" 张伟 ", "张*"),
        ("John Smith", "J. S."),
        ("Li", "L*"),
    ],
)
def test_mask_name_hides_all_but_the_ends(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize("value", ["", "   ", None])
def test_mask_name_empty_gives_empty(value):
    assert mask_name(value) == ""
