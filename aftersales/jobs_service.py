"""After-sales periodic jobs: service (set-based, idempotent; thin Celery tasks at the end).

`remind_appointments` runs hourly. For each store, the visits booked for the store's own
tomorrow (a store in Shanghai reaches its tomorrow eight hours before UTC does) and not yet
reminded get one message through the outbox (consent and the weekly limit respected,
deduplicated by the appointment), then `reminded_on` is set for all of them in one UPDATE.
The rows are claimed with SKIP LOCKED, so two workers never remind the same visit, and a
second run finds nothing left to remind.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from aftersales.enums import AppointmentStatus
from aftersales.models import Appointment
from dealership.models import Store
from leads.messaging import message_queue, message_render

PURPOSE_SERVICE_REMINDER = "service_reminder"
# The store's words to its customers (in their language, as the care plan's messages);
# {name} and {store} are message_render's, {time} the visit's slot.
APPOINTMENT_REMINDER = ("{name}您好，{store}提醒您：您的爱车已预约明天 {time} 到店服务，"
                        "请准时到店；如需改期请致电门店。回复T退订。")


def appointment_reminder_dedupe_key(appointment_id: int) -> str:
    return f"appointment-reminder:{appointment_id}"


def remind_appointments(now: dt.datetime | None = None) -> int:
    """Queue the day-before reminder of each booked visit of each store's tomorrow and
    mark the visits reminded. Returns how many visits this run reminded (a message may
    be refused by consent or the weekly limit: the visit counts as reminded all the
    same, nobody should try again)."""
    now = now or timezone.now()
    stores = {store.pk: store for store in Store.objects.filter(is_active=True)}
    if not stores:
        return 0
    condition, today_of = Q(), {}
    for store in stores.values():
        today = timezone.localdate(now, store.tzinfo)
        today_of[store.pk] = today
        condition |= Q(store_id=store.pk, day=today + dt.timedelta(days=1))
    with transaction.atomic():
        due = list(Appointment.objects.select_for_update(of=("self",), skip_locked=True)
                   .filter(condition, status=AppointmentStatus.BOOKED,
                           reminded_on__isnull=True)
                   .select_related("customer"))
        for appointment in due:
            store = stores[appointment.store_id]
            template = APPOINTMENT_REMINDER.replace("{time}",
                                                    appointment.slot.strftime("%H:%M"))
            message_queue(customer=appointment.customer, purpose=PURPOSE_SERVICE_REMINDER,
                          body=message_render(template, name=appointment.customer.name,
                                              store=store.name, consultant=""),
                          dedupe_key=appointment_reminder_dedupe_key(appointment.pk),
                          now=now)
        for store_id, today in today_of.items():
            Appointment.objects.filter(
                pk__in=[a.pk for a in due if a.store_id == store_id],
                reminded_on__isnull=True).update(reminded_on=today)
    return len(due)


@shared_task(name="aftersales.remind_appointments", soft_time_limit=600, time_limit=660)
def remind_appointments_task() -> None:
    remind_appointments()
