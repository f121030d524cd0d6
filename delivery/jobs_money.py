"""Dunning: remind the consultant (and the customer, through the outbox, when they have
agreed to messages) of a balance the customer promised to pay and hasn't.

Cadence: on the first day a balance is overdue, then every seven days while it stays
overdue (overdue by 1, 8, 15, 22 … store days). A daily reminder would be noise; a weekly
one keeps the balance on the consultant's list without nagging the customer more than
the store's weekly message limit allows anyway.

Set-based and idempotent: one query finds the overdue contracts of each store, the
reminders are written with bulk_create(ignore_conflicts=True) on the unique (contract,
kind, day), and only the rows this run created are acted on: a second run (or a second
worker) on the same day writes and sends nothing.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from contracts.models import Contract
from dealership.models import Store
from delivery.enums import LeadEventKind, ReminderKind
from delivery.models import DeliveryReminder
from delivery.selectors.money import COLLECTING_STATUSES, overdue_q, with_money

logger = logging.getLogger(__name__)

REMIND_EVERY_DAYS = 7
PURPOSE_BALANCE_OVERDUE = "balance_overdue"


def is_reminder_day(days_overdue: int) -> bool:
    """Overdue by 1, 8, 15 … days: the first day late, then weekly."""
    return days_overdue >= 1 and (days_overdue - 1) % REMIND_EVERY_DAYS == 0


def _customer_message(contract: Contract) -> str:
    # Customers are written to in the site's language (a job has no request language).
    with override(settings.LANGUAGE_CODE):
        return _("%(store)s: the balance of %(amount)s on contract %(number)s was due on "
                 "%(day)s. Please contact your consultant %(consultant)s.") % {
            "store": contract.store.name, "amount": f"¥{contract.m_customer_due:,.2f}",
            "number": contract.number,
            "day": contract.promised_payment_date.isoformat(),
            "consultant": contract.consultant.get_full_name()}


def _remind_store(store: Store, now: dt.datetime) -> int:
    from leads.messaging import message_queue
    from leads.services.notifications import notification_send

    today = timezone.localdate(now, store.tzinfo)
    overdue = list(
        with_money(Contract.objects.filter(store=store, status__in=COLLECTING_STATUSES))
        .filter(overdue_q(today))
        .select_related("store", "consultant", "customer", "lead")
        .order_by("pk"))
    due = [c for c in overdue if is_reminder_day((today - c.promised_payment_date).days)]
    if not due:
        return 0
    ids = [c.pk for c in due]
    stamp = timezone.now()
    with transaction.atomic():
        before = set(DeliveryReminder.objects.filter(
            contract_id__in=ids, kind=ReminderKind.BALANCE_OVERDUE, day=today)
            .values_list("contract_id", flat=True))
        DeliveryReminder.objects.bulk_create(
            [DeliveryReminder(store=store, contract_id=pk, kind=ReminderKind.BALANCE_OVERDUE,
                              day=today, created_at=stamp) for pk in ids if pk not in before],
            ignore_conflicts=True)
        # Ours: written now and not there before (another worker's rows carry its stamp).
        mine = set(DeliveryReminder.objects.filter(
            contract_id__in=ids, kind=ReminderKind.BALANCE_OVERDUE, day=today,
            created_at=stamp).values_list("contract_id", flat=True)) - before
        for contract in due:
            if contract.pk not in mine:
                continue
            notification_send(store=store, user=contract.consultant,
                              kind=LeadEventKind.BALANCE_OVERDUE, lead=contract.lead)
            # Consent-aware: None (nothing queued) without the customer's consent.
            message_queue(customer=contract.customer, lead=contract.lead,
                          purpose=PURPOSE_BALANCE_OVERDUE, body=_customer_message(contract),
                          dedupe_key=f"balance-overdue:{contract.pk}:{today.isoformat()}",
                          now=now)
    return len(mine)


def remind_overdue_balances(now: dt.datetime | None = None) -> int:
    """Write today's balance-overdue reminders of every store and act on the new ones;
    returns how many reminders this run wrote."""
    now = now or timezone.now()
    # Per store, a probe of its (store, status) index: the stores with a balance to chase.
    collecting = Contract.objects.filter(store=OuterRef("pk"), status__in=COLLECTING_STATUSES,
                                         promised_payment_date__isnull=False)
    total = 0
    for store in Store.objects.filter(Exists(collecting)).order_by("pk"):
        total += _remind_store(store, now)
    if total:
        logger.info("balance-overdue reminders written: %d", total)
    return total
