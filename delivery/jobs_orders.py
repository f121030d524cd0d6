"""The at-risk job (seed 003): a signed contract with no car allocated whose promised
delivery date is within the store's `at_risk_days` (or past) is flagged once per store
day, and its consultant told. The manager sees them under the order list's "at risk"
filter.

Set-based over every store and idempotent: one query finds the contracts (each store with
its own day and distance), the flags are written with bulk_create(ignore_conflicts=True)
on the unique (contract, kind, day), and only the rows this run wrote (its timestamp, and
not there before) notify anyone: a second run on the same store day writes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from contracts.models import Contract
from dealership.models import Store
from delivery.enums import LeadEventKind, ReminderKind
from delivery.models import DeliveryReminder, DeliverySettings
from delivery.selectors.orders import DEFAULT_AT_RISK_DAYS, at_risk_q
from leads.models import Notification

logger = logging.getLogger(__name__)


def _store_days(now: dt.datetime) -> dict[int, tuple[dt.date, int]]:
    """Each active store's (local day now, at-risk distance in days), in two queries."""
    days = dict(DeliverySettings.objects.values_list("store_id", "at_risk_days"))
    return {store.pk: (timezone.localdate(now, store.tzinfo),
                       days.get(store.pk) or DEFAULT_AT_RISK_DAYS)
            for store in Store.objects.filter(is_active=True).only("pk", "timezone")}


def flag_deliveries_at_risk(now: dt.datetime | None = None) -> int:
    """Flag today's at-risk deliveries of every store and notify the consultants of the
    new flags; returns how many flags this run wrote."""
    now = now or timezone.now()
    stores = _store_days(now)
    if not stores:
        return 0
    per_store = reduce(or_, (
        Q(store_id=pk) & at_risk_q(today + dt.timedelta(days=distance))
        for pk, (today, distance) in stores.items()))
    rows = list(Contract.objects.filter(per_store)
                .order_by("pk").values_list("pk", "store_id", "consultant_id", "lead_id"))
    if not rows:
        return 0
    ids = [pk for pk, *_ in rows]
    kind = ReminderKind.DELIVERY_AT_RISK
    with transaction.atomic():
        already = {(contract_id, day) for contract_id, day in DeliveryReminder.objects.filter(
            contract_id__in=ids, kind=kind,
            day__in={today for today, _ in stores.values()}).values_list("contract_id", "day")}
        DeliveryReminder.objects.bulk_create(
            [DeliveryReminder(store_id=store_id, contract_id=pk, kind=kind,
                              day=stores[store_id][0], created_at=now)
             for pk, store_id, *_ in rows if (pk, stores[store_id][0]) not in already],
            ignore_conflicts=True)
        # Ours: carrying this run's stamp and not there before (a second worker racing
        # this one on the same day writes with its own stamp, or not at all).
        mine = {(contract_id, day) for contract_id, day in DeliveryReminder.objects.filter(
            contract_id__in=ids, kind=kind, created_at=now).values_list("contract_id", "day")
        } - already
        new = [row for row in rows if (row[0], stores[row[1]][0]) in mine]
        Notification.objects.bulk_create([
            Notification(store_id=store_id, user_id=consultant_id, lead_id=lead_id,
                         kind=LeadEventKind.DELIVERY_AT_RISK, created_at=now)
            for _pk, store_id, consultant_id, lead_id in new])
    if new:
        logger.info("deliveries flagged at risk: %d", len(new))
    return len(new)
