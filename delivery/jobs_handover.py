"""The "delivery due tomorrow" job: each handover booked for the store's tomorrow and not
done yet is announced to its consultant once. Set-based and idempotent: the reminders are
inserted in one statement that ignores those already written (unique contract, kind,
day), and only the rows this run inserted are announced."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from contracts.enums import ContractStatus
from dealership.models import Store
from delivery.enums import LeadEventKind, ReminderKind
from delivery.models import DeliveryReminder, Handover
from leads.services.notifications import notification_send


def announce_tomorrows_deliveries(now: dt.datetime | None = None) -> int:
    """Remind consultants of tomorrow's handovers (tomorrow in each store's time zone).
    Returns how many reminders this run wrote; a second run the same day writes none."""
    now = now or timezone.now()
    stores = list(Store.objects.filter(is_active=True))
    if not stores:
        return 0
    condition, tomorrow_of = Q(), {}
    for store in stores:
        tomorrow = timezone.localdate(now, store.tzinfo) + dt.timedelta(days=1)
        start, end = store.day_bounds(tomorrow)
        tomorrow_of[store.pk] = tomorrow
        condition |= Q(store_id=store.pk, scheduled_at__gte=start, scheduled_at__lt=end)
    due = list(Handover.objects.filter(condition, completed_at__isnull=True,
                                       contract__status=ContractStatus.SIGNED)
               .values_list("store_id", "contract_id"))
    if not due:
        return 0
    # This run's rows carry this run's own stamp (the wall clock, not `now`, which two runs
    # may share): the rows found with it afterwards are the ones it inserted.
    stamp = timezone.now()
    with transaction.atomic():
        DeliveryReminder.objects.bulk_create(
            [DeliveryReminder(store_id=store_id, contract_id=contract_id,
                              kind=ReminderKind.DELIVERY_TOMORROW,
                              day=tomorrow_of[store_id], created_at=stamp)
             for store_id, contract_id in due],
            batch_size=1000, ignore_conflicts=True)
        new = list(DeliveryReminder.objects.filter(
            kind=ReminderKind.DELIVERY_TOMORROW, created_at=stamp,
            contract_id__in=[contract_id for _store, contract_id in due])
            .select_related("store", "contract__consultant", "contract__lead"))
        for reminder in new:
            contract = reminder.contract
            notification_send(store=reminder.store, user=contract.consultant,
                              kind=LeadEventKind.DELIVERY_DUE, lead=contract.lead)
    return len(new)
