"""Ten advisors booking the last three places of a day at once: the day's row, locked (or
created under its unique constraint), leaves exactly three appointments and seven clear
refusals (PostgreSQL, one connection per thread, as ten web workers)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from aftersales.enums import AppointmentType
from aftersales.models import Appointment, ServiceCapacity, ServiceDay
from aftersales.services.service import appointment_book, appointment_cancel
from dealership.enums import Role
from tests.aftersales.factories_service import owner
from tests.concurrency import race, require_postgres

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_english")]

MAINTENANCE = AppointmentType.MAINTENANCE


@pytest.fixture(autouse=True)
def _postgres_only():
    require_postgres()


def _owners(consultant, manager, count: int):
    """`count` owners, each with a car handed over through the real services."""
    return [owner(consultant, manager)[:2] for _ in range(count)]


@pytest.mark.parametrize("day_row_exists", [True, False])
def test_ten_bookings_for_the_last_three_places_leave_three(store, consultant, manager,
                                                             make_user, day_row_exists):
    advisors = [make_user(Role.SERVICE_ADVISOR, username=f"adv{n}") for n in range(10)]
    cars = _owners(consultant, manager, 10)
    day = store.today() + dt.timedelta(days=3)
    ServiceCapacity.objects.create(store=store, appointment_type=MAINTENANCE,
                                   daily_capacity=5)
    if day_row_exists:
        ServiceDay.objects.create(store=store, day=day, appointment_type=MAINTENANCE,
                                  booked=2, capacity=5)
        places = 3
    else:
        places = 5

    results = race(*[
        (lambda advisor=advisor, car=car: appointment_book(
            actor=advisor, customer=car[0], vehicle=car[1], appointment_type=MAINTENANCE,
            day=day, slot=dt.time(10, 30)))
        for advisor, car in zip(advisors, cars, strict=True)], timeout=60)

    winners = [r for r in results if isinstance(r, Appointment)]
    losers = [r for r in results if isinstance(r, ValidationError)]
    assert (len(winners), len(losers)) == (places, 10 - places)
    following = (day + dt.timedelta(days=1)).isoformat()
    assert {m for loser in losers for m in loser.message_dict["day"]} == {
        f"No place left on {day.isoformat()} for Maintenance; the next free day is "
        f"{following}."}
    assert Appointment.objects.filter(day=day).count() == places
    assert ServiceDay.objects.get(day=day, appointment_type=MAINTENANCE).booked == 5


def test_cancel_and_book_at_once_never_exceed_capacity(store, consultant, manager, make_user):
    advisor = make_user(Role.SERVICE_ADVISOR, username="adv")
    (first, first_car), (second, second_car) = _owners(consultant, manager, 2)
    day = store.today() + dt.timedelta(days=3)
    ServiceCapacity.objects.create(store=store, appointment_type=MAINTENANCE,
                                   daily_capacity=1)
    booked = appointment_book(actor=advisor, customer=first, vehicle=first_car,
                              appointment_type=MAINTENANCE, day=day, slot=dt.time(8, 30))
    results = race(
        lambda: appointment_cancel(actor=advisor, appointment=booked, reason="改期"),
        lambda: appointment_book(actor=advisor, customer=second, vehicle=second_car,
                                 appointment_type=MAINTENANCE, day=day,
                                 slot=dt.time(8, 30)))

    row = ServiceDay.objects.get(day=day)
    held = Appointment.objects.filter(day=day, status="booked").count()
    assert row.booked == held <= 1
    assert isinstance(results[1], (Appointment, ValidationError))
