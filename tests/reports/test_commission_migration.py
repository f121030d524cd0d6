"""Migration reports 0003 files each commission tier written before it under its scheme's
store (issue 15 §6), and 0004 makes the column required."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dealership.enums import Role
from reports.models import CommissionTier
from tests.factories import UserFactory
from tests.helpers import migrated_back
from tests.reports.factories_commission import make_scheme


@pytest.mark.django_db(transaction=True)
def test_migration_fills_each_tiers_store_from_its_scheme(store, other_store, manager):
    theirs = UserFactory(username="other-mgr", role=Role.MANAGER, store=other_store)
    month = dt.date(2026, 12, 1)
    mine = make_scheme(store, manager, month=month, tiers=((1, "300"), (5, "400")))
    other = make_scheme(other_store, theirs, month=month, tiers=((1, "350"),))
    # Back before the store column (dropped); on the way out it is added again, filled from
    # the schemes and made NOT NULL.
    with migrated_back([("reports", "0002_report_time_callable_default")]):
        pass

    assert sorted(CommissionTier.objects.values_list("scheme_id", "store_id", "amount_per_unit")
                  ) == [(mine.pk, store.pk, Decimal("300.00")),
                        (mine.pk, store.pk, Decimal("400.00")),
                        (other.pk, other_store.pk, Decimal("350.00"))]
