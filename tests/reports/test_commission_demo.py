"""The commission demo: a version from three months ago and a newer one from this month,
through the service; a second run writes nothing."""

from __future__ import annotations

import datetime as dt
import random
from unittest import mock

import pytest
from django.utils import timezone

from reports.demo.commission import seed
from reports.models import CommissionScheme
from tests.reports.factories_commission import at

pytestmark = pytest.mark.django_db


def test_demo_writes_two_versions_once(store, manager):
    with mock.patch.object(timezone, "now", return_value=at(dt.date(2026, 11, 20))):
        seed(random.Random(7), store=store, scale="small")
        seed(random.Random(7), store=store, scale="small")

    versions = list(CommissionScheme.objects.filter(store=store).order_by("valid_from"))
    assert [v.valid_from for v in versions] == [dt.date(2026, 8, 1), dt.date(2026, 11, 1)]
    assert [v.tiers.count() for v in versions] == [3, 4]
    assert {v.created_by for v in versions} == {manager}


def test_demo_without_a_manager_writes_nothing(store):
    seed(random.Random(7), store=store, scale="small")

    assert CommissionScheme.objects.count() == 0
