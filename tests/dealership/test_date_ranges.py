"""The shared business ranges of typed dates (issue 10): `ensure_within` and the fields."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from dealership.forms import BoundedDateField, BoundedDateTimeField
from dealership.validators import ensure_within

SHANGHAI = ZoneInfo("Asia/Shanghai")
JAN_1 = dt.date(2026, 1, 1)
DEC_31 = dt.date(2026, 12, 31)


@pytest.mark.parametrize("value", [JAN_1, dt.date(2026, 6, 15), DEC_31, None])
def test_ensure_within_accepts_the_bounds_and_between(value):
    ensure_within(value, earliest=JAN_1, latest=DEC_31)


@pytest.mark.parametrize("value", [dt.date(1, 1, 1), dt.date(2025, 12, 31),
                                   dt.date(2027, 1, 1), dt.date(9999, 12, 31)])
def test_ensure_within_names_the_field_and_the_range(value):
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            ensure_within(value, earliest=JAN_1, latest=DEC_31, field="day")
        messages = caught.value.message_dict

    assert messages == {"day": ["Enter a date between 2026-01-01 and 2026-12-31."]}


def test_ensure_within_with_one_bound_says_which_side():
    with translation.override("en"):
        with pytest.raises(ValidationError) as early:
            ensure_within(dt.date(2025, 1, 1), earliest=JAN_1)
        with pytest.raises(ValidationError) as late:
            ensure_within(dt.date(2027, 1, 1), latest=DEC_31)
        messages = early.value.messages + late.value.messages

    assert messages == ["Enter a date on or after 2026-01-01.",
                        "Enter a date on or before 2026-12-31."]


def test_ensure_within_shows_datetimes_in_the_active_time_zone_in_chinese():
    start = dt.datetime(2026, 3, 1, 0, 0, tzinfo=SHANGHAI)
    end = dt.datetime(2026, 3, 1, 23, 59, tzinfo=SHANGHAI)
    with timezone.override(SHANGHAI), translation.override("zh-hans"):
        with pytest.raises(ValidationError) as caught:
            ensure_within(dt.datetime(1, 1, 1, tzinfo=dt.UTC), earliest=start, latest=end)
        messages = caught.value.messages

    assert messages == ["请输入 2026-03-01 00:00 至 2026-03-01 23:59 之间的日期。"]


class _Form(forms.Form):
    day = BoundedDateField()
    at = BoundedDateTimeField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].set_range(JAN_1, DEC_31)
        self.fields["at"].set_range(dt.datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI),
                                    dt.datetime(2026, 3, 1, 18, 0, tzinfo=SHANGHAI))


@pytest.mark.parametrize(("day", "at", "bad"), [
    ("2026-05-01", "2026-03-01T10:30", []),
    ("0001-01-01", "2026-03-01T10:30", ["day"]),
    ("1900-01-01", "0001-01-01T00:00", ["at", "day"]),
    ("2026-05-01", "2026-03-01T18:01", ["at"]),
])
def test_bounded_fields_refuse_out_of_range_input_on_their_field(day, at, bad):
    with timezone.override(SHANGHAI), translation.override("en"):
        form = _Form({"day": day, "at": at})

        assert form.is_valid() is (not bad)
        assert sorted(form.errors) == bad
        assert form.data == {"day": day, "at": at}  # what was typed is kept


def test_bounded_fields_give_the_browser_min_and_max():
    with timezone.override(SHANGHAI):
        form = _Form()

        assert (form.fields["day"].widget.attrs["min"],
                form.fields["day"].widget.attrs["max"]) == ("2026-01-01", "2026-12-31")
        assert (form.fields["at"].widget.attrs["min"],
                form.fields["at"].widget.attrs["max"]) == ("2026-03-01T09:00",
                                                           "2026-03-01T18:00")
