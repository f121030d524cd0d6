"""The day-before reminder job: each store's tomorrow in its own time zone, one message per
booked visit through the outbox (consent respected), `reminded_on` set; a second run
writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.enums import AppointmentStatus
from aftersales.jobs_service import remind_appointments
from aftersales.models import Appointment
from dealership.enums import ConsentSource
from leads.models import OutboundMessage
from tests.aftersales.factories_service import appointment
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

# 23:30 on 31 March in UTC: already 07:30 on 1 April in Shanghai (its tomorrow is 2 April),
# still 31 March in a store kept on UTC (its tomorrow is 1 April).
NOW = dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC)
APRIL_1, APRIL_2 = dt.date(2026, 4, 1), dt.date(2026, 4, 2)


def _consenting(store, name: str):
    return CustomerFactory(store=store, name=name, marketing_consent=True, consent_at=NOW,
                           consent_source=ConsentSource.SHOWROOM_FORM)


@pytest.fixture
def stores(store, other_store, settings):
    settings.TIME_ZONE = "UTC"
    store.timezone = "Asia/Shanghai"
    store.save(update_fields=["timezone"])
    other_store.timezone = "UTC"
    other_store.save(update_fields=["timezone"])
    return store, other_store


def test_reminds_each_store_tomorrow_once(stores):
    shanghai, utc = stores
    due_sh = appointment(customer=_consenting(shanghai, "陈一"), day=APRIL_2,
                         slot=dt.time(10, 30))
    today_sh = appointment(customer=_consenting(shanghai, "林二"), day=APRIL_1)
    due_utc = appointment(customer=_consenting(utc, "周三"), day=APRIL_1)
    later_utc = appointment(customer=_consenting(utc, "吴四"), day=APRIL_2)
    cancelled = appointment(customer=_consenting(shanghai, "郑五"), day=APRIL_2,
                            status=AppointmentStatus.CANCELLED, cancel_reason="改期")

    assert remind_appointments(NOW) == 2

    reminded = dict(Appointment.objects.values_list("pk", "reminded_on"))
    assert reminded == {due_sh.pk: APRIL_1, today_sh.pk: None, due_utc.pk: dt.date(2026, 3, 31),
                        later_utc.pk: None, cancelled.pk: None}
    messages = {m.dedupe_key: m for m in OutboundMessage.objects.all()}
    assert set(messages) == {f"appointment-reminder:{due_sh.pk}",
                             f"appointment-reminder:{due_utc.pk}"}
    assert messages[f"appointment-reminder:{due_sh.pk}"].body == (
        "陈一您好，示范店提醒您：您的爱车已预约明天 10:30 到店服务，请准时到店；"
        "如需改期请致电门店。回复T退订。")
    assert messages[f"appointment-reminder:{due_sh.pk}"].purpose == "service_reminder"


def test_a_second_run_writes_nothing(stores):
    shanghai, _utc = stores
    appointment(customer=_consenting(shanghai, "陈一"), day=APRIL_2)
    remind_appointments(NOW)

    assert remind_appointments(NOW + dt.timedelta(hours=1)) == 0
    assert OutboundMessage.objects.count() == 1


def test_without_consent_no_message_but_reminded(stores):
    shanghai, _utc = stores
    visit = appointment(customer=CustomerFactory(store=shanghai, name="陈一"), day=APRIL_2)

    assert remind_appointments(NOW) == 1

    visit.refresh_from_db()
    assert visit.reminded_on == APRIL_1
    assert OutboundMessage.objects.count() == 0
