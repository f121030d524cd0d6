"""Test-drive services: booking (slot, licence, agreement, scope, the race for a slot) and
the transitions start → finish → feedback, or cancel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dealership.enums import AuditAction, Role, StockStatus
from dealership.models import AuditEntry
from leads.enums import EventKind, LeadStatus
from leads.models import LeadEvent
from showroom.enums import LeadEventKind
from showroom.enums import TestDriveStatus as DriveStatus
from showroom.models import bookings
from showroom.permissions import can_handle_test_drive
from showroom.services import test_drives as services
from tests.concurrency import race, require_postgres
from tests.factories import CustomerFactory, StockVehicleFactory
from tests.leads.factories import LeadFactory
from tests.showroom.factories import DemoVehicleFactory
from tests.showroom.factories_test_drives import (
    DriveFactory,
    local_at,
    store_today,
    tomorrow_at,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

Drive = bookings.TestDrive
RACE_LOST = "This car was just booked for that slot by someone else; choose another slot."


@pytest.fixture
def car(store):
    return DemoVehicleFactory(store=store)


def book(actor, vehicle, slot, customer, **overrides):
    kwargs = {
        "licence_number": "440301199001011234",
        "licence_expires_on": store_today(vehicle.store) + dt.timedelta(days=400),
        "agreement_accepted": True,
    }
    kwargs.update(overrides)
    return services.test_drive_book(actor=actor, vehicle=vehicle, slot_start=slot,
                                    customer=customer, **kwargs)


def refusal(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# --- Booking ------------------------------------------------------------------------------
def test_book_records_agreement_licence_and_lead_event(consultant, customer, car, store):
    lead = LeadFactory(store=store, owner=consultant, customer=customer)
    slot = tomorrow_at(store, 10, 30)

    drive = book(consultant, car, slot, customer, lead=lead, licence_number=" 4403 01-abc123 ")

    drive.refresh_from_db()
    assert (drive.status, drive.consultant, drive.slot_start, drive.licence_number) == (
        DriveStatus.BOOKED, consultant, slot, "440301ABC123")
    assert drive.agreement_version == "2026-01"
    assert timezone.now() - drive.agreement_accepted_at < dt.timedelta(seconds=10)
    event = LeadEvent.objects.get(lead=lead, kind=LeadEventKind.TEST_DRIVE)
    assert (event.actor, event.data) == (consultant, {"test_drive": drive.pk, "step": "booked"})
    assert AuditEntry.objects.filter(object_id=str(drive.pk),
                                     action=AuditAction.CREATE).count() == 1


def test_book_same_slot_twice_gets_the_clear_message(consultant, teammate, customer, car,
                                                     store):
    slot = tomorrow_at(store, 11)
    book(consultant, car, slot, customer)
    other = CustomerFactory(store=store, owner=teammate)

    with pytest.raises(ValidationError) as excinfo:
        book(teammate, car, slot, other)

    assert excinfo.value.messages == [RACE_LOST]
    assert Drive.objects.filter(vehicle=car, slot_start=slot).count() == 1


def test_book_other_car_same_slot_is_fine(consultant, customer, car, store):
    slot = tomorrow_at(store, 11)
    book(consultant, car, slot, customer)

    second = book(consultant, DemoVehicleFactory(store=store), slot, customer)

    assert second.status == DriveStatus.BOOKED


def test_cancelled_booking_frees_the_slot(consultant, teammate, customer, car, store):
    slot = tomorrow_at(store, 14)
    first = book(consultant, car, slot, customer)
    services.test_drive_cancel(test_drive=first, actor=consultant, reason="客户改期")

    second = book(teammate, car, slot, CustomerFactory(store=store, owner=teammate))

    assert list(Drive.objects.filter(vehicle=car, slot_start=slot)
                .order_by("pk").values_list("status", flat=True)) == [
        DriveStatus.CANCELLED, DriveStatus.BOOKED]
    assert second.consultant == teammate


@pytest.mark.django_db(transaction=True)
def test_race_on_the_same_slot_exactly_one_wins(consultant, teammate, customer, store):
    require_postgres()
    car = DemoVehicleFactory(store=store)
    other = CustomerFactory(store=store, owner=teammate)
    slot = tomorrow_at(store, 15)

    results = race(lambda: book(consultant, car, slot, customer),
                   lambda: book(teammate, car, slot, other))

    winners = [r for r in results if isinstance(r, Drive)]
    losers = [r for r in results if isinstance(r, ValidationError)]
    assert (len(winners), len(losers)) == (1, 1)
    assert losers[0].messages == [RACE_LOST]
    assert list(Drive.objects.filter(vehicle=car, slot_start=slot)
                .values_list("pk", flat=True)) == [winners[0].pk]


def test_expired_licence_is_refused_with_the_date(consultant, customer, car, store):
    with pytest.raises(ValidationError) as excinfo:
        book(consultant, car, tomorrow_at(store, 10), customer,
             licence_expires_on=dt.date(2020, 1, 31))

    assert refusal(excinfo) == {"licence_expires_on": [
        "The driving licence expired on 2020-01-31; a test drive needs a valid licence."]}
    assert Drive.objects.count() == 0


def test_licence_valid_on_the_day_is_accepted(consultant, customer, car, store):
    slot = tomorrow_at(store, 10)

    drive = book(consultant, car, slot, customer, licence_expires_on=store_today(store)
                 + dt.timedelta(days=1))

    assert drive.licence_expires_on == slot.date()


def test_licence_expiring_the_day_before_the_drive_is_refused(consultant, customer, car,
                                                              store):
    with pytest.raises(ValidationError) as excinfo:
        book(consultant, car, tomorrow_at(store, 10), customer,
             licence_expires_on=store_today(store))

    assert list(refusal(excinfo)) == ["licence_expires_on"]


@pytest.mark.parametrize("number", ["12345", "A" * 21, "粤B12345", "44030119900101123*"])
def test_malformed_licence_number_is_refused(consultant, customer, car, store, number):
    with pytest.raises(ValidationError) as excinfo:
        book(consultant, car, tomorrow_at(store, 10), customer, licence_number=number)

    assert refusal(excinfo) == {"licence_number": [
        "A driving licence number has 6 to 20 letters or digits."]}


def test_agreement_is_required(consultant, customer, car, store):
    with pytest.raises(ValidationError) as excinfo:
        book(consultant, car, tomorrow_at(store, 10), customer, agreement_accepted=False)

    assert refusal(excinfo) == {"agreement_accepted": [
        "The customer must accept the test-drive agreement."]}


def test_slot_off_the_grid_is_refused(consultant, customer, car, store):
    with pytest.raises(ValidationError) as excinfo:
        book(consultant, car, tomorrow_at(store, 10, 15), customer)

    assert refusal(excinfo) == {"slot_start": [
        "Test drives start on the hour or the half hour."]}


@pytest.mark.parametrize(("hour", "minute"), [(8, 0), (20, 0), (23, 30)])
def test_slot_outside_opening_hours_is_refused(consultant, customer, car, store, hour,
                                               minute):
    with pytest.raises(ValidationError) as excinfo:
        book(consultant, car, tomorrow_at(store, hour, minute), customer)

    assert refusal(excinfo) == {"slot_start": [
        "The store is open 08:30–20:00; choose a slot in opening hours."]}


def test_first_and_last_slot_of_the_day_are_bookable(consultant, customer, car, store):
    first = book(consultant, car, tomorrow_at(store, 8, 30), customer)
    last = book(consultant, car, tomorrow_at(store, 19, 30), customer)

    assert [first.status, last.status] == [DriveStatus.BOOKED] * 2


def test_slot_in_the_past_is_refused(consultant, customer, car, store):
    yesterday = store_today(store) - dt.timedelta(days=1)

    with pytest.raises(ValidationError) as excinfo:
        book(consultant, car, local_at(store, yesterday, 10), customer)

    assert refusal(excinfo) == {"slot_start": ["This slot is in the past; choose a later one."]}


def test_vehicle_that_is_no_demo_car_is_refused(consultant, customer, store):
    stock = StockVehicleFactory(store=store, status=StockStatus.IN_STOCK)

    with pytest.raises(ValidationError) as excinfo:
        book(consultant, stock, tomorrow_at(store, 10), customer)

    assert refusal(excinfo) == {"vehicle": ["Choose one of the store's demo vehicles."]}


def test_demo_car_of_another_store_is_refused(consultant, customer, store, other_store):
    with pytest.raises(ValidationError) as excinfo:
        book(consultant, DemoVehicleFactory(store=other_store), tomorrow_at(store, 10),
             customer)

    assert list(refusal(excinfo)) == ["vehicle"]


def test_customer_of_another_consultant_is_refused(teammate, customer, car, store):
    with pytest.raises(ValidationError) as excinfo:
        book(teammate, car, tomorrow_at(store, 10), customer)

    assert refusal(excinfo) == {"customer": ["Choose one of your customers."]}


def test_lead_of_another_customer_is_refused(consultant, customer, car, store):
    lead = LeadFactory(store=store, owner=consultant)

    with pytest.raises(ValidationError) as excinfo:
        book(consultant, car, tomorrow_at(store, 10), customer, lead=lead)

    assert refusal(excinfo) == {"lead": ["Choose an open lead of this customer."]}


def test_supervisor_books_for_the_customers_consultant(supervisor, consultant, customer, car,
                                                      store):
    drive = book(supervisor, car, tomorrow_at(store, 10), customer)

    assert (drive.consultant, drive.created_by) == (consultant, supervisor)


def test_receptionist_may_not_book(make_user, customer, car, store):
    with pytest.raises(PermissionDenied):
        book(make_user(Role.RECEPTIONIST), car, tomorrow_at(store, 10), customer)


# --- Start --------------------------------------------------------------------------------
@pytest.fixture
def drive(store, consultant, customer):
    lead = LeadFactory(store=store, owner=consultant, customer=customer,
                       status=LeadStatus.VISITED)
    return DriveFactory(store=store, consultant=consultant, customer=customer, lead=lead,
                        slot_start=local_at(store, store_today(store), 10))


def test_start_records_the_odometer(drive, consultant):
    started = services.test_drive_start(test_drive=drive, actor=consultant,
                                        odometer_start=1200)

    drive.refresh_from_db()
    assert (drive.status, drive.odometer_start) == (DriveStatus.IN_PROGRESS, 1200)
    assert timezone.now() - drive.started_at < dt.timedelta(seconds=10)
    assert started.status == DriveStatus.IN_PROGRESS


def test_start_twice_is_refused(drive, consultant):
    services.test_drive_start(test_drive=drive, actor=consultant, odometer_start=1200)

    with pytest.raises(ValidationError) as excinfo:
        services.test_drive_start(test_drive=drive, actor=consultant, odometer_start=1200)

    assert excinfo.value.messages == [
        "Only a booked test drive can start; this one is On the road."]


def test_start_while_the_car_is_out_is_refused(drive, consultant, store, customer):
    services.test_drive_start(test_drive=drive, actor=consultant, odometer_start=1200)
    next_one = DriveFactory(store=store, vehicle=drive.vehicle, consultant=consultant,
                            customer=customer,
                            slot_start=drive.slot_start + dt.timedelta(minutes=30))

    with pytest.raises(ValidationError) as excinfo:
        services.test_drive_start(test_drive=next_one, actor=consultant, odometer_start=1200)

    assert excinfo.value.messages == [
        "This car is still out on another test drive; finish that one first."]


def test_start_below_the_last_reading_is_refused(drive, consultant, store, customer):
    DriveFactory(store=store, vehicle=drive.vehicle, consultant=consultant, customer=customer,
                 status=DriveStatus.DONE, odometer_start=1000, odometer_end=1300,
                 slot_start=drive.slot_start - dt.timedelta(days=1))

    with pytest.raises(ValidationError) as excinfo:
        services.test_drive_start(test_drive=drive, actor=consultant, odometer_start=1250)

    assert refusal(excinfo) == {"odometer_start": [
        "The odometer read 1300 km after the last test drive; check the reading."]}


def test_another_consultant_may_not_start(drive, teammate):
    with pytest.raises(PermissionDenied):
        services.test_drive_start(test_drive=drive, actor=teammate, odometer_start=1200)


def test_supervisor_and_manager_may_start(drive, supervisor, manager):
    assert can_handle_test_drive(supervisor, drive)
    assert can_handle_test_drive(manager, drive)


# --- Finish -------------------------------------------------------------------------------
def test_finish_records_the_odometer_and_advances_the_lead(drive, consultant):
    services.test_drive_start(test_drive=drive, actor=consultant, odometer_start=1200)

    services.test_drive_finish(test_drive=drive, actor=consultant, odometer_end=1215)

    drive.refresh_from_db()
    drive.lead.refresh_from_db()
    assert (drive.status, drive.odometer_end) == (DriveStatus.DONE, 1215)
    assert drive.finished_at >= drive.started_at
    assert drive.lead.status == LeadStatus.TEST_DRIVEN
    assert list(LeadEvent.objects.filter(lead=drive.lead).order_by("id")
                .values_list("kind", "data")) == [
        (LeadEventKind.TEST_DRIVE, {"test_drive": drive.pk, "step": "done"}),
        (EventKind.STATUS, {"from": LeadStatus.VISITED, "to": LeadStatus.TEST_DRIVEN}),
    ]


def test_finish_leaves_a_lead_further_down_the_funnel(drive, consultant):
    drive.lead.status = LeadStatus.NEGOTIATING
    drive.lead.save(update_fields=["status"])
    services.test_drive_start(test_drive=drive, actor=consultant, odometer_start=1200)

    services.test_drive_finish(test_drive=drive, actor=consultant, odometer_end=1215)

    drive.lead.refresh_from_db()
    assert drive.lead.status == LeadStatus.NEGOTIATING


def test_finish_below_the_start_reading_is_refused(drive, consultant):
    services.test_drive_start(test_drive=drive, actor=consultant, odometer_start=1200)

    with pytest.raises(ValidationError) as excinfo:
        services.test_drive_finish(test_drive=drive, actor=consultant, odometer_end=1199)

    assert refusal(excinfo) == {"odometer_end": [
        "The odometer at the end cannot be below the start (1200 km)."]}
    drive.refresh_from_db()
    assert drive.status == DriveStatus.IN_PROGRESS


def test_finish_before_start_is_refused(drive, consultant):
    with pytest.raises(ValidationError) as excinfo:
        services.test_drive_finish(test_drive=drive, actor=consultant, odometer_end=1300)

    assert excinfo.value.messages == [
        "Only a test drive on the road can finish; this one is Booked."]


# --- Feedback -----------------------------------------------------------------------------
def _done(drive, actor):
    services.test_drive_start(test_drive=drive, actor=actor, odometer_start=1200)
    return services.test_drive_finish(test_drive=drive, actor=actor, odometer_end=1212)


def test_feedback_only_after_the_drive(drive, consultant):
    with pytest.raises(ValidationError) as excinfo:
        services.test_drive_feedback(test_drive=drive, actor=consultant, rating_overall=5,
                                     rating_handling=4, rating_comfort=4)

    assert excinfo.value.messages == ["Feedback is recorded after the drive is finished."]


def test_feedback_is_recorded_and_can_be_corrected(drive, consultant):
    _done(drive, consultant)
    services.test_drive_feedback(test_drive=drive, actor=consultant, rating_overall=5,
                                 rating_handling=4, rating_comfort=3, feedback="操控很好")

    services.test_drive_feedback(test_drive=drive, actor=consultant, rating_overall=4,
                                 rating_handling=4, rating_comfort=3, feedback="操控很好")

    drive.refresh_from_db()
    assert (drive.rating_overall, drive.rating_handling, drive.rating_comfort,
            drive.feedback) == (4, 4, 3, "操控很好")


@pytest.mark.parametrize("rating", [0, 6])
def test_feedback_rating_out_of_range_is_refused(drive, consultant, rating):
    _done(drive, consultant)

    with pytest.raises(ValidationError) as excinfo:
        services.test_drive_feedback(test_drive=drive, actor=consultant, rating_overall=rating,
                                     rating_handling=4, rating_comfort=4)

    assert refusal(excinfo) == {"rating_overall": ["Rate from 1 to 5."]}


def test_another_consultant_may_not_give_feedback(drive, consultant, teammate):
    _done(drive, consultant)

    with pytest.raises(PermissionDenied):
        services.test_drive_feedback(test_drive=drive, actor=teammate, rating_overall=5,
                                     rating_handling=5, rating_comfort=5)


# --- Cancel -------------------------------------------------------------------------------
def test_cancel_writes_the_lead_timeline(drive, consultant):
    services.test_drive_cancel(test_drive=drive, actor=consultant)

    drive.refresh_from_db()
    assert drive.status == DriveStatus.CANCELLED
    assert LeadEvent.objects.get(lead=drive.lead, kind=LeadEventKind.TEST_DRIVE).data == {
        "test_drive": drive.pk, "step": "cancelled"}


def test_cancel_after_start_is_refused(drive, consultant):
    services.test_drive_start(test_drive=drive, actor=consultant, odometer_start=1200)

    with pytest.raises(ValidationError) as excinfo:
        services.test_drive_cancel(test_drive=drive, actor=consultant)

    assert excinfo.value.messages == [
        "Only a booked test drive can be cancelled; this one is On the road."]


def test_another_consultant_may_not_cancel(drive, teammate):
    with pytest.raises(PermissionDenied):
        services.test_drive_cancel(test_drive=drive, actor=teammate)
