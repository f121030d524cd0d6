"""The demo's targets and working calendar."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from reports.demo.targets import seed
from reports.models import ClosedDay, ReportSettings, Target

pytestmark = pytest.mark.django_db

# 10 April 2026 in Shanghai: last month is March; the next holidays are 1 and 2 May.
NOW = dt.datetime(2026, 4, 10, 4, 0, tzinfo=dt.UTC)


def test_demo_sets_two_months_of_targets_and_the_calendar(store, manager, consultant,
                                                         teammate):
    with mock.patch.object(timezone, "now", return_value=NOW):
        seed(random.Random(3), store=store, scale="small")

    settings = ReportSettings.objects.get(store=store)
    assert settings.working_weekdays == "1234567"
    assert list(ClosedDay.objects.filter(store=store).values_list("day", "note")) == [
        (dt.date(2026, 5, 1), "劳动节"), (dt.date(2026, 5, 2), "劳动节")]
    for month in (dt.date(2026, 3, 1), dt.date(2026, 4, 1)):
        deals = dict(Target.objects.filter(store=store, month=month, metric="deals")
                     .values_list("consultant", "value"))
        assert set(deals) == {None, consultant.pk, teammate.pk}
        assert all(Decimal(6) <= deals[c.pk] <= Decimal(12) for c in (consultant, teammate))
        assert deals[None] == deals[consultant.pk] + deals[teammate.pk]
        assert Target.objects.filter(store=store, month=month).count() == 18


def test_demo_runs_twice_without_error(store, manager, consultant):
    with mock.patch.object(timezone, "now", return_value=NOW):
        seed(random.Random(3), store=store, scale="small")
        seed(random.Random(4), store=store, scale="small")

    assert ClosedDay.objects.filter(store=store).count() == 2
    assert Target.objects.filter(store=store).count() == 24
