"""The large group's five years of handovers (seed_demo --scale large): each delivered
contract of the history gets its completed handover (checklist done, a plate), in bulk
(dealership.demo.bulk). Cars are not allocated from stock for the history: the group's
stock is today's, not five years of it."""

from __future__ import annotations

import datetime as dt
import random

from contracts.enums import ContractStatus
from contracts.models import Contract
from dealership.models import Store
from delivery.models import Handover

PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def seed_history(rng: random.Random, *, store: Store) -> None:
    from dealership.demo import bulk

    tz = store.tzinfo
    plates = set(Handover.objects.filter(store=store).exclude(plate_number="")
                 .values_list("plate_number", flat=True))
    handovers = bulk.TableWriter(Handover)
    serial = rng.randrange(len(PLATE_LETTERS) * 10**4)
    contracts = Contract.objects.filter(
        store=store, status__in=[ContractStatus.DELIVERED, ContractStatus.CLOSED],
        handover__isnull=True)
    for pk, consultant, delivered in bulk.stream(contracts, "pk", "consultant_id",
                                                 "delivered_at"):
        while True:
            serial = (serial + 7919) % (len(PLATE_LETTERS) * 10**4)
            plate = f"粤B{PLATE_LETTERS[serial // 10**4]}{serial % 10**4:04d}"
            if plate not in plates:
                break
        plates.add(plate)
        handovers.add(
            store_id=store.pk, contract_id=pk, scheduled_at=delivered, place="交车区",
            scheduled_by_id=consultant, keys_handed=True, documents_handed=True,
            features_explained=True, app_explained=rng.random() < 0.8,
            maintenance_explained=True, satisfaction_signed=True, plate_number=plate,
            plate_registered_on=(delivered - dt.timedelta(days=1)).astimezone(tz).date(),
            completed_at=delivered, completed_by_id=consultant,
            created_at=delivered - dt.timedelta(days=3), updated_at=delivered)
    handovers.close()
