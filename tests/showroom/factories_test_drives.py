"""Test-drive factories and time helpers.

`TestDriveFactory(store=store, consultant=consultant)` books a demo vehicle of the store for
tomorrow 10:00 (store time) for a customer of that consultant, agreement accepted.
"""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from showroom.enums import TestDriveStatus as DriveStatus
from showroom.models import bookings
from tests.factories import CustomerFactory, StoreFactory, UserFactory, clock_now
from tests.showroom.factories import DemoVehicleFactory


def local_at(store, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware instant at a wall-clock time of the store."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=store.tzinfo)


def store_today(store) -> dt.date:
    return timezone.localdate(timezone=store.tzinfo)


def tomorrow_at(store, hour: int, minute: int = 0) -> dt.datetime:
    return local_at(store, store_today(store) + dt.timedelta(days=1), hour, minute)


class DriveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = bookings.TestDrive

    store = factory.SubFactory(StoreFactory)
    vehicle = factory.SubFactory(DemoVehicleFactory, store=factory.SelfAttribute("..store"))
    consultant = factory.SubFactory(UserFactory, store=factory.SelfAttribute("..store"))
    customer = factory.SubFactory(CustomerFactory, store=factory.SelfAttribute("..store"),
                                  owner=factory.SelfAttribute("..consultant"))
    slot_start = factory.LazyAttribute(lambda o: tomorrow_at(o.store, 10))
    status = DriveStatus.BOOKED
    licence_number = "440301199001011234"
    licence_expires_on = factory.LazyFunction(lambda: timezone.localdate()
                                              + dt.timedelta(days=365 * 3))
    agreement_version = "2026-01"
    agreement_accepted_at = factory.LazyFunction(clock_now)
    created_by = factory.SelfAttribute("consultant")
