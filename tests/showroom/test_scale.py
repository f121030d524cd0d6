"""The showroom's screens of the day (issue 15 §1): the reception desk, the test-drive
calendar, "my day"'s customers on the floor and the inspection read today's rows only — a
range on an indexed timestamp from the store's day bounds, or the few visits not yet over —
whatever the store's history; no query casts a timestamp to a date; on PostgreSQL the plans
read those rows through their indexes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dealership.enums import Role
from showroom.enums import TestDriveStatus
from showroom.models import TestDrive, Visit
from showroom.selectors.test_drives import calendar_day
from showroom.selectors.visits import visits_of_day, visits_open_for_consultant
from tests.factories import CustomerFactory, UserFactory
from tests.showroom.factories import DemoVehicleFactory, DutyShiftFactory, VisitFactory
from tests.showroom.factories_invitations import InspectionCheckFactory, InspectionItemFactory
from tests.showroom.factories_test_drives import DriveFactory, local_at, store_today

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="query plans are PostgreSQL's")

# What a date cast of a timestamp looks like in SQL (`__date`, TruncDate): PostgreSQL
# casts the value at the zone, SQLite calls Django's function. (A date parameter,
# `'2026-12-07'::date`, or a DateField such as the roster's `date`, is no cast.)
DATE_CASTS = ("AT TIME ZONE", "django_datetime_cast_date")


@pytest.fixture
def receptionist(make_user):
    return make_user(Role.RECEPTIONIST)


def _visit_history(store, consultant, days: int) -> list[Visit]:
    """One finished visit a day for `days` days before today: the history of the floor."""
    customer = CustomerFactory(store=store, owner=consultant)
    today = store_today(store)
    visits = []
    for back in range(1, days + 1):
        arrived = local_at(store, today - dt.timedelta(days=back), 11)
        visits.append(Visit(store=store, consultant=consultant, customer=customer,
                            arrived_at=arrived, departed_at=arrived + dt.timedelta(hours=1),
                            party_size=1, first_visit=False, routed_by="queue"))
    return Visit.objects.bulk_create(visits)


def _drive_history(store, consultant, days: int) -> list[TestDrive]:
    """One finished test drive a day for `days` days before today."""
    first = DriveFactory(store=store, consultant=consultant,
                         slot_start=local_at(store, store_today(store)
                                             - dt.timedelta(days=1), 10),
                         status=TestDriveStatus.DONE)
    today = store_today(store)
    earlier = TestDrive.objects.bulk_create(
        DriveFactory.build(store=store, vehicle=first.vehicle, consultant=consultant,
                           customer=first.customer, created_by=consultant,
                           status=TestDriveStatus.DONE,
                           slot_start=local_at(store, today - dt.timedelta(days=back), 10))
        for back in range(2, days + 1))
    return [first, *earlier]


# --- Fixed query counts whatever the history -----------------------------------------------
@pytest.mark.parametrize("count", [1, 3])
def test_desk_query_count_is_fixed_whatever_the_history(client, store, receptionist, count,
                                                        django_assert_num_queries):
    for position in range(1, count + 1):
        consultant = UserFactory(store=store, role=Role.CONSULTANT)
        DutyShiftFactory(store=store, date=store_today(store), position=position,
                         consultant=consultant)
        _visit_history(store, consultant, 20 * position)
        VisitFactory(store=store, consultant=consultant,
                     customer=CustomerFactory(store=store, owner=consultant))
    client.force_login(receptionist)

    # session, user, store, roster with consultants, visits with customers, invitations
    with django_assert_num_queries(6):
        response = client.get("/showroom/desk/")

    assert len(response.context["visits"]) == count
    assert len(response.context["queue"].waiting) == count


def test_desk_lists_todays_visits_only(store):
    consultant = UserFactory(store=store, role=Role.CONSULTANT)
    _visit_history(store, consultant, 5)
    today = VisitFactory(store=store, consultant=consultant,
                         arrived_at=local_at(store, store_today(store), 0, 1))

    assert list(visits_of_day(store=store, day=store_today(store))) == [today]


@pytest.mark.parametrize("count", [1, 3])
def test_floor_now_is_one_query_whatever_the_history(store, consultant, count,
                                                     django_assert_num_queries):
    _visit_history(store, consultant, 30)
    on_floor = [VisitFactory(store=store, consultant=consultant,
                             customer=CustomerFactory(store=store, owner=consultant))
                for _index in range(count)]

    with django_assert_num_queries(1):
        visits = [(visit, visit.customer.name) for visit in visits_open_for_consultant(consultant)]

    assert [visit for visit, _name in visits] == on_floor


@pytest.mark.parametrize("count", [1, 3])
def test_calendar_query_count_is_fixed_whatever_the_history(client, store, consultant, count,
                                                            django_assert_num_queries):
    _drive_history(store, consultant, 15)
    today = store_today(store)
    for hour in range(10, 10 + count):
        DriveFactory(store=store, consultant=consultant, slot_start=local_at(store, today, hour))
    client.force_login(consultant)

    with django_assert_num_queries(5):
        response = client.get(f"/showroom/test-drives/?day={today}")

    assert response.context["booked"] == count


# --- No date casts --------------------------------------------------------------------------
@pytest.mark.parametrize(("role", "url"), [
    (Role.RECEPTIONIST, "/showroom/desk/"),
    (Role.RECEPTIONIST, "/showroom/test-drives/"),
    (Role.MANAGER, "/showroom/inspection/"),
    (Role.CONSULTANT, "/my-day/"),
])
def test_showroom_screens_cast_no_timestamp_to_a_date(client, store, make_user, consultant,
                                                      role, url):
    _visit_history(store, consultant, 3)
    _drive_history(store, consultant, 3)
    VisitFactory(store=store, consultant=consultant)
    InspectionCheckFactory(item=InspectionItemFactory(store=store), checked_by=consultant)
    client.force_login(consultant if role == Role.CONSULTANT else make_user(role))

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 200
    casts = [q["sql"] for q in queries.captured_queries
             if any(cast in q["sql"] for cast in DATE_CASTS)]
    assert casts == []


# --- The plans on PostgreSQL ----------------------------------------------------------------
@pytest.fixture
def long_history(store, consultant):
    """Two years of finished visits and test drives of four consultants; statistics
    gathered."""
    members = [consultant] + [UserFactory(store=store, role=Role.CONSULTANT)
                              for _index in range(3)]
    for member in members:
        _visit_history(store, member, 730)
        _drive_history(store, member, 730)
    VisitFactory(store=store, consultant=consultant)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE showroom_visit")
        cursor.execute("ANALYZE showroom_testdrive")
    return members


def _plans(read) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        read()
    plans = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            cursor.execute(f"EXPLAIN {query['sql']}")
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


@on_postgresql
def test_floor_now_reads_the_visits_not_over(long_history, consultant):
    (plan,) = _plans(lambda: list(visits_open_for_consultant(consultant)))

    assert "visit_on_floor_idx" in plan, plan
    assert "Seq Scan on showroom_visit" not in plan, plan


@on_postgresql
def test_desk_reads_the_days_visits_by_range(long_history, store):
    (plan,) = _plans(lambda: list(visits_of_day(store=store, day=store_today(store))))

    # The period index read backwards: newest arrival first, the day as its range.
    assert "Index Scan Backward using visit_period_idx" in plan, plan
    assert "Seq Scan on showroom_visit" not in plan, plan


@on_postgresql
def test_calendar_reads_the_days_bookings_by_range(long_history, store, receptionist):
    DemoVehicleFactory(store=store)

    plans = _plans(lambda: calendar_day(user=receptionist, day=store_today(store)))

    (bookings,) = [plan for plan in plans if "showroom_testdrive" in plan]
    assert "Seq Scan on showroom_testdrive" not in bookings, bookings
