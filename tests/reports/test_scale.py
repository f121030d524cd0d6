"""The boards cost what the period holds, not the store's history (issue 15 §1).

- A meeting's two periods that share a last day (the morning's yesterday and its 30 days,
  the evening's day and its month) are read in one set of queries: the spans equal the two
  separate reads, and cost what one does.
- On PostgreSQL, with years of planted history and ANALYZE, the plans of today's §3 figures
  and of the evening board read the big tables (leads, customers, visits) through their
  indexes: no sequential scan.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.models import Contract
from dealership.enums import Role
from dealership.models import Customer
from leads.enums import Channel, LeadStatus
from leads.models import Lead
from reports.metrics import (
    FIGURES_QUERIES,
    activity_by_consultant,
    activity_span,
    store_figures,
    store_figures_span,
)
from reports.selectors.meetings import evening_board
from showroom.enums import InvitationStatus, TestDriveStatus
from showroom.models import Visit
from tests.factories import CustomerFactory, UserFactory
from tests.leads.factories import LeadFactory
from tests.reports.factories_meetings import at, signed_at
from tests.showroom.factories import DemoVehicleFactory, VisitFactory
from tests.showroom.factories_invitations import InvitationFactory
from tests.showroom.factories_test_drives import DriveFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)
FIRST = DAY - dt.timedelta(days=4)
BIG_TABLES = ("leads_lead", "dealership_customer", "showroom_visit")


def _days():
    return [FIRST + dt.timedelta(days=n) for n in range((DAY - FIRST).days + 1)]


def _period_rows(store, manager, consultant, count: int):
    """On each of the five days: `count` leads (one online, touched late), each with a first
    visit, an invitation (arrived every other day), a test drive, and a deal; a return visit
    of nobody registered."""
    vehicle = DemoVehicleFactory(store=store)
    for index, day in enumerate(_days()):
        for n in range(count):
            customer = CustomerFactory(store=store, owner=consultant)
            created = at(store, day, 9 + n)
            lead = LeadFactory(store=store, owner=consultant, customer=customer,
                               status=LeadStatus.WON if n == 0 else LeadStatus.CONTACTED,
                               channel=Channel.WEBSITE if n == 0 else Channel.WALK_IN,
                               created_at=created,
                               first_touch_at=created + dt.timedelta(minutes=30 + 60 * index))
            VisitFactory(store=store, consultant=consultant, customer=customer,
                         arrived_at=at(store, day, 10 + n), first_visit=True)
            InvitationFactory(lead=lead, expected_at=at(store, day, 11 + n),
                              status=InvitationStatus.ARRIVED if index % 2
                              else InvitationStatus.SCHEDULED)
            DriveFactory(store=store, vehicle=vehicle, consultant=consultant, customer=customer,
                         lead=lead, slot_start=at(store, day, 12 + n),
                         status=TestDriveStatus.DONE)
            signed_at(consultant, customer, at(store, day, 16 + n), manager=manager)
        VisitFactory(store=store, consultant=consultant, customer=None,
                     arrived_at=at(store, day, 17), first_visit=False)


@pytest.fixture
def busy(store, manager, consultant):
    _period_rows(store, manager, consultant, 2)
    return store


# --- The spans equal the separate reads ------------------------------------------------------
def test_figures_span_is_the_last_day_and_the_period(busy):
    now = at(busy, DAY, 20)

    day, period = store_figures_span(store=busy, first_day=FIRST, last_day=DAY, now=now)

    assert day == store_figures(store=busy, first_day=DAY, now=now)
    assert period == store_figures(store=busy, first_day=FIRST, last_day=DAY, now=now)
    # Two first visits, one return, two deals a day; five days in the period.
    assert (day.walk_ins_first, day.walk_ins_return, day.deals) == (2, 1, 2)
    assert (period.walk_ins_first, period.walk_ins_return, period.deals) == (10, 5, 10)
    assert (day.first_day, period.first_day, day.last_day) == (DAY, FIRST, DAY)


def test_activity_span_is_the_last_day_and_the_period(busy, consultant):
    day, period = activity_span(store=busy, first_day=FIRST, last_day=DAY)

    assert day == activity_by_consultant(store=busy, first_day=DAY)
    assert period == activity_by_consultant(store=busy, first_day=FIRST, last_day=DAY)
    assert (day[consultant.pk].deals, period[consultant.pk].deals) == (2, 10)
    assert (day[consultant.pk].new_leads, period[consultant.pk].new_leads) == (2, 10)


def test_activity_span_leaves_out_who_did_nothing_on_the_last_day(store, manager, consultant):
    VisitFactory(store=store, consultant=consultant, arrived_at=at(store, FIRST, 10))

    day, period = activity_span(store=store, first_day=FIRST, last_day=DAY)

    assert day == {}
    assert period[consultant.pk].walk_ins == 1


@pytest.mark.parametrize("count", [1, 3])
def test_spans_cost_the_queries_of_one_read(store, manager, consultant, count,
                                            django_assert_num_queries):
    _period_rows(store, manager, consultant, count)

    with django_assert_num_queries(FIGURES_QUERIES):
        store_figures_span(store=store, first_day=FIRST, last_day=DAY, now=at(store, DAY, 20))
    with django_assert_num_queries(5):
        activity_span(store=store, first_day=FIRST, last_day=DAY)


# --- PostgreSQL: the plans use the indexes ---------------------------------------------------
HISTORY = 3000


def _plant_history(store, other_store, consultant):
    """Three years of leads, customers and visits long before the period, in this store and in
    another (bulk inserts), so that a plan reading the whole table is a visible choice."""
    start = at(store, FIRST - dt.timedelta(days=4 * 365), 10)  # ending a year before
    step = dt.timedelta(days=3 * 365) / HISTORY
    customers = Customer.objects.bulk_create(
        Customer(store=shop, name=f"历史{n}", phone=f"+86139{n:08d}", city="深圳",
                 created_at=start + n * step)
        for n in range(HISTORY) for shop in (store, other_store))
    Lead.objects.bulk_create(
        Lead(store=c.store, customer=c, channel=Channel.WALK_IN, status=LeadStatus.LOST
             if n % 3 else LeadStatus.DORMANT, lost_reason="price" if n % 3 else "",
             created_at=c.created_at, owner=consultant if c.store == store else None)
        for n, c in enumerate(customers))
    Visit.objects.bulk_create(
        Visit(store=c.store, customer=c, arrived_at=c.created_at + dt.timedelta(hours=2),
              party_size=1, first_visit=True, description="", routed_by="queue")
        for c in customers)
    with connection.cursor() as cursor:
        for table in (*BIG_TABLES, "showroom_invitation", "showroom_testdrive",
                      "contracts_contract", "dealership_stockvehicle", "aftersales_complaint",
                      "delivery_handover"):
            cursor.execute(f"ANALYZE {table}")


def _plans(queries) -> list[tuple[str, str]]:
    plans = []
    with connection.cursor() as cursor:
        for query in queries:
            cursor.execute(f"EXPLAIN {query['sql']}")
            plans.append((query["sql"], "\n".join(row[0] for row in cursor.fetchall())))
    return plans


def _seq_scans_of_big_tables(plans) -> list[str]:
    return [f"{sql}\n{plan}" for sql, plan in plans
            if any(f"Seq Scan on {table}" in plan for table in BIG_TABLES)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="plans are PostgreSQL's")
def test_todays_figures_read_the_big_tables_through_indexes(store, other_store, manager,
                                                          consultant):
    _plant_history(store, other_store, consultant)
    _period_rows(store, manager, consultant, 1)

    with CaptureQueriesContext(connection) as queries:
        figures = store_figures(store=store, first_day=DAY, now=at(store, DAY, 20))
    plans = _plans(queries)

    assert figures.walk_ins_first == 1
    assert len(plans) == FIGURES_QUERIES
    assert _seq_scans_of_big_tables(plans) == []
    # Activation reads the store's open leads through an index (on the demo, after VACUUM,
    # an index-only scan of lead_due_idx; a test transaction cannot VACUUM).
    activation = next(plan for sql, plan in plans if '"open"' in sql)
    assert "Index Cond: ((store_id = " in activation
    assert "Seq Scan" not in activation


@pytest.mark.skipif(connection.vendor != "postgresql", reason="plans are PostgreSQL's")
def test_the_evening_board_reads_the_big_tables_through_indexes(store, other_store, manager,
                                                              consultant):
    _plant_history(store, other_store, consultant)
    _period_rows(store, manager, consultant, 1)
    UserFactory(role=Role.CONSULTANT, store=store)

    with CaptureQueriesContext(connection) as queries:
        board = evening_board(store=store, day=DAY - dt.timedelta(days=1),
                              now=at(store, DAY, 19))
    plans = _plans(queries)

    assert board.figures.deals == 1
    assert len(board.invitations_tomorrow) == 1
    assert Contract.objects.filter(store=store).count() == 5
    assert _seq_scans_of_big_tables(plans) == []
