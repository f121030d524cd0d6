"""Twenty people allocating one car to twenty contracts at once: the database's unique
open allocation per vehicle leaves exactly one winner (PostgreSQL, one connection per
thread, as twenty web workers)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from contracts.enums import ContractStatus
from dealership.enums import StockStatus
from delivery.models import Allocation
from delivery.services.allocation import allocation_create
from tests.concurrency import race, require_postgres
from tests.contracts.factories import make_contract
from tests.factories import ColourFactory, StockVehicleFactory, TrimFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_english")]


@pytest.fixture(autouse=True)
def _postgres_only():
    require_postgres()


@pytest.mark.parametrize("status", [StockStatus.IN_STOCK, StockStatus.IN_TRANSIT])
def test_twenty_allocations_of_one_car_at_once_one_winner(store, consultant, customer,
                                                          manager, status):
    trim = TrimFactory()
    colour = ColourFactory(series=trim.series, name="铂金白")
    contracts = [make_contract(consultant, customer, manager=manager,
                               status=ContractStatus.SIGNED, trim=trim, colour=colour)
                 for _ in range(20)]
    arrival = {"arrival_date": None} if status == StockStatus.IN_TRANSIT else {}
    vehicle = StockVehicleFactory(store=store, trim=trim, colour=colour, status=status,
                                  **arrival)

    results = race(*[
        (lambda contract=contract: allocation_create(actor=manager, contract=contract,
                                                     vehicle=vehicle))
        for contract in contracts], timeout=60)

    winners = [r for r in results if isinstance(r, Allocation)]
    losers = [r for r in results if isinstance(r, ValidationError)]
    assert (len(winners), len(losers)) == (1, 19)
    [winner] = winners
    assert list(Allocation.objects.values_list("contract", "vehicle")) == [
        (winner.contract_id, vehicle.pk)]
    winner_number = winner.contract.number
    # A loser saw the car already taken: by its status once reserved, or by the
    # constraint when the car stays in transit.
    expected = ({f"The car {vehicle.vin} is Reserved; only a car in stock or in transit "
                 "can be allocated."} if status == StockStatus.IN_STOCK
                else {f"This car was just allocated to contract {winner_number}."})
    assert {m for loser in losers for m in loser.message_dict["vehicle"]} == expected
    vehicle.refresh_from_db()
    assert vehicle.status == (StockStatus.RESERVED if status == StockStatus.IN_STOCK
                              else StockStatus.IN_TRANSIT)
