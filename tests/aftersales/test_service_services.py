"""The service desk's services: capacity, booking without overbooking, cancel and no-show
giving the place back, check-in and completion writing the service record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.utils import timezone

from aftersales.enums import (
    AppointmentStatus,
    AppointmentType,
    CareStepStatus,
    LeadEventKind,
    SurveyKind,
)
from aftersales.models import (
    Appointment,
    CareSettings,
    ServiceCapacity,
    ServiceDay,
    ServiceItem,
    ServiceRecord,
    Survey,
)
from aftersales.services import service as services
from dealership.enums import Role
from dealership.models import AuditEntry
from leads.models import LeadEvent
from tests.aftersales.factories_service import (
    NINE_THIRTY,
    appointment,
    fill_day,
    first_maintenance_step,
    owner,
)
from tests.factories import CustomerFactory, StockVehicleFactory
from tests.leads.factories import LeadFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

MAINTENANCE = AppointmentType.MAINTENANCE


def _audits(instance) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk)).order_by("id"))


@pytest.fixture
def advisor(make_user):
    return make_user(Role.SERVICE_ADVISOR, name="孙顾问")


@pytest.fixture
def carer(make_user):
    return make_user(Role.CUSTOMER_CARE, name="钱客服")


@pytest.fixture
def car(consultant, manager):
    return owner(consultant, manager)


def _book(actor, customer, vehicle, **overrides):
    values = {"appointment_type": MAINTENANCE,
              "day": customer.store.today() + dt.timedelta(days=2), "slot": NINE_THIRTY,
              "note": ""}
    values.update(overrides)
    return services.appointment_book(actor=actor, customer=customer, vehicle=vehicle,
                                     **values)


# --- Booking --------------------------------------------------------------------------------
def test_book_takes_a_place_of_the_day(advisor, car, store):
    customer, vehicle, _contract = car
    day = store.today() + dt.timedelta(days=2)

    booked = _book(advisor, customer, vehicle, note="  异响  ")

    assert (booked.status, booked.day, booked.slot, booked.note, booked.booked_by) == (
        AppointmentStatus.BOOKED, day, NINE_THIRTY, "异响", advisor)
    assert list(ServiceDay.objects.values_list("day", "appointment_type", "booked",
                                               "capacity")) == [(day, MAINTENANCE, 1, 8)]
    [audit] = _audits(booked)
    assert audit.changes["day"] == [None, day.isoformat()]


def test_book_the_last_place_then_refused_with_the_next_free_day(advisor, car, store):
    customer, vehicle, _contract = car
    day = store.today() + dt.timedelta(days=2)
    ServiceCapacity.objects.create(store=store, appointment_type=MAINTENANCE,
                                   daily_capacity=2)
    fill_day(store=store, day=day, appointment_type=MAINTENANCE, capacity=2)
    fill_day(store=store, day=day + dt.timedelta(days=1), appointment_type=MAINTENANCE,
             capacity=2)

    with pytest.raises(ValidationError) as refused:
        _book(advisor, customer, vehicle, day=day)

    following = (day + dt.timedelta(days=2)).isoformat()
    assert refused.value.message_dict == {"day": [
        f"No place left on {day.isoformat()} for Maintenance; the next free day is "
        f"{following}."]}
    assert Appointment.objects.count() == 0
    assert ServiceDay.objects.get(day=day).booked == 2


def test_book_with_zero_capacity_refuses_the_day(advisor, car, store):
    customer, vehicle, _contract = car
    ServiceCapacity.objects.create(store=store, appointment_type=AppointmentType.REPAIR,
                                   daily_capacity=0)

    with pytest.raises(ValidationError) as refused:
        _book(advisor, customer, vehicle, appointment_type=AppointmentType.REPAIR)

    assert refused.value.message_dict["day"] == [
        f"No place left on {(store.today() + dt.timedelta(days=2)).isoformat()} for Repair, "
        "nor on any later day that can be booked."]
    assert Appointment.objects.count() == 0


@pytest.mark.parametrize(("field", "overrides", "message"), [
    ("day", {"day_offset": -1}, "Enter a date between {today} and {latest}."),
    ("day", {"day_offset": 91}, "Enter a date between {today} and {latest}."),
    ("slot", {"slot": dt.time(9, 0)}, "Choose one of the workshop's times."),
    ("note", {"note": "x" * 501}, "Keep it under 500 characters."),
])
def test_book_bad_input_names_the_field(advisor, car, store, field, overrides, message):
    customer, vehicle, _contract = car
    today = store.today()
    if "day_offset" in overrides:
        overrides = {"day": today + dt.timedelta(days=overrides.pop("day_offset"))}

    with pytest.raises(ValidationError) as refused:
        _book(advisor, customer, vehicle, **overrides)

    assert refused.value.message_dict == {field: [message.format(
        today=today.isoformat(), latest=(today + dt.timedelta(days=90)).isoformat())]}
    assert (Appointment.objects.count(), ServiceDay.objects.count()) == (0, 0)


def test_book_a_car_of_someone_else_is_refused(advisor, car, store, consultant):
    customer, _vehicle, _contract = car
    stranger_car = StockVehicleFactory(store=store)

    with pytest.raises(ValidationError) as refused:
        _book(advisor, customer, stranger_car)

    assert refused.value.message_dict == {"vehicle": [
        "This car was not delivered to this customer."]}


def test_book_the_same_car_twice_on_a_day_is_refused(advisor, car, store):
    customer, vehicle, _contract = car
    day = store.today() + dt.timedelta(days=2)
    _book(advisor, customer, vehicle, day=day)

    with pytest.raises(ValidationError) as refused:
        _book(advisor, customer, vehicle, day=day, slot=dt.time(14, 30))

    assert refused.value.message_dict == {"day": [
        f"This car is already booked on {day.isoformat()}."]}
    assert ServiceDay.objects.get(day=day).booked == 1


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.MANAGER, Role.RECEPTIONIST])
def test_book_by_a_role_that_may_not_is_denied(make_user, car, role):
    customer, vehicle, _contract = car

    with pytest.raises(PermissionDenied):
        _book(make_user(role, username=f"u-{role}"), customer, vehicle)

    assert Appointment.objects.count() == 0


def test_book_a_customer_of_another_store_is_denied(make_user, other_store, car):
    customer, vehicle, _contract = car
    foreign_advisor = make_user(Role.SERVICE_ADVISOR, username="adv2", store=other_store)

    with pytest.raises(PermissionDenied):
        _book(foreign_advisor, customer, vehicle)


def test_book_from_the_first_maintenance_step_completes_it(carer, car, store):
    customer, vehicle, _contract = car
    step = first_maintenance_step(customer)

    booked = _book(carer, customer, vehicle, care_step=step,
                   appointment_type=AppointmentType.FIRST_MAINTENANCE)

    step.refresh_from_db()
    assert booked.care_step == step
    assert (step.status, step.outcome, step.done_by) == (CareStepStatus.DONE, "booked", carer)


def test_book_from_a_closed_step_is_refused_and_takes_no_place(carer, car, store):
    customer, vehicle, _contract = car
    step = first_maintenance_step(customer)
    _book(carer, customer, vehicle, care_step=step)

    with pytest.raises(ValidationError) as refused:
        _book(carer, customer, vehicle, care_step=step,
              day=store.today() + dt.timedelta(days=3))

    assert refused.value.messages == [
        "This first-maintenance reminder is closed already (Done); nothing was booked."]
    assert Appointment.objects.count() == 1
    assert list(ServiceDay.objects.values_list("booked", flat=True)) == [1]


def test_book_from_the_step_twice_is_refused(advisor, car, store):
    customer, vehicle, _contract = car
    step = first_maintenance_step(customer)
    _book(advisor, customer, vehicle, care_step=step)

    with pytest.raises(ValidationError) as refused:
        _book(advisor, customer, vehicle, care_step=step,
              day=store.today() + dt.timedelta(days=3))

    assert refused.value.messages in (
        ["This first maintenance is already booked; no second visit was booked."],
        ["This first-maintenance reminder is closed already (Done); nothing was booked."])
    assert Appointment.objects.count() == 1


# --- Capacity -------------------------------------------------------------------------------
def test_capacity_set_is_audited_and_future_days_follow_but_keep_their_bookings(manager,
                                                                                store):
    today = store.today()
    past = fill_day(store=store, day=today - dt.timedelta(days=1),
                    appointment_type=MAINTENANCE, capacity=8)
    busy = ServiceDay.objects.create(store=store, day=today + dt.timedelta(days=1),
                                     appointment_type=MAINTENANCE, booked=5, capacity=8)
    quiet = ServiceDay.objects.create(store=store, day=today + dt.timedelta(days=2),
                                      appointment_type=MAINTENANCE, booked=1, capacity=8)

    now = services.service_capacity_set(actor=manager, store=store,
                                        capacities={MAINTENANCE: 3, AppointmentType.REPAIR: 8})

    assert now == {"first_maintenance": 8, "maintenance": 3, "repair": 8, "warranty": 8}
    for row in (past, busy, quiet):
        row.refresh_from_db()
    assert (past.capacity, busy.capacity, quiet.capacity) == (8, 5, 3)
    row = ServiceCapacity.objects.get(store=store, appointment_type=MAINTENANCE)
    [audit] = _audits(row)
    assert audit.changes == {"daily_capacity": [8, 3]}
    assert ServiceCapacity.objects.count() == 2  # repair written at its default, unaudited


def test_capacity_out_of_range_names_the_type(manager, store):
    with pytest.raises(ValidationError) as refused:
        services.service_capacity_set(actor=manager, store=store,
                                      capacities={MAINTENANCE: 201})

    assert refused.value.message_dict == {"maintenance": ["Enter a number from 0 to 200."]}
    assert ServiceCapacity.objects.count() == 0


def test_capacity_by_an_advisor_is_denied(advisor, store):
    with pytest.raises(PermissionDenied):
        services.service_capacity_set(actor=advisor, store=store,
                                      capacities={MAINTENANCE: 3})


# --- Cancel and no-show ---------------------------------------------------------------------
def test_cancel_frees_the_place(advisor, car, store):
    customer, vehicle, _contract = car
    booked = _book(advisor, customer, vehicle)

    cancelled = services.appointment_cancel(actor=advisor, appointment=booked,
                                            reason=" 客户 出差 ")

    assert (cancelled.status, cancelled.cancel_reason) == (AppointmentStatus.CANCELLED,
                                                            "客户 出差")
    assert ServiceDay.objects.get().booked == 0
    assert _audits(booked)[-1].reason == "客户 出差"


def test_cancel_without_reason_names_the_field_and_changes_nothing(advisor, car):
    customer, vehicle, _contract = car
    booked = _book(advisor, customer, vehicle)

    with pytest.raises(ValidationError) as refused:
        services.appointment_cancel(actor=advisor, appointment=booked, reason="   ")

    assert refused.value.message_dict == {"reason": ["Say why the appointment is cancelled."]}
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.BOOKED
    assert ServiceDay.objects.get().booked == 1


def test_cancel_twice_is_refused_and_frees_one_place_only(advisor, car):
    customer, vehicle, _contract = car
    booked = _book(advisor, customer, vehicle)
    services.appointment_cancel(actor=advisor, appointment=booked, reason="改期")

    with pytest.raises(ValidationError) as refused:
        services.appointment_cancel(actor=advisor, appointment=booked, reason="改期")

    assert refused.value.messages == [
        "This appointment is Cancelled already; nothing was changed."]
    assert ServiceDay.objects.get().booked == 0


def test_no_show_frees_the_place(advisor, car, store):
    customer, vehicle, _contract = car
    booked = appointment(customer=customer, vehicle=vehicle, day=store.today())

    services.appointment_no_show(actor=advisor, appointment=booked)

    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.NO_SHOW
    assert ServiceDay.objects.get().booked == 0


def test_no_show_before_the_day_is_refused(advisor, car, store):
    customer, vehicle, _contract = car
    day = store.today() + dt.timedelta(days=1)
    booked = appointment(customer=customer, vehicle=vehicle, day=day)

    with pytest.raises(ValidationError) as refused:
        services.appointment_no_show(actor=advisor, appointment=booked)

    assert refused.value.messages == [
        f"This appointment is on {day.isoformat()}; a no-show is marked on that day or "
        "later."]
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.BOOKED
    assert ServiceDay.objects.get().booked == 1


# --- Check-in and completion ----------------------------------------------------------------
def test_check_in_records_mileage_and_advisor(advisor, car, store):
    customer, vehicle, _contract = car
    booked = appointment(customer=customer, vehicle=vehicle, day=store.today())

    checked = services.appointment_check_in(actor=advisor, appointment=booked, mileage=4870)

    assert (checked.status, checked.mileage_in, checked.advisor) == (
        AppointmentStatus.CHECKED_IN, 4870, advisor)
    assert checked.checked_in_at is not None


def test_check_in_tomorrows_visit_is_refused(advisor, car, store):
    customer, vehicle, _contract = car
    booked = appointment(customer=customer, vehicle=vehicle,
                         day=store.today() + dt.timedelta(days=1))

    with pytest.raises(ValidationError):
        services.appointment_check_in(actor=advisor, appointment=booked, mileage=100)

    booked.refresh_from_db()
    assert (booked.status, booked.mileage_in) == (AppointmentStatus.BOOKED, None)


@pytest.mark.parametrize("status", [AppointmentStatus.CHECKED_IN, AppointmentStatus.COMPLETED,
                                    AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW])
def test_check_in_outside_booked_is_refused_with_nothing_changed(advisor, car, store, status):
    customer, vehicle, _contract = car
    extra = {"cancel_reason": "改期"} if status == AppointmentStatus.CANCELLED else {}
    visit = appointment(customer=customer, vehicle=vehicle, day=store.today(), status=status,
                        mileage_in=10, **extra)

    with pytest.raises(ValidationError) as refused:
        services.appointment_check_in(actor=advisor, appointment=visit, mileage=500)

    assert not hasattr(refused.value, "error_dict")
    visit.refresh_from_db()
    assert (visit.status, visit.mileage_in) == (status, 10)


def test_check_in_by_customer_care_is_denied(carer, car, store):
    customer, vehicle, _contract = car
    booked = appointment(customer=customer, vehicle=vehicle, day=store.today())

    with pytest.raises(PermissionDenied):
        services.appointment_check_in(actor=carer, appointment=booked, mileage=100)


@pytest.fixture
def checked_in(advisor, car, store):
    customer, vehicle, _contract = car
    visit = appointment(customer=customer, vehicle=vehicle, day=store.today(),
                        appointment_type=AppointmentType.FIRST_MAINTENANCE)
    return services.appointment_check_in(actor=advisor, appointment=visit, mileage=4870)


def test_complete_writes_the_record_with_the_store_intervals(advisor, checked_in, store):
    CareSettings.objects.update_or_create(store=store, defaults={
        "maintenance_interval_days": 120, "maintenance_interval_km": 7500})
    today = store.today()

    with TestCase.captureOnCommitCallbacks(execute=True):
        record = services.appointment_complete(
            actor=advisor, appointment=checked_in, mileage=4900,
            items=[("机油机滤更换", Decimal("380.00")), ("  免费 检测 ", Decimal("0"))],
            note="首保")

    assert (record.serviced_on, record.mileage, record.advisor, record.next_due_on,
            record.next_due_km, record.appointment_type) == (
        today, 4900, advisor, today + dt.timedelta(days=120), 12400,
        AppointmentType.FIRST_MAINTENANCE)
    assert list(record.items.values_list("description", "amount", "store")) == [
        ("机油机滤更换", Decimal("380.00"), store.pk), ("免费 检测", Decimal("0.00"), store.pk)]
    checked_in.refresh_from_db()
    assert checked_in.status == AppointmentStatus.COMPLETED
    assert _audits(record)[0].changes["total"] == [None, "380.00"]
    survey = Survey.objects.get(kind=SurveyKind.SERVICE)
    assert (survey.kind, survey.customer_id, survey.staff_id, survey.service_record_id) == (
        SurveyKind.SERVICE, checked_in.customer_id, advisor.pk, record.pk)


def test_complete_with_chosen_next_due(advisor, checked_in, store):
    day = store.today() + dt.timedelta(days=200)

    record = services.appointment_complete(actor=advisor, appointment=checked_in,
                                           mileage=5000, items=[("保养", Decimal("1"))],
                                           next_due_on=day, next_due_km=15000)

    assert (record.next_due_on, record.next_due_km) == (day, 15000)


def test_complete_adds_a_service_event_to_the_customer_latest_lead(advisor, checked_in,
                                                                   store, consultant):
    now = timezone.now()
    LeadFactory(store=store, customer=checked_in.customer, owner=consultant,
                created_at=now - dt.timedelta(days=400))
    lead = LeadFactory(store=store, customer=checked_in.customer, owner=consultant,
                       created_at=now - dt.timedelta(days=60))

    record = services.appointment_complete(actor=advisor, appointment=checked_in,
                                           mileage=5000, items=[("保养", Decimal("1"))])

    event = LeadEvent.objects.filter(lead=lead, kind=LeadEventKind.SERVICE).get()
    assert event.data == {"service_record": record.pk}
    assert event.note == f"First maintenance · {store.today().isoformat()}"


@pytest.mark.parametrize(("kwargs", "errors"), [
    ({"items": []}, {"items": ["Write at least one item of work or parts."]}),
    ({"items": [("机油", Decimal("-1"))]},
     {"items": ["The amount of “机油” must be 0 or more (CNY)."]}),
    ({"items": [("机油", Decimal("1.005"))]},
     {"items": ["The amount of “机油” has at most two decimals (fen)."]}),
    ({"mileage": 4000},
     {"mileage": ["Enter a mileage from 4870 to 2000000 km."]}),
    ({"next_due_km": 4900},
     {"next_due_km": ["The next maintenance must come after today's mileage (5000 km)."]}),
])
def test_complete_bad_input_names_the_field_and_changes_nothing(advisor, checked_in, kwargs,
                                                                errors):
    values = {"mileage": 5000, "items": [("保养", Decimal("1"))]} | kwargs

    with pytest.raises(ValidationError) as refused:
        services.appointment_complete(actor=advisor, appointment=checked_in, **values)

    assert refused.value.message_dict == errors
    checked_in.refresh_from_db()
    assert checked_in.status == AppointmentStatus.CHECKED_IN
    assert (ServiceRecord.objects.count(), ServiceItem.objects.count()) == (0, 0)


def test_complete_next_due_out_of_range_names_the_field(advisor, checked_in, store):
    today = store.today()

    with pytest.raises(ValidationError) as refused:
        services.appointment_complete(actor=advisor, appointment=checked_in, mileage=5000,
                                      items=[("保养", Decimal("1"))], next_due_on=today)

    assert refused.value.message_dict == {"next_due_on": [
        f"Enter a date between {(today + dt.timedelta(days=1)).isoformat()} and "
        f"{(today + dt.timedelta(days=730)).isoformat()}."]}


def test_complete_a_booked_visit_is_refused_with_nothing_written(advisor, car, store):
    customer, vehicle, _contract = car
    booked = appointment(customer=customer, vehicle=vehicle, day=store.today())

    with pytest.raises(ValidationError) as refused:
        services.appointment_complete(actor=advisor, appointment=booked, mileage=100,
                                      items=[("保养", Decimal("1"))])

    assert refused.value.messages == [
        "This appointment is Booked already; nothing was changed."]
    assert ServiceRecord.objects.count() == 0


def test_complete_twice_writes_one_record(advisor, checked_in):
    services.appointment_complete(actor=advisor, appointment=checked_in, mileage=5000,
                                  items=[("保养", Decimal("1"))])

    with pytest.raises(ValidationError):
        services.appointment_complete(actor=advisor, appointment=checked_in, mileage=5000,
                                      items=[("保养", Decimal("1"))])

    assert ServiceRecord.objects.count() == 1


def test_complete_of_a_store_day_after_midnight_utc(advisor, consultant, manager, store,
                                                    settings):
    # 23:30 UTC on 31 March is 07:30 on 1 April in Shanghai: the record is of 1 April.
    settings.TIME_ZONE = "UTC"
    store.timezone = "Asia/Shanghai"
    store.save(update_fields=["timezone"])
    customer = CustomerFactory(store=store, owner=consultant)
    late = dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC)
    with mock.patch.object(timezone, "now", return_value=late):
        visit = appointment(customer=customer, day=dt.date(2026, 4, 1))
        services.appointment_check_in(actor=advisor, appointment=visit, mileage=10)
        record = services.appointment_complete(actor=advisor, appointment=visit,
                                               mileage=20, items=[("检查", Decimal("0"))])

    assert record.serviced_on == dt.date(2026, 4, 1)
    assert record.next_due_on == dt.date(2026, 9, 28)  # 180 days later
