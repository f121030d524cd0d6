"""The service desk's screens: who opens them, what they show (store-scoped, phones
masked), booking in one click from the day-30 reminder, check-in in place, completion,
cancel and no-show with their refusals, and fixed query counts at 1 and 3 rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from aftersales.enums import AppointmentStatus, AppointmentType, CareStepStatus
from aftersales.models import Appointment, CareStep, ServiceCapacity, ServiceDay, ServiceRecord
from aftersales.permissions import SERVICE_VIEW_ROLES
from aftersales.services import service as services
from dealership.enums import Role
from tests.aftersales.factories_service import (
    appointment,
    fill_day,
    first_maintenance_step,
    owner,
)
from tests.factories import CustomerFactory
from tests.helpers import english

pytestmark = pytest.mark.django_db

DESK = "/aftersales/service/"
BOOK = "/aftersales/service/book/"
DAY = "/aftersales/service/day/"
WEEK = "/aftersales/service/week/"
CAPACITY = "/aftersales/service/capacity/"
MAINTENANCE = AppointmentType.MAINTENANCE
# 23:30 on 31 March in UTC is already 07:30 on 1 April in Shanghai.
LATE_UTC = dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC)


def _detail(pk: int) -> str:
    return f"/aftersales/service/appointments/{pk}/"


@pytest.fixture
def advisor(make_user):
    return english(make_user(Role.SERVICE_ADVISOR, name="孙顾问"))


@pytest.fixture
def carer(make_user):
    return english(make_user(Role.CUSTOMER_CARE, name="钱客服"))


@pytest.fixture
def car(consultant, manager):
    return owner(consultant, manager, name="陈一")


def _customer(store, consultant, name: str):
    return CustomerFactory(store=store, owner=consultant, name=name)


# --- Access ---------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [DESK, BOOK, DAY, WEEK, CAPACITY])
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("path", [DESK, DAY, WEEK])
def test_read_pages_by_role(client, make_user, role, path):
    client.force_login(make_user(role))

    response = client.get(path)

    assert response.status_code == (200 if role in SERVICE_VIEW_ROLES else 403)


@pytest.mark.parametrize(("role", "status"), [(Role.MANAGER, 200), (Role.SERVICE_ADVISOR, 403),
                                              (Role.CUSTOMER_CARE, 403)])
def test_capacity_page_is_the_manager_s(client, make_user, role, status):
    client.force_login(make_user(role))

    assert client.get(CAPACITY).status_code == status


@pytest.mark.parametrize(("role", "status"), [(Role.SERVICE_ADVISOR, 200),
                                              (Role.CUSTOMER_CARE, 200), (Role.MANAGER, 403),
                                              (Role.CONSULTANT, 403)])
def test_booking_page_by_role(client, make_user, role, status):
    client.force_login(make_user(role))

    assert client.get(BOOK).status_code == status


def test_appointment_of_another_store_is_404(client, make_user, other_store, store,
                                             consultant):
    visit = appointment(customer=_customer(store, consultant, "陈一"), day=store.today())
    client.force_login(make_user(Role.SERVICE_ADVISOR, username="adv2", store=other_store))

    for path in (_detail(visit.pk), f"{_detail(visit.pk)}complete/"):
        assert client.get(path).status_code == 404
    for action in ("check-in", "cancel", "no-show"):
        assert client.post(f"{_detail(visit.pk)}{action}/",
                           {f"a{visit.pk}-mileage": "10", "reason": "x"}).status_code == 404
    visit.refresh_from_db()
    assert visit.status == AppointmentStatus.BOOKED


def test_record_of_another_store_is_404(client, make_user, other_store, store, consultant,
                                        advisor):
    visit = appointment(customer=_customer(store, consultant, "陈一"), day=store.today())
    services.appointment_check_in(actor=advisor, appointment=visit, mileage=10)
    record = services.appointment_complete(actor=advisor, appointment=visit, mileage=10,
                                           items=[("检查", Decimal("0"))])
    client.force_login(make_user(Role.SERVICE_ADVISOR, username="adv2", store=other_store))

    assert client.get(f"/aftersales/service/records/{record.pk}/").status_code == 404


# --- The desk -------------------------------------------------------------------------------
def test_desk_shows_today_of_the_store_only(client, advisor, store, other_store, consultant,
                                            outsider):
    today = store.today()
    ours = appointment(customer=_customer(store, consultant, "陈一"), day=today,
                       slot=dt.time(10, 30))
    early = appointment(customer=_customer(store, consultant, "林二"), day=today,
                        slot=dt.time(8, 30))
    appointment(customer=_customer(store, consultant, "周三"), day=today,
                status=AppointmentStatus.CANCELLED, cancel_reason="改期")
    appointment(customer=_customer(store, consultant, "吴四"),
                day=today + dt.timedelta(days=1))
    appointment(customer=CustomerFactory(store=other_store, name="郑五"), day=today)
    client.force_login(advisor)

    response = client.get(DESK)

    desk = response.context["desk"]
    assert desk.appointments == [early, ours]
    assert desk.tomorrow_count == 1
    html = response.content.decode()
    assert "陈一" in html and "林二" in html
    assert "周三" not in html and "郑五" not in html
    assert ours.customer.phone_masked in html
    assert [(p.appointment_type, p.booked, p.capacity) for p in desk.places_today] == [
        ("first_maintenance", 0, 8), ("maintenance", 3, 8), ("repair", 0, 8),
        ("warranty", 0, 8)]


def test_desk_empty_says_what_to_do(client, advisor):
    client.force_login(advisor)

    html = client.get(DESK).content.decode()

    assert "No visit is booked today." in html
    assert "No first maintenance is due." in html


def test_desk_lists_first_maintenance_due_with_a_book_link(client, advisor, car, store):
    customer, _vehicle, _contract = car
    step = first_maintenance_step(customer)
    CareStep.objects.filter(pk=step.pk).update(status=CareStepStatus.DUE,
                                               due_on=store.today())
    client.force_login(advisor)

    response = client.get(DESK)

    assert response.context["desk"].first_maintenance_due == [step]
    assert f'href="{BOOK}?care_step={step.pk}"' in response.content.decode()


def test_desk_no_longer_lists_a_first_maintenance_once_booked(client, advisor, car, store):
    customer, _vehicle, _contract = car
    step = first_maintenance_step(customer)
    CareStep.objects.filter(pk=step.pk).update(status=CareStepStatus.DUE,
                                               due_on=store.today())
    client.force_login(advisor)
    form = client.get(BOOK, {"care_step": step.pk}).context["form"]

    response = client.post(BOOK, {**form.initial,
                                  "day": form.initial["day"].isoformat()})

    booked = Appointment.objects.get()
    assert response.status_code == 302
    assert booked.care_step == step
    assert client.get(DESK).context["desk"].first_maintenance_due == []


def test_desk_shows_the_store_date(client, advisor, store, settings, monkeypatch):
    # The server keeps UTC; the store is in Shanghai, already on 1 April.
    settings.TIME_ZONE = "UTC"
    store.timezone = "Asia/Shanghai"
    store.save(update_fields=["timezone"])
    monkeypatch.setattr(timezone, "now", lambda: LATE_UTC)
    client.force_login(advisor)

    response = client.get(DESK)

    assert response.context["desk"].today == dt.date(2026, 4, 1)
    assert "2026-04-01" in response.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_desk_query_count_is_constant(client, advisor, store, consultant, count,
                                      django_assert_num_queries):
    for n in range(count):
        appointment(customer=_customer(store, consultant, f"客户{n}"), day=store.today())
    client.force_login(advisor)

    # session, user, store, today's appointments, tomorrow's count, due first maintenances,
    # capacities, the day's rows
    with django_assert_num_queries(8):
        response = client.get(DESK)

    assert len(response.context["desk"].appointments) == count


# --- Calendars ------------------------------------------------------------------------------
@pytest.mark.parametrize("count", [1, 3])
def test_day_query_count_is_constant(client, advisor, store, consultant, count,
                                     django_assert_num_queries):
    day = store.today() + dt.timedelta(days=1)
    for n in range(count):
        appointment(customer=_customer(store, consultant, f"客户{n}"), day=day)
    client.force_login(advisor)

    # session, user, store, capacities, the day's rows, appointments
    with django_assert_num_queries(6):
        response = client.get(DAY, {"day": day.isoformat()})

    assert len(response.context["board"].appointments) == count
    assert response.context["board"].places[1].booked == count


@pytest.mark.parametrize("count", [1, 3])
def test_week_query_count_is_constant(client, advisor, store, consultant, count,
                                      django_assert_num_queries):
    start = store.today()
    for n in range(count):
        appointment(customer=_customer(store, consultant, f"客户{n}"),
                    day=start + dt.timedelta(days=n))
    client.force_login(advisor)

    # session, user, store, capacities, the week's rows
    with django_assert_num_queries(5):
        response = client.get(WEEK, {"week": start.isoformat()})

    days = response.context["days"]
    assert [d.day for d in days] == [start + dt.timedelta(days=n) for n in range(7)]
    assert [d.places[1].booked for d in days] == [1] * count + [0] * (7 - count)


def test_week_shows_taken_over_capacity(client, advisor, store):
    start = store.today()
    ServiceCapacity.objects.create(store=store, appointment_type=MAINTENANCE,
                                   daily_capacity=4)
    fill_day(store=store, day=start, appointment_type=MAINTENANCE, capacity=4)
    client.force_login(advisor)

    html = client.get(WEEK, {"week": start.isoformat()}).content.decode()

    assert "4/4" in html
    assert "0/4" in html


@pytest.mark.parametrize("raw", ["2026-13-01", "1999-01-01"])
def test_day_bad_date_falls_back_to_today_with_a_400(client, advisor, store, raw):
    client.force_login(advisor)

    response = client.get(DAY, {"day": raw})

    assert response.status_code == 400
    assert response.context["day"] == store.today()
    assert response.context["notice"]


# --- Booking --------------------------------------------------------------------------------
def test_book_from_the_reminder_is_prefilled_for_one_click(client, carer, car, store):
    customer, vehicle, _contract = car
    step = first_maintenance_step(customer)
    tomorrow = store.today() + dt.timedelta(days=1)
    fill_day(store=store, day=tomorrow, appointment_type=AppointmentType.FIRST_MAINTENANCE,
             capacity=8)
    client.force_login(carer)

    response = client.get(BOOK, {"care_step": step.pk})

    form = response.context["form"]
    assert form.initial == {"customer": customer.pk, "vehicle": vehicle.pk,
                            "appointment_type": AppointmentType.FIRST_MAINTENANCE,
                            "day": tomorrow + dt.timedelta(days=1), "slot": "08:30",
                            "care_step": step.pk}
    html = response.content.decode()
    assert f'name="day" value="{(tomorrow + dt.timedelta(days=1)).isoformat()}"' in html
    # The one click: the form posted as it was rendered.
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    response = client.post(BOOK, data)

    booked = Appointment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _detail(booked.pk)
    assert (booked.customer, booked.vehicle, booked.day, booked.slot, booked.care_step) == (
        customer, vehicle, tomorrow + dt.timedelta(days=1), dt.time(8, 30), step)
    step.refresh_from_db()
    assert step.status == CareStepStatus.DONE


def test_book_from_the_customer_page_prefills_the_owner_and_car(client, advisor, car):
    customer, vehicle, _contract = car
    client.force_login(advisor)

    response = client.get(BOOK, {"customer": customer.pk})

    assert response.status_code == 200
    assert response.context["form"].initial == {"slot": "08:30", "customer": customer.pk,
                                                "vehicle": vehicle.pk}


def test_book_a_customer_without_a_car_says_so(client, advisor, store, consultant):
    stranger = _customer(store, consultant, "无车")
    client.force_login(advisor)

    response = client.get(BOOK, {"customer": stranger.pk})

    assert response.context["notice"] == (
        "无车 has no car handed over yet: only owners are booked into the workshop.")
    assert "customer" not in response.context["form"].initial


def test_book_a_customer_of_another_store_is_404(client, advisor, other_store):
    foreign = CustomerFactory(store=other_store, name="郑五")
    client.force_login(advisor)

    assert client.get(BOOK, {"customer": foreign.pk}).status_code == 404


def test_customer_page_offers_booking_to_the_booking_roles(client, advisor, make_user, car):
    customer, _vehicle, _contract = car
    client.force_login(advisor)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    client.force_login(make_user(Role.MANAGER, username="mgr2"))
    manager_page = client.get(f"/customers/{customer.pk}/").content.decode()

    assert f'href="{BOOK}?customer={customer.pk}"' in page
    assert 'data-testid="book-service"' not in manager_page


def test_book_a_care_step_of_another_store_is_404(client, make_user, other_store, car):
    customer, _vehicle, _contract = car
    step = first_maintenance_step(customer)
    client.force_login(make_user(Role.CUSTOMER_CARE, username="care2", store=other_store))

    assert client.get(BOOK, {"care_step": step.pk}).status_code == 404


def test_book_a_full_day_is_refused_with_the_form_kept(client, advisor, car, store):
    customer, vehicle, _contract = car
    day = store.today() + dt.timedelta(days=5)
    fill_day(store=store, day=day, appointment_type=MAINTENANCE, capacity=8)
    client.force_login(advisor)

    response = client.post(BOOK, {"customer": customer.pk, "vehicle": vehicle.pk,
                                  "appointment_type": MAINTENANCE, "day": day.isoformat(),
                                  "slot": "10:30", "note": "刹车异响"})

    assert response.status_code == 400
    assert response.context["form"].errors["day"] == [
        f"No place left on {day.isoformat()} for Maintenance; the next free day is "
        f"{(day + dt.timedelta(days=1)).isoformat()}."]
    assert "刹车异响" in response.content.decode()
    assert Appointment.objects.count() == 0


def test_book_a_day_out_of_range_is_400(client, advisor, car, store):
    customer, vehicle, _contract = car
    client.force_login(advisor)

    response = client.post(BOOK, {"customer": customer.pk, "vehicle": vehicle.pk,
                                  "appointment_type": MAINTENANCE,
                                  "day": (store.today() - dt.timedelta(days=1)).isoformat(),
                                  "slot": "10:30"})

    assert response.status_code == 400
    assert "day" in response.context["form"].errors
    assert (Appointment.objects.count(), ServiceDay.objects.count()) == (0, 0)


@pytest.mark.parametrize("care_step", ["0", "99999999", str(2**31)])
def test_book_with_a_reminder_id_naming_none_is_404_and_books_nothing(client, advisor, car,
                                                                      store, care_step):
    customer, vehicle, _contract = car
    client.force_login(advisor)
    day = (store.today() + dt.timedelta(days=1)).isoformat()

    response = client.post(BOOK, {"customer": customer.pk, "vehicle": vehicle.pk,
                                  "appointment_type": MAINTENANCE, "day": day,
                                  "slot": "10:30", "care_step": care_step})

    assert response.status_code == 404
    assert (Appointment.objects.count(), ServiceDay.objects.count()) == (0, 0)


def test_book_with_an_over_long_reminder_id_is_400_and_books_nothing(client, advisor, car,
                                                                      store):
    # Not read as a reminder (too long to be an id), so the form refuses it rather than
    # booking as if no reminder had been named.
    customer, vehicle, _contract = car
    client.force_login(advisor)
    day = (store.today() + dt.timedelta(days=1)).isoformat()

    response = client.post(BOOK, {"customer": customer.pk, "vehicle": vehicle.pk,
                                  "appointment_type": MAINTENANCE, "day": day,
                                  "slot": "10:30", "care_step": str(10**30)})

    assert response.status_code == 400
    assert "care_step" in response.context["form"].errors
    assert response.context["form"]["day"].value() == day
    assert (Appointment.objects.count(), ServiceDay.objects.count()) == (0, 0)


def test_book_a_customer_without_a_car_is_not_offered(client, advisor, car, store,
                                                      consultant):
    stranger = _customer(store, consultant, "无车")
    client.force_login(advisor)

    response = client.post(BOOK, {"customer": stranger.pk, "appointment_type": MAINTENANCE,
                                  "day": store.today().isoformat(), "slot": "10:30"})

    assert response.status_code == 400
    assert "customer" in response.context["form"].errors
    assert Appointment.objects.count() == 0


# --- Check-in, completion, cancel, no-show --------------------------------------------------
def test_check_in_with_htmx_swaps_the_row(client, advisor, store, consultant):
    visit = appointment(customer=_customer(store, consultant, "陈一"), day=store.today())
    client.force_login(advisor)

    response = client.post(f"{_detail(visit.pk)}check-in/", {f"a{visit.pk}-mileage": "4870"},
                           headers={"HX-Request": "true"})

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li class="service-row service-row-checked_in" '
                                    f'id="appointment-row-{visit.pk}"')
    assert "Checked in." in html
    visit.refresh_from_db()
    assert (visit.status, visit.mileage_in) == (AppointmentStatus.CHECKED_IN, 4870)


def test_check_in_twice_is_a_409_with_nothing_changed(client, advisor, store, consultant):
    visit = appointment(customer=_customer(store, consultant, "陈一"), day=store.today())
    services.appointment_check_in(actor=advisor, appointment=visit, mileage=100)
    client.force_login(advisor)

    response = client.post(f"{_detail(visit.pk)}check-in/", {f"a{visit.pk}-mileage": "999"})

    assert response.status_code == 409
    assert "This appointment is Checked in already; nothing was changed." in (
        response.content.decode())
    visit.refresh_from_db()
    assert visit.mileage_in == 100


def test_check_in_plain_post_redirects_and_bad_mileage_is_400(client, advisor, store,
                                                              consultant):
    visit = appointment(customer=_customer(store, consultant, "陈一"), day=store.today())
    client.force_login(advisor)

    bad = client.post(f"{_detail(visit.pk)}check-in/", {f"a{visit.pk}-mileage": "-5"})
    good = client.post(f"{_detail(visit.pk)}check-in/", {f"a{visit.pk}-mileage": "12"})

    assert bad.status_code == 400
    assert good.status_code == 302 and good["Location"] == _detail(visit.pk)


def test_check_in_by_customer_care_is_403(client, carer, store, consultant):
    visit = appointment(customer=_customer(store, consultant, "陈一"), day=store.today())
    client.force_login(carer)

    response = client.post(f"{_detail(visit.pk)}check-in/", {f"a{visit.pk}-mileage": "1"})

    assert response.status_code == 403
    visit.refresh_from_db()
    assert visit.status == AppointmentStatus.BOOKED


def _complete_data(**overrides) -> dict:
    data = {"mileage": "5000", "item_0": "机油机滤", "amount_0": "380.00", "item_1": "工时",
            "amount_1": "120", "next_due_on": "", "next_due_km": "", "note": ""}
    return data | overrides


def test_complete_writes_the_record_and_shows_it(client, advisor, store, consultant):
    visit = appointment(customer=_customer(store, consultant, "陈一"), day=store.today())
    services.appointment_check_in(actor=advisor, appointment=visit, mileage=4870)
    client.force_login(advisor)

    response = client.post(f"{_detail(visit.pk)}complete/", _complete_data())

    record = ServiceRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/aftersales/service/records/{record.pk}/"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "机油机滤" in html and "¥380.00" in html and "¥500.00" in html
    assert page.context["total"] == Decimal("500.00")


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"item_0": "", "amount_0": "", "item_1": "", "amount_1": ""}, "item_0",
     "Write at least one item of work or parts."),
    ({"amount_0": ""}, "amount_0", "Enter the amount (0 if free)."),
    ({"amount_0": "-1"}, "amount_0", "Ensure this value is greater than or equal to 0."),
    ({"mileage": "100"}, "mileage", "Enter a mileage from 4870 to 2000000 km."),
])
def test_complete_bad_input_is_400_with_input_kept(client, advisor, store, consultant, data,
                                                   field, message):
    visit = appointment(customer=_customer(store, consultant, "陈一"), day=store.today())
    services.appointment_check_in(actor=advisor, appointment=visit, mileage=4870)
    client.force_login(advisor)

    response = client.post(f"{_detail(visit.pk)}complete/",
                           _complete_data(note="左后轮胎压低", **data))

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert "左后轮胎压低" in response.content.decode()
    assert ServiceRecord.objects.count() == 0


def test_complete_a_booked_visit_is_409(client, advisor, store, consultant):
    visit = appointment(customer=_customer(store, consultant, "陈一"), day=store.today())
    client.force_login(advisor)

    assert client.get(f"{_detail(visit.pk)}complete/").status_code == 409
    response = client.post(f"{_detail(visit.pk)}complete/", _complete_data())

    assert response.status_code == 409
    assert ServiceRecord.objects.count() == 0


def test_cancel_without_reason_is_400_then_with_reason_frees_the_place(client, carer, store,
                                                                       consultant):
    visit = appointment(customer=_customer(store, consultant, "陈一"),
                        day=store.today() + dt.timedelta(days=1))
    client.force_login(carer)

    refused = client.post(f"{_detail(visit.pk)}cancel/", {"reason": ""})
    done = client.post(f"{_detail(visit.pk)}cancel/", {"reason": "客户出差"})
    again = client.post(f"{_detail(visit.pk)}cancel/", {"reason": "客户出差"})

    assert refused.status_code == 400
    assert done.status_code == 302
    assert again.status_code == 409
    assert "This appointment is Cancelled already; nothing was changed." in (
        again.content.decode())
    assert ServiceDay.objects.get().booked == 0


def test_no_show_frees_the_place_and_a_second_is_409(client, advisor, store, consultant):
    visit = appointment(customer=_customer(store, consultant, "陈一"), day=store.today())
    client.force_login(advisor)

    first = client.post(f"{_detail(visit.pk)}no-show/")
    second = client.post(f"{_detail(visit.pk)}no-show/")

    assert (first.status_code, second.status_code) == (302, 409)
    assert ServiceDay.objects.get().booked == 0


def test_detail_shows_the_actions_of_the_role(client, advisor, carer, make_user, store,
                                              consultant):
    visit = appointment(customer=_customer(store, consultant, "陈一"), day=store.today())
    manager_user = english(make_user(Role.MANAGER, username="mgr2"))

    pages = {}
    for user in (advisor, carer, manager_user):
        client.force_login(user)
        pages[user.role] = client.get(_detail(visit.pk)).content.decode()

    assert 'data-testid="check-in"' in pages[Role.SERVICE_ADVISOR]
    assert 'data-testid="cancel"' in pages[Role.CUSTOMER_CARE]
    assert 'data-testid="check-in"' not in pages[Role.CUSTOMER_CARE]
    assert 'data-testid="check-in"' not in pages[Role.MANAGER]
    assert 'data-testid="cancel"' not in pages[Role.MANAGER]


# --- Capacity -------------------------------------------------------------------------------
def test_capacity_saved_by_the_manager(client, make_user, store):
    client.force_login(english(make_user(Role.MANAGER, username="mgr2")))

    response = client.post(CAPACITY, {"first_maintenance": "6", "maintenance": "8",
                                      "repair": "3", "warranty": "2"})

    assert response.status_code == 302
    assert dict(ServiceCapacity.objects.values_list("appointment_type", "daily_capacity")) == {
        "first_maintenance": 6, "maintenance": 8, "repair": 3, "warranty": 2}


def test_capacity_out_of_range_is_400(client, make_user, store):
    client.force_login(english(make_user(Role.MANAGER, username="mgr2")))

    response = client.post(CAPACITY, {"first_maintenance": "999", "maintenance": "8",
                                      "repair": "3", "warranty": "2"})

    assert response.status_code == 400
    assert response.context["form"].errors["first_maintenance"]
    assert ServiceCapacity.objects.count() == 0
