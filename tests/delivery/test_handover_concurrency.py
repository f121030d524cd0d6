"""Two people completing one handover at the same instant (PostgreSQL only): one
completion, one refusal, one vehicle_delivered."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from contracts.enums import ContractStatus
from dealership.enums import StockStatus
from delivery.models import Handover
from delivery.services.handover import handover_complete
from delivery.signals import vehicle_delivered
from tests.concurrency import race, require_postgres
from tests.delivery.test_handover_support import ready

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_english")]


@pytest.fixture(autouse=True)
def _postgres_only():
    require_postgres()


def test_two_clicks_at_once_one_completion(consultant, manager):
    contract, vehicle = ready(consultant, manager)
    sent = []

    def receiver(sender, **kwargs):
        sent.append(kwargs["contract_id"])

    vehicle_delivered.connect(receiver, dispatch_uid="race-receiver")
    try:
        results = race(lambda: handover_complete(actor=consultant, contract=contract),
                       lambda: handover_complete(actor=manager, contract=contract),
                       timeout=30)
    finally:
        vehicle_delivered.disconnect(dispatch_uid="race-receiver")

    winners = [r for r in results if isinstance(r, Handover)]
    losers = [r for r in results if isinstance(r, ValidationError)]
    assert (len(winners), len(losers)) == (1, 1)
    assert "delivered" in losers[0].messages[0].lower()
    contract.refresh_from_db()
    vehicle.refresh_from_db()
    assert (contract.status, vehicle.status, sent) == (
        ContractStatus.DELIVERED, StockStatus.DELIVERED, [contract.pk])
