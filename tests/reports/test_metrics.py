"""DESIGN §3, figure by figure, against a store whose answers are worked out by hand.

The day is Tuesday 10 March 2026 in the store's time zone (Asia/Shanghai). Every row below
says why it counts or not; the expected numbers are counted from these comments, not from
the code under test. `report_figures --format json` must print the same answers.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from aftersales.models import Complaint
from contracts.enums import ContractStatus
from contracts.models import Contract
from dealership.enums import StockStatus
from leads.enums import Channel, LeadStatus
from reports.metrics import FIGURES_QUERIES, Rate, activity_by_consultant, store_figures
from showroom.enums import InvitationStatus, TestDriveStatus
from tests.aftersales.factories_campaigns import complaint
from tests.contracts.factories import make_contract
from tests.factories import CustomerFactory, StockVehicleFactory, StoreFactory
from tests.leads.factories import LeadFactory
from tests.showroom.factories import VisitFactory
from tests.showroom.factories_invitations import InvitationFactory
from tests.showroom.factories_test_drives import DriveFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)


def at(store, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=store.tzinfo)


def _signed_at(contract: Contract, moment: dt.datetime) -> None:
    # Arrange: the contract was signed at `moment` (the service stamps "now").
    Contract.objects.filter(pk=contract.pk).update(signed_at=moment)


@pytest.fixture
def world(store, consultant, manager):
    day_before, day_after = DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=1)
    c1, c2, c3, c4, c5 = (CustomerFactory(store=store, owner=consultant) for _ in range(5))

    # --- Visits ------------------------------------------------------------------------
    # v1: c1's first visit at 23:59 on DAY: counts on DAY.
    VisitFactory(store=store, consultant=consultant, customer=c1, first_visit=True,
                 arrived_at=at(store, DAY, 23, 59))
    # v2: c2's first visit at 00:01 the next day: not DAY's.
    VisitFactory(store=store, consultant=consultant, customer=c2, first_visit=True,
                 arrived_at=at(store, day_after, 0, 1))
    # v3: c3 comes back (a return visit) on DAY.
    VisitFactory(store=store, consultant=consultant, customer=c3, first_visit=False,
                 arrived_at=at(store, DAY, 10))
    # v4: an anonymous first visit on DAY (nobody registered: one distinct customer).
    VisitFactory(store=store, consultant=consultant, customer=None, first_visit=True,
                 arrived_at=at(store, DAY, 11))
    # L3: c4's walk-in lead, won; v5 (c4's first visit, naming L3) with a drive that day.
    lead3 = LeadFactory(store=store, owner=consultant, customer=c4, channel=Channel.WALK_IN,
                        status=LeadStatus.WON, created_at=at(store, DAY, 14))
    VisitFactory(store=store, consultant=consultant, customer=c4, lead=lead3,
                 first_visit=True, arrived_at=at(store, DAY, 14))
    DriveFactory(store=store, consultant=consultant, customer=c4,
                 slot_start=at(store, DAY, 14, 30), started_at=at(store, DAY, 14, 32),
                 status=TestDriveStatus.DONE)
    # c1 drives the next morning: not "the same day" as v1.
    DriveFactory(store=store, consultant=consultant, customer=c1,
                 slot_start=at(store, day_after, 9), started_at=at(store, day_after, 9),
                 status=TestDriveStatus.DONE)
    # A drive of c3 on DAY that was cancelled: no drive (and v3 is a return anyway).
    DriveFactory(store=store, consultant=consultant, customer=c3,
                 slot_start=at(store, DAY, 16), status=TestDriveStatus.CANCELLED)

    # --- Contracts ---------------------------------------------------------------------
    # A: c4's, signed on DAY at 15:00. B: c3's, signed on DAY then cancelled the next day:
    # it still became signed on DAY. C: signed the evening before (23:30): not DAY's.
    a = make_contract(consultant, c4, manager=manager, status=ContractStatus.SIGNED)
    _signed_at(a, at(store, DAY, 15))
    b = make_contract(consultant, c3, manager=manager, status=ContractStatus.SIGNED)
    _signed_at(b, at(store, DAY, 16))
    Contract.objects.filter(pk=b.pk).update(status=ContractStatus.CANCELLED,
                                            cancelled_at=at(store, day_after, 10),
                                            cancel_reason="客户改变主意")
    c = make_contract(consultant, c5, manager=manager, status=ContractStatus.SIGNED)
    _signed_at(c, at(store, day_before, 23, 30))

    # --- Leads -------------------------------------------------------------------------
    # L1: website lead of DAY, first touched after 59 minutes: in time.
    LeadFactory(store=store, owner=consultant, channel=Channel.WEBSITE,
                created_at=at(store, DAY, 9), first_touch_at=at(store, DAY, 9, 59),
                status=LeadStatus.CONTACTED)
    # L2: vertical-media lead of DAY, first touched after 61 minutes: late.
    LeadFactory(store=store, owner=consultant, channel=Channel.VERTICAL_MEDIA,
                created_at=at(store, DAY, 9), first_touch_at=at(store, DAY, 10, 1),
                status=LeadStatus.CONTACTED)
    # L4: phone lead of DAY (c5), no visit, overdue since yesterday.
    LeadFactory(store=store, owner=consultant, customer=c5, channel=Channel.PHONE,
                created_at=at(store, DAY, 12), status=LeadStatus.CONTACTED,
                follow_up_due_at=at(store, day_before, 10))
    # L0: website lead of the day before (not DAY's), never touched, due in a week.
    LeadFactory(store=store, owner=consultant, channel=Channel.WEBSITE,
                created_at=at(store, day_before, 20))
    # L5: dormant (open, but not meeting its cadence); L6: lost (closed).
    LeadFactory(store=store, owner=consultant, status=LeadStatus.DORMANT,
                created_at=at(store, DAY - dt.timedelta(days=40), 10))
    LeadFactory(store=store, owner=consultant, status=LeadStatus.LOST, lost_reason="price",
                created_at=at(store, DAY - dt.timedelta(days=20), 10))

    # --- Invitations due on DAY: one arrived, one no-show, one cancelled (not due) --------
    for status in (InvitationStatus.ARRIVED, InvitationStatus.NO_SHOW,
                   InvitationStatus.CANCELLED):
        InvitationFactory(lead=LeadFactory(store=store, owner=consultant,
                                           status=LeadStatus.LOST, lost_reason="price",
                                           created_at=at(store, DAY - dt.timedelta(days=9), 9)),
                          expected_at=at(store, DAY, 15), status=status)

    # --- Stock at the end of DAY: 61 days old counts, 60 does not, a demo car never ----------
    StockVehicleFactory(store=store, arrival_date=DAY - dt.timedelta(days=61))
    StockVehicleFactory(store=store, arrival_date=DAY - dt.timedelta(days=60))
    StockVehicleFactory(store=store, status=StockStatus.DEMO,
                        arrival_date=DAY - dt.timedelta(days=90))

    # --- Complaints of DAY: all met; response late; still running in time ---------------
    met = complaint(c1, received_at=at(store, DAY, 9))
    Complaint.objects.filter(pk=met.pk).update(
        responded_at=at(store, DAY, 10), proposed_at=at(store, DAY, 12),
        resolved_at=at(store, DAY, 16))
    late = complaint(c2, received_at=at(store, DAY, 9))
    Complaint.objects.filter(pk=late.pk).update(
        responded_at=at(store, DAY, 11, 30), proposed_at=at(store, DAY, 12),
        resolved_at=at(store, DAY, 16))
    complaint(c3, received_at=at(store, DAY, 17))
    complaint(c4, received_at=at(store, day_after, 9))  # the next day's
    return store


EXPECTED = {
    # v1, v4, v5 are DAY's first visits; v3 its return.
    "walk_ins_first": 3,
    "walk_ins_return": 1,
    # A and B (B's cancellation the next day doesn't unsign it).
    "deals": 2,
    # 2 deals ÷ 3 distinct first-visit customers (c1, c4, the anonymous one).
    "walk_in_conversion": "0.6667",
    # DAY's leads: L1, L2, L3, L4 → only L3 has a visit (v5).
    "lead_to_visit_rate": "0.2500",
    # … and only L3 is won.
    "lead_to_deal_rate": "0.2500",
    # arrived 1 ÷ due 2 (the cancelled one is not due).
    "invitation_show_rate": "0.5000",
    # v5 drove the same day; v1 drove the next day; v4 never: 1 ÷ 3.
    "test_drive_rate": "0.3333",
    # Open: L0, L1, L2, L4, L5 → meeting cadence L0, L1, L2 (L4 overdue, L5 dormant).
    "activation_rate": "0.6000",
    # Online leads of DAY: L1 (59 min, in time) and L2 (61 min, late).
    "first_contact_sla": "0.5000",
    # Only the 61-day-old car in stock.
    "slow_stock": 1,
    # DAY's complaints: one met all three, one answered late, one still running.
    "complaint_sla": "0.3333",
}


def _as_strings(figures) -> dict:
    return {key: (str(value) if isinstance(value, Decimal) else value)
            for key, value in figures.as_json().items()}


def test_every_figure_of_the_day_matches_the_hand_count(world):
    figures = store_figures(store=world, first_day=DAY, now=at(world, DAY, 18))

    assert _as_strings(figures) == EXPECTED


def test_a_visit_at_00_01_counts_on_its_own_day(world):
    figures = store_figures(store=world, first_day=DAY + dt.timedelta(days=1),
                            now=at(world, DAY, 18))

    # v2 (00:01) is the next day's only visit; nothing else of the fixture happened then.
    assert (figures.walk_ins_first, figures.walk_ins_return) == (1, 0)
    assert figures.deals == 0
    assert figures.walk_in_conversion == Rate(0, 1)


def test_a_period_adds_up_its_days(world):
    figures = store_figures(store=world, first_day=DAY - dt.timedelta(days=1),
                            last_day=DAY + dt.timedelta(days=1), now=at(world, DAY, 18))

    # Three days: first visits v1, v2, v4, v5; deals A, B, C; leads L0–L4 (L0 online,
    # never touched: late); complaints four (the next day's one still running).
    assert (figures.walk_ins_first, figures.walk_ins_return, figures.deals) == (4, 1, 3)
    assert figures.lead_to_visit_rate == Rate(1, 5)
    assert figures.first_contact_sla == Rate(1, 3)
    assert figures.complaint_sla == Rate(1, 4)
    # Slow stock is counted at the end of the period (the day after DAY): the 60-day car
    # is 61 days old then.
    assert figures.slow_stock == 2


def test_an_empty_store_has_no_rate_at_all(store):
    figures = store_figures(store=store, first_day=DAY)

    assert figures.as_json() == {
        "walk_ins_first": 0, "walk_ins_return": 0, "deals": 0, "walk_in_conversion": None,
        "lead_to_visit_rate": None, "lead_to_deal_rate": None, "invitation_show_rate": None,
        "test_drive_rate": None, "activation_rate": None, "first_contact_sla": None,
        "slow_stock": 0, "complaint_sla": None,
    }
    assert figures.walk_in_conversion.percent == "—"


def test_another_stores_rows_never_count(world):
    other = StoreFactory(code="ELSE")
    figures = store_figures(store=other, first_day=DAY, now=at(world, DAY, 18))

    assert figures.walk_ins + figures.deals + figures.slow_stock == 0
    assert figures.activation_rate.denominator == 0


def test_the_figures_cost_a_fixed_number_of_queries(world, django_assert_num_queries):
    with django_assert_num_queries(FIGURES_QUERIES):
        store_figures(store=world, first_day=DAY, now=at(world, DAY, 18))
    with django_assert_num_queries(FIGURES_QUERIES):
        store_figures(store=world, first_day=DAY - dt.timedelta(days=30), last_day=DAY,
                      now=at(world, DAY, 18))


def test_activity_per_consultant_counts_what_they_did(world, consultant):
    activity = activity_by_consultant(store=world, first_day=DAY)

    mine = activity[consultant.pk]
    # Visits served on DAY: v1, v3, v4, v5. Drives on the road or done on DAY: c4's.
    # Invitations are counted when made (the factory makes them "now", not on DAY).
    assert (mine.walk_ins, mine.first_visits, mine.deals, mine.test_drives) == (4, 3, 2, 1)
    assert mine.invitations == 0
    # Leads created on DAY and owned by the consultant: L1, L2, L3, L4.
    assert mine.new_leads == 4


# --- report_figures (DESIGN §4) ------------------------------------------------------------
def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("report_figures", *args, stdout=out)
    return out.getvalue()


def test_report_figures_json_prints_the_same_answers(world):
    # The command reads "now" from the clock (activation is "right now"): the evening of DAY.
    with mock.patch.object(timezone, "now", return_value=at(world, DAY, 18)):
        printed = json.loads(_run("--store", "DEMO", "--date", "2026-03-10",
                                  "--format", "json"))

    expected = {key: (None if value is None else
                      float(value) if isinstance(value, str) else value)
                for key, value in EXPECTED.items()}
    assert printed == expected
    assert list(printed) == list(EXPECTED)  # the keys in §4's order


def test_report_figures_json_prints_null_for_a_zero_denominator(store):
    printed = json.loads(_run("--store", "demo", "--date", "2026-03-10", "--format", "json"))

    assert printed["walk_in_conversion"] is None
    assert printed["walk_ins_first"] == 0


def test_report_figures_table_names_every_figure(world):
    printed = _run("--store", "DEMO", "--date", "2026-03-10", "--to", "2026-03-10")

    lines = printed.splitlines()
    assert lines[0] == "DEMO · 2026-03-10"
    assert [line.split()[0] for line in lines[1:]] == list(EXPECTED)
    assert "33.3%  (1/3)" in printed  # the test-drive rate, with its counts


@pytest.mark.parametrize("args, message", [
    (("--store", "NOPE", "--date", "2026-03-10"), "Unknown store: NOPE"),
    (("--store", "DEMO", "--date", "2026-02-30"), "not a date"),
    (("--store", "DEMO", "--date", "10.03.2026"), "not a date"),
    (("--store", "DEMO", "--date", "1999-12-31"), "outside"),
    (("--store", "DEMO", "--date", "2026-03-10", "--to", "2026-03-09"), "is before"),
])
def test_report_figures_refuses_bad_input(store, args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)
