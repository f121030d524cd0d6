"""Business ranges of the dates and times typed on the showroom screens (issue 10): the
walk-in's arrival, the visit's departure, the invitation's time, the test drive's day and
licence. Each form refuses a value just outside its range on the field, keeps the input and
writes nothing; the bound itself is accepted; each service refuses year 1 (or 9999) too."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from dealership.enums import Role
from leads.enums import LeadStatus
from showroom.enums import VisitOutcome
from showroom.models import DutyShift, Invitation, TestDrive, Visit
from showroom.services import visit_close, visit_register
from showroom.services.invitations import invitation_create
from showroom.services.test_drives import test_drive_book as book_test_drive
from tests.helpers import english
from tests.leads.factories import LeadFactory
from tests.showroom.factories import DemoVehicleFactory, DutyShiftFactory, VisitFactory

pytestmark = pytest.mark.django_db


def _at(store, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=store.tzinfo)


def _shown(store, value: dt.datetime) -> str:
    return timezone.localtime(value, store.tzinfo).strftime("%Y-%m-%d %H:%M")


def _queue(store) -> list[tuple[int, int, str]]:
    return list(DutyShift.objects.filter(store=store).order_by("position")
                .values_list("consultant_id", "position", "state"))


@pytest.fixture
def receptionist(make_user):
    return make_user(Role.RECEPTIONIST)


@pytest.fixture
def floor(store, consultant, teammate):
    return [DutyShiftFactory(store=store, date=store.today(), consultant=c, position=i)
            for i, c in enumerate([consultant, teammate], start=1)]


# --- Walk-in arrival: today in the store, not later than now (defect 1) ----------------------
@pytest.mark.parametrize("typed", ["0001-01-01", "1900-01-01"])
def test_walk_in_with_an_impossible_arrival_is_400_in_english(client, store, receptionist,
                                                               floor, typed):
    client.force_login(english(receptionist))
    queue = _queue(store)

    response = client.post("/showroom/walk-in/", {
        "arrived_at": typed, "party_size": "1", "first_visit": "first", "consultant": ""})

    field = response.context["form"].fields["arrived_at"]
    assert response.status_code == 400
    assert response.context["form"].errors == {"arrived_at": [
        f"Enter a date between {_shown(store, field.earliest)} and "
        f"{_shown(store, field.latest)}."]}
    assert f'value="{typed}"' in response.content.decode()
    assert not Visit.objects.exists()
    assert _queue(store) == queue


def test_walk_in_with_year_1_answers_in_chinese_by_default(client, store, receptionist, floor):
    client.force_login(receptionist)  # the default interface language: Chinese
    queue = _queue(store)

    response = client.post("/showroom/walk-in/", {
        "arrived_at": "0001-01-01", "party_size": "1", "first_visit": "first",
        "consultant": ""})

    field = response.context["form"].fields["arrived_at"]
    message = (f"请输入 {_shown(store, field.earliest)} 至 {_shown(store, field.latest)} "
               "之间的日期。")
    assert response.status_code == 400
    assert response.context["form"].errors == {"arrived_at": [message]}
    assert message in response.content.decode()
    assert not Visit.objects.exists()
    assert _queue(store) == queue


def test_walk_in_just_before_today_is_refused(client, store, receptionist, floor):
    client.force_login(english(receptionist))
    yesterday = store.today() - dt.timedelta(days=1)

    response = client.post("/showroom/walk-in/", {
        "arrived_at": f"{yesterday}T23:59", "party_size": "1", "first_visit": "first"})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["arrived_at"]
    assert not Visit.objects.exists()


def test_walk_in_at_the_start_of_today_is_accepted(client, store, receptionist, floor,
                                                   consultant):
    client.force_login(english(receptionist))

    response = client.post("/showroom/walk-in/", {
        "arrived_at": f"{store.today()}T00:00", "party_size": "1", "first_visit": "first"})

    assert response.headers["Location"] == "/showroom/desk/"
    visit = Visit.objects.get()
    assert (visit.arrived_at, visit.consultant) == (_at(store, store.today(), 0), consultant)


@pytest.mark.parametrize("arrived_at", [dt.datetime(1, 1, 1, tzinfo=dt.UTC),
                                        dt.datetime(1900, 1, 1, tzinfo=dt.UTC)])
def test_visit_register_refuses_a_time_before_today(store, receptionist, floor, arrived_at):
    queue = _queue(store)

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        visit_register(store=store, actor=receptionist, arrived_at=arrived_at)

    assert list(refused.value.message_dict) == ["arrived_at"]
    assert not Visit.objects.exists()
    assert _queue(store) == queue


# --- Visit departure: after arrival, on the day of the visit, not in the future -------------
@pytest.fixture
def yesterdays_visit(store, consultant):
    yesterday = store.today() - dt.timedelta(days=1)
    return VisitFactory(store=store, consultant=consultant, arrived_at=_at(store, yesterday, 10))


def test_close_visit_on_the_next_day_is_refused(client, store, consultant, yesterdays_visit):
    client.force_login(english(consultant))
    yesterday = yesterdays_visit.arrived_at.date()

    response = client.post(f"/showroom/visits/{yesterdays_visit.pk}/close/", {
        "departed_at": f"{store.today()}T00:00", "outcome": VisitOutcome.BROWSING})

    assert response.status_code == 400
    assert response.context["close_form"].errors == {"departed_at": [
        f"Enter a date on or before {yesterday} 23:59."]}
    yesterdays_visit.refresh_from_db()
    assert (yesterdays_visit.departed_at, yesterdays_visit.outcome) == (None, "")


def test_close_visit_at_the_end_of_its_day_is_accepted(client, store, consultant,
                                                       yesterdays_visit):
    client.force_login(english(consultant))
    yesterday = yesterdays_visit.arrived_at.date()

    response = client.post(f"/showroom/visits/{yesterdays_visit.pk}/close/", {
        "departed_at": f"{yesterday}T23:59", "outcome": VisitOutcome.BROWSING})

    assert response.status_code == 302
    yesterdays_visit.refresh_from_db()
    assert yesterdays_visit.departed_at == _at(store, yesterday, 23, 59)


@pytest.mark.parametrize("departed_at", [dt.datetime(1, 1, 1, tzinfo=dt.UTC),
                                         dt.datetime(9999, 12, 31, tzinfo=dt.UTC)])
def test_visit_close_refuses_an_impossible_departure(consultant, yesterdays_visit,
                                                     departed_at):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        visit_close(visit=yesterdays_visit, actor=consultant, departed_at=departed_at,
                    outcome=VisitOutcome.BROWSING)

    assert list(refused.value.message_dict) == ["departed_at"]
    yesterdays_visit.refresh_from_db()
    assert yesterdays_visit.departed_at is None


def test_visit_close_refuses_a_departure_on_another_day(store, consultant, yesterdays_visit):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        visit_close(visit=yesterdays_visit, actor=consultant,
                    departed_at=_at(store, store.today(), 0), outcome=VisitOutcome.BROWSING)

    assert list(refused.value.message_dict) == ["departed_at"]
    yesterdays_visit.refresh_from_db()
    assert yesterdays_visit.departed_at is None


# --- Invitation: from now to 90 days ahead ---------------------------------------------------
@pytest.fixture
def lead(store, consultant, customer):
    return LeadFactory(store=store, owner=consultant, customer=customer,
                       status=LeadStatus.CONTACTED)


@pytest.fixture
def noon(store, monkeypatch):
    """Now is 12:00:30 in the store: 90 days later is within opening hours."""
    frozen = _at(store, store.today(), 12) + dt.timedelta(seconds=30)
    monkeypatch.setattr(timezone, "now", lambda: frozen)
    return frozen


def test_invitation_just_after_90_days_is_refused(client, store, consultant, lead, noon):
    client.force_login(english(consultant))
    latest = noon + dt.timedelta(days=90)
    typed = f"{latest:%Y-%m-%d}T12:01"

    response = client.post(f"/showroom/invitations/new/?lead={lead.pk}",
                           {"expected_at": typed, "purpose": "试驾"})

    assert response.status_code == 400
    assert response.context["form"].errors == {"expected_at": [
        f"Enter a date between {_shown(store, noon)} and {_shown(store, latest)}."]}
    assert f'value="{typed}"' in response.content.decode()
    assert not Invitation.objects.exists()


def test_invitation_at_90_days_is_accepted(client, store, consultant, lead, noon):
    client.force_login(english(consultant))
    day = (noon + dt.timedelta(days=90)).date()

    response = client.post(f"/showroom/invitations/new/?lead={lead.pk}",
                           {"expected_at": f"{day}T12:00", "purpose": "试驾"})

    assert response.status_code == 302
    assert Invitation.objects.get().expected_at == _at(store, day, 12)


@pytest.mark.parametrize("expected_at", [dt.datetime(1, 1, 1, tzinfo=dt.UTC),
                                         dt.datetime(9999, 12, 31, 3, tzinfo=dt.UTC)])
def test_invitation_create_refuses_an_impossible_time(consultant, lead, expected_at):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        invitation_create(actor=consultant, lead=lead, expected_at=expected_at)

    assert list(refused.value.message_dict) == ["expected_at"]
    assert not Invitation.objects.exists()
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONTACTED


# --- Test drive: today to 60 days ahead; a licence valid until at most 2099-12-31 -----------
@pytest.fixture
def car(store):
    return DemoVehicleFactory(store=store)


def _booking(store, car, customer, **overrides) -> dict[str, str]:
    data = {"vehicle": str(car.pk), "day": str(store.today() + dt.timedelta(days=1)),
            "time": "10:00", "phone": "", "customer": str(customer.pk), "lead": "",
            "visit": "", "licence_number": "440301199001011234",
            "licence_expires_on": str(store.today() + dt.timedelta(days=400)),
            "agreement_accepted": "on"}
    return data | overrides


@pytest.mark.parametrize(("field", "typed", "message"), [
    ("day", 61, "Enter a date between {today} and {last}."),
    ("licence_expires_on", "2100-01-01", "Enter a date on or before 2099-12-31."),
])
def test_booking_just_outside_its_range_is_refused(client, store, consultant, customer, car,
                                                   field, typed, message):
    client.force_login(english(consultant))
    today = store.today()
    if isinstance(typed, int):
        typed = str(today + dt.timedelta(days=typed))

    response = client.post("/showroom/test-drives/new/",
                           _booking(store, car, customer, **{field: typed}))

    assert response.status_code == 400
    assert response.context["form"].errors == {field: [
        message.format(today=today, last=today + dt.timedelta(days=60))]}
    assert f'value="{typed}"' in response.content.decode()
    assert not TestDrive.objects.exists()


def test_booking_on_the_last_day_with_a_long_term_licence_is_accepted(client, store,
                                                                      consultant, customer,
                                                                      car):
    client.force_login(english(consultant))
    last = store.today() + dt.timedelta(days=60)

    response = client.post("/showroom/test-drives/new/", _booking(
        store, car, customer, day=str(last), licence_expires_on="2099-12-31"))

    assert response.status_code == 302
    drive = TestDrive.objects.get()
    assert (drive.slot_start, drive.licence_expires_on) == (_at(store, last, 10),
                                                            dt.date(2099, 12, 31))


@pytest.mark.parametrize(("field", "changes"), [
    ("slot_start", {"slot_start": dt.datetime(1, 1, 1, 2, tzinfo=dt.UTC)}),
    ("slot_start", {"slot_start": dt.datetime(9999, 12, 31, 2, tzinfo=dt.UTC)}),
    ("licence_expires_on", {"licence_expires_on": dt.date(1, 1, 1)}),
    ("licence_expires_on", {"licence_expires_on": dt.date(9999, 12, 31)}),
])
def test_test_drive_book_refuses_an_impossible_date(store, consultant, customer, car, field,
                                                    changes):
    kwargs = {"vehicle": car, "customer": customer,
              "slot_start": _at(store, store.today() + dt.timedelta(days=1), 10),
              "licence_number": "440301199001011234",
              "licence_expires_on": store.today() + dt.timedelta(days=400),
              "agreement_accepted": True} | changes

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        book_test_drive(actor=consultant, **kwargs)

    assert list(refused.value.message_dict) == [field]
    assert not TestDrive.objects.exists()



# --- Browser hints ---------------------------------------------------------------------------
def test_walk_in_form_hints_today_but_no_max_that_now_would_outrun(client, store, receptionist,
                                                                   floor):
    client.force_login(receptionist)

    response = client.get("/showroom/walk-in/")

    attrs = response.context["form"].fields["arrived_at"].widget.attrs
    assert (attrs.get("min"), attrs.get("max")) == (f"{store.today()}T00:00", None)


def test_invitation_form_hints_the_horizon_but_no_min_that_would_shift_the_steps(
        client, store, consultant, lead, noon):
    client.force_login(consultant)

    response = client.get(f"/showroom/invitations/new/?lead={lead.pk}")

    attrs = response.context["form"].fields["expected_at"].widget.attrs
    latest = timezone.localtime(noon + dt.timedelta(days=90), store.tzinfo)
    assert (attrs.get("min"), attrs.get("max"), attrs["step"]) == (
        None, f"{latest:%Y-%m-%dT%H:%M}", 300)
