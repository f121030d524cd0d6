"""The delivery stage's objects of the access matrix's world (tests/test_access_matrix.py),
made through the delivery services wherever one exists, so each row is one the product
could have written.

Kinds (each ownership's object belongs to the ownership's consultant, store and manager):

- store-level (own and foreign only): `stock_vehicle` (in stock, free), `stock_in_transit`
  (on its way, free), `stock_import` (a CSV receipt with one car received in transit),
  `pdi_item` (one line of the store's inspection list);
- per ownership: `order` (a signed contract of its own trim with a car of the store
  allocated to it: the order page's, the inspection's, the handover's and the money's
  object; its handover has an appointment tomorrow and a photo stored at
  HANDOVER_PHOTO, the ceremony not finished), `allocation` (that order's open allocation),
  `loan` (a submitted loan application on that order).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from contracts.enums import ContractStatus
from dealership.demo import data
from dealership.enums import StockStatus
from delivery.models import Allocation, Handover
from delivery.services.allocation import allocation_create
from delivery.services.finance import loan_submit
from delivery.services.handover import handover_schedule
from delivery.services.inventory import stock_import, stock_receive
from delivery.services.pdi import pdi_items_ensure
from tests.contracts.factories import make_contract
from tests.factories import CustomerFactory, TrimFactory
from tests.showroom.factories_test_drives import tomorrow_at

_rng = random.Random(20261206)
# The handover photo's file, written into each test's MEDIA_ROOT by the matrix.
HANDOVER_PHOTO = "handovers/matrix/with-the-customer.jpg"


def _vin() -> str:
    return data.vin(_rng, wmi="LVG", model_year=2025)


def _receive(boss, shop, trim, *, status=StockStatus.IN_STOCK):
    vehicle, received = stock_receive(
        actor=boss, store=shop, vin=_vin(), trim=trim, colour=None,
        cost=Decimal("180000.00"), list_price=Decimal("209800.00"), status=status,
        arrival_date=shop.today() - dt.timedelta(days=12) if status == StockStatus.IN_STOCK
        else None, location="A区-01")
    assert received
    return vehicle


def build(put, owners: dict, *, store_level: tuple[str, ...]) -> None:
    """Add the delivery kinds to the world through `put(kind, ownership, instance)`.
    `owners` maps each ownership to (store, consultant, manager); `store_level` names the
    ownerships store-level kinds are made for."""
    trim = TrimFactory()
    for ownership, (shop, seller, boss) in owners.items():
        customer = CustomerFactory(store=shop, owner=seller)
        order = make_contract(seller, customer, manager=boss, status=ContractStatus.SIGNED,
                              trim=trim)
        car = _receive(boss, shop, trim)
        allocation_create(actor=boss, contract=order, vehicle=car)
        put("order", ownership, order)
        put("allocation", ownership,
            Allocation.objects.get(contract=order, released_at__isnull=True))
        handover_schedule(actor=boss, contract=order, scheduled_at=tomorrow_at(shop, 10),
                          place="交车区1号")
        # The photo is uploaded through the handover form; here only its stored name.
        Handover.objects.filter(contract=order).update(photo=HANDOVER_PHOTO)
        put("loan", ownership, loan_submit(
            actor=boss, contract=order, lender="招商银行", amount=Decimal("100000.00"),
            term_months=36, annual_rate=Decimal("3.50")))
        if ownership not in store_level:
            continue
        put("stock_vehicle", ownership, _receive(boss, shop, trim))
        put("stock_in_transit", ownership,
            _receive(boss, shop, trim, status=StockStatus.IN_TRANSIT))
        csv = ("vin,series,trim,status,cost,list_price\n"
               f"{_vin()},{trim.series.name},{trim.name},in_transit,180000,209800\n")
        put("stock_import", ownership,
            stock_import(actor=boss, store=shop, file=csv.encode(), filename="stock.csv"))
        put("pdi_item", ownership, pdi_items_ensure(store=shop)[0])
