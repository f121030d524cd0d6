"""Issue 14's objects of the access matrix's world (tests/test_access_matrix.py), made
through the services wherever one exists, so each row is one the product could have
written.

Kinds:

- global, own only (no store: one price list for the group): `trim`, `colour`;
- store-level (own and foreign only): `accessory`, `value_package` (the store's
  catalogue, added by its manager), `outbound_message` (a message still queued, not
  stuck in "sending": marking it sent or queueing it again is refused, 409).
"""

from __future__ import annotations

from decimal import Decimal

from contracts.enums import PackageKind
from contracts.services.catalogue import accessory_create, package_create
from leads.models import OutboundMessage
from tests.factories import ColourFactory, CustomerFactory, TrimFactory


def build(put, owners: dict, *, store_level: tuple[str, ...]) -> None:
    """Add issue 14's kinds to the world through `put(kind, ownership, instance,
    kwargs=None, query="")`. `owners` maps each ownership to (store, consultant, manager);
    `store_level` names the ownerships store-level kinds are made for; the first of them
    is the principals' own store."""
    # The administrator alone adds trims and colours; the world has none at hand here,
    # and these rows ask only who may open and change them.
    put("trim", store_level[0], TrimFactory())
    put("colour", store_level[0], ColourFactory())
    for ownership in store_level:
        shop, seller, boss = owners[ownership]
        put("accessory", ownership, accessory_create(
            actor=boss, store=shop, code=f"MX-{shop.code}", name="全车脚垫",
            price=Decimal("800.00")))
        put("value_package", ownership, package_create(
            actor=boss, store=shop, name="首保套餐", kind=PackageKind.MAINTENANCE,
            price=Decimal("0.00")))
        customer = CustomerFactory(store=shop, owner=seller)
        # Queued a moment ago, as the outbox left it: not stuck in "sending".
        put("outbound_message", ownership, OutboundMessage.objects.create(
            store=shop, customer=customer, purpose="care", body="您好",
            dedupe_key=f"matrix-{shop.code}"))
