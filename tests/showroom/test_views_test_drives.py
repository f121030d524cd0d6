"""Test-drive screens: the day and vehicle calendars, the booking form, a booking's page and
its start / finish / feedback / cancel forms; who may open what."""

from __future__ import annotations

import datetime as dt

import pytest

from dealership.enums import AuditAction, Role
from dealership.models import AuditEntry
from leads.enums import LeadStatus
from showroom.enums import TestDriveStatus as DriveStatus
from showroom.models import bookings
from tests.factories import CustomerFactory
from tests.helpers import HTMX, english
from tests.leads.factories import LeadFactory
from tests.showroom.factories import DemoVehicleFactory
from tests.showroom.factories_test_drives import (
    DriveFactory,
    local_at,
    store_today,
    tomorrow_at,
)

pytestmark = pytest.mark.django_db

Drive = bookings.TestDrive



def messages_of(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


@pytest.fixture
def car(store):
    return DemoVehicleFactory(store=store)


@pytest.fixture
def drive(store, consultant, customer, car):
    return DriveFactory(store=store, consultant=consultant, customer=customer, vehicle=car,
                        slot_start=local_at(store, store_today(store), 10))


def tomorrow(store) -> str:
    return (store_today(store) + dt.timedelta(days=1)).isoformat()


def booking_data(store, car, **overrides) -> dict[str, str]:
    data = {
        "vehicle": str(car.pk), "day": tomorrow(store), "time": "10:00",
        "phone": "138 1234 5678", "customer": "", "lead": "", "visit": "",
        "licence_number": "440301199001011234",
        "licence_expires_on": (store_today(store) + dt.timedelta(days=400)).isoformat(),
        "agreement_accepted": "on",
    }
    data.update(overrides)
    return data


# --- Day calendar -------------------------------------------------------------------------
def test_calendar_shows_booked_and_free_cells(client, consultant, customer, car, store):
    drive = DriveFactory(store=store, consultant=consultant, customer=customer, vehicle=car,
                         slot_start=tomorrow_at(store, 10))
    client.force_login(consultant)

    response = client.get(f"/showroom/test-drives/?day={tomorrow(store)}")

    html = response.content.decode()
    row = response.context["rows"][0]
    assert response.status_code == 200
    assert len(response.context["slots"]) == 23  # 08:30 … 19:30
    assert [cell.booking for cell in row.cells if cell.booking] == [drive]
    assert 'data-testid="cell-booked"' in html
    assert "王芳" in html and "张*丰" in html and "张三丰" not in html
    assert (f"/showroom/test-drives/new/?vehicle={car.pk}&amp;day={tomorrow(store)}"
            "&amp;time=10:30") in html
    assert f'href="/showroom/test-drives/{drive.pk}/"' in html


def test_calendar_booking_of_another_consultant_has_no_link(client, teammate, consultant,
                                                             customer, car, store):
    drive = DriveFactory(store=store, consultant=consultant, customer=customer, vehicle=car,
                         slot_start=tomorrow_at(store, 10))
    client.force_login(teammate)

    response = client.get(f"/showroom/test-drives/?day={tomorrow(store)}")

    html = response.content.decode()
    assert "张*丰" in html
    assert f"/showroom/test-drives/{drive.pk}/" not in html


def test_calendar_receptionist_reads_masked_without_booking(client, make_user, consultant,
                                                             customer, car, store):
    DriveFactory(store=store, consultant=consultant, customer=customer, vehicle=car,
                 slot_start=tomorrow_at(store, 10))
    client.force_login(make_user(Role.RECEPTIONIST))

    response = client.get(f"/showroom/test-drives/?day={tomorrow(store)}")

    html = response.content.decode()
    assert response.status_code == 200
    assert "张*丰" in html
    assert "张三丰" not in html and "13812345678" not in html and "5678" not in html
    assert "/showroom/test-drives/new/" not in html


def test_calendar_is_forbidden_to_finance(client, make_user):
    client.force_login(make_user(Role.FINANCE))

    response = client.get("/showroom/test-drives/")

    assert response.status_code == 403


def test_calendar_bad_day_shows_today_with_a_notice(client, consultant, store):
    client.force_login(english(consultant))

    response = client.get("/showroom/test-drives/?day=2026-13-45")

    assert response.status_code == 400
    assert response.context["day"] == store_today(store)
    assert response.context["notice"] == "“2026-13-45” is not a date (YYYY-MM-DD); showing today."


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_calendar_day_at_the_end_of_time_shows_today_with_a_notice(client, consultant, car,
                                                                   store, day):
    client.force_login(english(consultant))

    response = client.get("/showroom/test-drives/", {"day": day})
    week = client.get(f"/showroom/test-drives/vehicles/{car.pk}/", {"day": day})

    assert (response.status_code, week.status_code) == (400, 400)
    assert response.context["day"] == store_today(store)
    assert week.context["days"][0] == store_today(store) - dt.timedelta(
        days=store_today(store).weekday())
    assert response.context["notice"] == week.context["notice"] == (
        f"“{day}” is not a date (YYYY-MM-DD); showing today.")


def test_calendar_htmx_returns_the_grid(client, consultant, store):
    client.force_login(consultant)

    response = client.get(f"/showroom/test-drives/?day={tomorrow(store)}", **HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="calendar-grid"')
    assert "<html" not in html


@pytest.mark.parametrize("count", [1, 3])
def test_calendar_query_count_is_constant(client, consultant, store, count,
                                          django_assert_num_queries):
    for hour in range(10, 10 + count):
        DriveFactory(store=store, consultant=consultant, slot_start=tomorrow_at(store, hour))
    client.force_login(consultant)

    with django_assert_num_queries(5):
        response = client.get(f"/showroom/test-drives/?day={tomorrow(store)}")

    assert response.context["booked"] == count
    assert len(response.context["rows"]) == count


# --- Vehicle week -------------------------------------------------------------------------
def test_vehicle_calendar_shows_the_week(client, consultant, customer, car, store):
    monday = store_today(store) - dt.timedelta(days=store_today(store).weekday())
    drive = DriveFactory(store=store, consultant=consultant, customer=customer, vehicle=car,
                         slot_start=local_at(store, monday + dt.timedelta(days=2), 9))
    client.force_login(consultant)

    response = client.get(f"/showroom/test-drives/vehicles/{car.pk}/")

    assert response.status_code == 200
    assert response.context["days"] == [monday + dt.timedelta(days=n) for n in range(7)]
    nine = next(row for row in response.context["rows"] if row.label == dt.time(9, 0))
    assert [cell.booking for cell in nine.cells] == [None, None, drive, None, None, None,
                                                     None]


def test_vehicle_calendar_of_another_store_is_404(client, consultant, other_store):
    client.force_login(consultant)

    response = client.get(f"/showroom/test-drives/vehicles/"
                          f"{DemoVehicleFactory(store=other_store).pk}/")

    assert response.status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_vehicle_calendar_query_count_is_constant(client, consultant, car, store, count,
                                                  django_assert_num_queries):
    for hour in range(10, 10 + count):
        DriveFactory(store=store, consultant=consultant, vehicle=car,
                     slot_start=tomorrow_at(store, hour))
    client.force_login(consultant)

    with django_assert_num_queries(5):
        response = client.get(f"/showroom/test-drives/vehicles/{car.pk}/"
                              f"?day={tomorrow(store)}")

    assert response.context["booked"] == count


# --- Booking form -------------------------------------------------------------------------
def test_book_form_is_prefilled_from_the_calendar(client, consultant, customer, car, store):
    CustomerFactory(store=store, owner=None, name="别人的客户")
    client.force_login(consultant)

    response = client.get(f"/showroom/test-drives/new/?vehicle={car.pk}&day={tomorrow(store)}"
                          "&time=11:30")

    form = response.context["form"]
    html = response.content.decode()
    assert response.status_code == 200
    assert (form["vehicle"].value(), form["day"].value(), form["time"].value()) == (
        str(car.pk), tomorrow(store), "11:30")
    assert list(form.fields["customer"].queryset) == [customer]
    assert 'data-version="2026-01"' in html


def test_book_by_phone_creates_the_booking(client, consultant, customer, car, store):
    client.force_login(english(consultant))

    response = client.post("/showroom/test-drives/new/", booking_data(store, car))

    drive = Drive.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/showroom/test-drives/{drive.pk}/"
    assert (drive.customer, drive.consultant, drive.slot_start, drive.agreement_version) == (
        customer, consultant, tomorrow_at(store, 10), "2026-01")
    assert messages_of(response) == ["Test drive booked."]


def test_book_with_lead_takes_its_customer(client, consultant, customer, car, store):
    lead = LeadFactory(store=store, owner=consultant, customer=customer)
    client.force_login(consultant)

    client.post("/showroom/test-drives/new/",
                booking_data(store, car, phone="", lead=str(lead.pk)))

    assert Drive.objects.get().lead == lead


def test_book_expired_licence_keeps_the_input(client, consultant, customer, car, store):
    client.force_login(english(consultant))

    response = client.post("/showroom/test-drives/new/", booking_data(
        store, car, licence_number="AB123456", licence_expires_on="2021-06-30"))

    html = response.content.decode()
    assert response.status_code == 400
    assert response.context["form"].errors == {"licence_expires_on": [
        "The driving licence expired on 2021-06-30; a test drive needs a valid licence."]}
    assert 'value="AB123456"' in html and 'value="2021-06-30"' in html
    assert Drive.objects.count() == 0


def test_book_without_agreement_is_refused(client, consultant, customer, car, store):
    client.force_login(english(consultant))
    data = booking_data(store, car)
    del data["agreement_accepted"]

    response = client.post("/showroom/test-drives/new/", data)

    assert response.status_code == 400
    assert response.context["form"].errors == {"agreement_accepted": [
        "The customer must accept the test-drive agreement."]}


def test_book_taken_slot_says_so(client, consultant, customer, car, store, teammate):
    DriveFactory(store=store, consultant=teammate, vehicle=car,
                 slot_start=tomorrow_at(store, 10))
    client.force_login(english(consultant))

    response = client.post("/showroom/test-drives/new/", booking_data(store, car), **HTMX)

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "This car was just booked for that slot by someone else; choose another slot."]
    assert response.content.decode().lstrip().startswith(
        '<section class="card narrow" id="booking-form"')


def test_book_day_before_today_is_refused_on_the_day(client, consultant, customer, car, store):
    client.force_login(english(consultant))
    today = store_today(store)
    yesterday = (today - dt.timedelta(days=1)).isoformat()

    response = client.post("/showroom/test-drives/new/",
                           booking_data(store, car, day=yesterday))

    # The day's range (today to 60 days ahead, issue 10) refuses it before the service.
    assert response.context["form"].errors == {"day": [
        f"Enter a date between {today} and {today + dt.timedelta(days=60)}."]}
    assert Drive.objects.count() == 0


def test_book_phone_of_another_consultants_customer_is_refused(client, teammate, customer,
                                                               car, store):
    client.force_login(english(teammate))

    response = client.post("/showroom/test-drives/new/", booking_data(store, car))

    assert response.status_code == 400
    assert response.context["form"].errors == {"phone": [
        "None of your customers has this phone number."]}


def test_book_is_forbidden_to_the_receptionist(client, make_user):
    client.force_login(make_user(Role.RECEPTIONIST))

    response = client.get("/showroom/test-drives/new/")

    assert response.status_code == 403


# --- One booking --------------------------------------------------------------------------
def test_detail_for_the_consultant_has_the_start_form(client, consultant, drive):
    client.force_login(consultant)

    response = client.get(f"/showroom/test-drives/{drive.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["can_handle"] is True
    assert f'action="/showroom/test-drives/{drive.pk}/start/"' in html
    assert "张三丰" in html and "138****5678" in html and "13812345678" not in html


def test_detail_of_another_consultants_booking_is_404(client, teammate, drive):
    client.force_login(teammate)

    response = client.get(f"/showroom/test-drives/{drive.pk}/")

    assert response.status_code == 404


def test_detail_for_the_supervisor_of_the_consultant(client, supervisor, drive):
    client.force_login(supervisor)

    response = client.get(f"/showroom/test-drives/{drive.pk}/")

    assert response.context["can_handle"] is True


def test_detail_for_the_receptionist_is_read_only_and_masked(client, make_user, drive):
    client.force_login(make_user(Role.RECEPTIONIST))

    response = client.get(f"/showroom/test-drives/{drive.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["can_handle"] is False
    assert "<form method=\"post\" action=\"/showroom" not in html
    assert "张*丰" in html and "张三丰" not in html and "5678" not in html
    assert drive.licence_number not in html


def test_detail_shows_the_licence_masked_and_audits_nothing(client, consultant, drive):
    """Issue 10 (#6): a Chinese licence number is the ID number, masked like it."""
    client.force_login(consultant)

    response = client.get(f"/showroom/test-drives/{drive.pk}/")

    html = response.content.decode()
    assert response.context["can_reveal"] is True
    assert "440301199001011234" not in html
    assert '<span class="mono">4403**********1234</span>' in html
    assert f'action="/showroom/test-drives/{drive.pk}/reveal/"' in html
    assert AuditEntry.objects.count() == 0


def test_reveal_licence_shows_it_and_writes_one_audit_row(client, consultant, drive):
    client.force_login(consultant)

    response = client.post(f"/showroom/test-drives/{drive.pk}/reveal/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<span class="mono">440301199001011234</span>' in html
    assert f'action="/showroom/test-drives/{drive.pk}/reveal/"' not in html
    assert [(e.action, e.actor_id, e.object_id, e.changes)
            for e in AuditEntry.objects.all()] == [
        (AuditAction.VIEW_PII, consultant.pk, str(drive.pk), {"fields": ["licence_number"]})]


def test_reveal_licence_with_htmx_returns_the_licence_partial(client, manager, drive):
    client.force_login(manager)

    response = client.post(f"/showroom/test-drives/{drive.pk}/reveal/", **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<dl id="driving-licence"')
    assert "440301199001011234" in html
    assert AuditEntry.objects.get().action == AuditAction.VIEW_PII


def test_reveal_licence_is_forbidden_to_the_receptionist(client, make_user, drive):
    client.force_login(make_user(Role.RECEPTIONIST))

    response = client.post(f"/showroom/test-drives/{drive.pk}/reveal/")

    assert response.status_code == 403
    assert "440301199001011234" not in response.content.decode()
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize("persona", ["teammate", "outsider"])
def test_reveal_licence_outside_scope_is_404(client, request, persona, drive):
    client.force_login(request.getfixturevalue(persona))

    response = client.post(f"/showroom/test-drives/{drive.pk}/reveal/")

    assert response.status_code == 404
    assert AuditEntry.objects.count() == 0


def test_reveal_licence_needs_a_post(client, consultant, drive):
    client.force_login(consultant)

    response = client.get(f"/showroom/test-drives/{drive.pk}/reveal/")

    assert response.status_code == 405
    assert AuditEntry.objects.count() == 0


def test_detail_is_forbidden_to_finance(client, make_user, drive):
    client.force_login(make_user(Role.FINANCE))

    response = client.get(f"/showroom/test-drives/{drive.pk}/")

    assert response.status_code == 403


def test_detail_of_another_store_is_404(client, outsider, drive):
    client.force_login(outsider)

    response = client.get(f"/showroom/test-drives/{drive.pk}/")

    assert response.status_code == 404


@pytest.mark.parametrize(("role", "with_lead"), [
    ("consultant", False), ("consultant", True), ("supervisor", True)])
def test_detail_query_count_is_constant(client, consultant, supervisor, customer, store, drive,
                                        role, with_lead, django_assert_num_queries):
    if with_lead:
        drive.lead = LeadFactory(store=store, owner=consultant, customer=customer)
        drive.save(update_fields=["lead"])
    client.force_login({"consultant": consultant, "supervisor": supervisor}[role])

    # The last two: the user's permissions, asked once for "show the full number".
    with django_assert_num_queries(6):
        response = client.get(f"/showroom/test-drives/{drive.pk}/")

    assert response.context["drive"] == drive


# --- Transitions --------------------------------------------------------------------------
def test_start_finish_feedback_through_the_forms(client, consultant, customer, store, drive):
    drive.lead = LeadFactory(store=store, owner=consultant, customer=customer,
                             status=LeadStatus.VISITED)
    drive.save(update_fields=["lead"])
    client.force_login(english(consultant))
    url = f"/showroom/test-drives/{drive.pk}"

    started = client.post(f"{url}/start/", {"odometer_start": "5400"})
    finished = client.post(f"{url}/finish/", {"odometer_end": "5418"})
    rated = client.post(f"{url}/feedback/", {"rating_overall": "5", "rating_handling": "4",
                                             "rating_comfort": "4", "feedback": "很安静"})

    drive.refresh_from_db()
    drive.lead.refresh_from_db()
    assert [r.status_code for r in (started, finished, rated)] == [302, 302, 302]
    assert (drive.status, drive.odometer_start, drive.odometer_end) == (
        DriveStatus.DONE, 5400, 5418)
    assert (drive.rating_overall, drive.rating_handling, drive.rating_comfort,
            drive.feedback) == (5, 4, 4, "很安静")
    assert drive.lead.status == LeadStatus.TEST_DRIVEN
    assert messages_of(rated) == ["The test drive started.", "The test drive is done.",
                                  "Feedback saved."]


def test_start_with_htmx_returns_the_panel(client, consultant, drive):
    client.force_login(english(consultant))

    response = client.post(f"/showroom/test-drives/{drive.pk}/start/",
                           {"odometer_start": "5400"}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card" id="test-drive-panel"')
    assert "The test drive started." in html
    assert f'action="/showroom/test-drives/{drive.pk}/finish/"' in html


def test_finish_below_start_keeps_the_input(client, consultant, drive):
    client.force_login(english(consultant))
    client.post(f"/showroom/test-drives/{drive.pk}/start/", {"odometer_start": "5400"})

    response = client.post(f"/showroom/test-drives/{drive.pk}/finish/",
                           {"odometer_end": "5300"})

    assert response.status_code == 400
    assert response.context["finish_form"].errors == {"odometer_end": [
        "The odometer at the end cannot be below the start (5400 km)."]}
    assert 'value="5300"' in response.content.decode()


def test_feedback_before_the_drive_is_refused(client, consultant, drive):
    client.force_login(english(consultant))

    response = client.post(f"/showroom/test-drives/{drive.pk}/feedback/", {
        "rating_overall": "5", "rating_handling": "4", "rating_comfort": "4"})

    assert response.status_code == 400
    assert response.context["feedback_form"].non_field_errors() == [
        "Feedback is recorded after the drive is finished."]


def test_cancel_frees_the_cell(client, consultant, drive):
    client.force_login(consultant)

    response = client.post(f"/showroom/test-drives/{drive.pk}/cancel/", {"reason": "改期"})

    drive.refresh_from_db()
    assert response.status_code == 302
    assert drive.status == DriveStatus.CANCELLED


def test_another_consultant_posting_a_transition_gets_404(client, teammate, drive):
    client.force_login(teammate)

    response = client.post(f"/showroom/test-drives/{drive.pk}/start/",
                           {"odometer_start": "1"})

    drive.refresh_from_db()
    assert response.status_code == 404
    assert drive.status == DriveStatus.BOOKED


def test_receptionist_may_not_start(client, make_user, drive):
    client.force_login(make_user(Role.RECEPTIONIST))

    response = client.post(f"/showroom/test-drives/{drive.pk}/start/",
                           {"odometer_start": "1"})

    drive.refresh_from_db()
    assert response.status_code == 403
    assert (drive.status, drive.odometer_start) == (DriveStatus.BOOKED, None)
