"""Two managers saving one accessory's price at the same instant (PostgreSQL): the row
lock and the version check let exactly one through; the other is told, nothing is lost,
and the price history has one row."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from contracts.models import Accessory
from contracts.services.catalogue import ACCESSORY_FIELDS, accessory_update
from dealership.enums import Role
from dealership.models import PriceChange
from dealership.services.catalogue import catalogue_version
from tests.concurrency import race, require_postgres
from tests.contracts.factories import AccessoryFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_english")]


@pytest.fixture(autouse=True)
def _postgres_only():
    require_postgres()


def test_two_managers_saving_one_price_at_once_one_wins(manager, store, make_user):
    other = make_user(Role.MANAGER, username="mgr2")
    item = AccessoryFactory(store=store, price=Decimal("800.00"))
    version = catalogue_version(instance=Accessory.objects.get(pk=item.pk),
                                fields=ACCESSORY_FIELDS)

    results = race(
        lambda: accessory_update(actor=manager, accessory=item, version=version,
                                 price=Decimal("880")),
        lambda: accessory_update(actor=other, accessory=item, version=version,
                                 price=Decimal("900")))

    winners = [r for r in results if isinstance(r, Accessory)]
    losers = [r for r in results if isinstance(r, ValidationError)]
    assert (len(winners), len(losers)) == (1, 1)
    assert "Someone else changed" in losers[0].messages[0]
    item.refresh_from_db()
    assert item.price == winners[0].price
    assert list(PriceChange.objects.values_list("old", "new")) == [
        (Decimal("800.00"), winners[0].price)]
