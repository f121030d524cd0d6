"""The chart reports' tables against hand-built fixtures, answers written out by hand; the
store totals against `reports.metrics.store_figures` (the one place §3 is computed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from aftersales.enums import ComplaintCategory, ComplaintDepartment
from dealership.enums import Role, StockStatus
from leads.enums import Channel, LeadStatus, LostReason
from reports.metrics import Rate, store_figures
from reports.selectors.charts import (
    complaint_sla_report,
    first_contact_report,
    funnel_report,
    lost_reasons_report,
    ranking_report,
    satisfaction_report,
    stock_aging_report,
)
from showroom.enums import TestDriveStatus
from tests.aftersales.factories_complaints import complaint_record, complaint_step
from tests.factories import CustomerFactory, SeriesFactory, StockVehicleFactory, TrimFactory
from tests.leads.factories import CampaignFactory, LeadFactory
from tests.reports.factories_charts import (
    answered_survey,
    contract_at,
    delivery_survey_answered,
    local,
    quote_at,
)
from tests.showroom.factories import VisitFactory
from tests.showroom.factories_invitations import InvitationFactory
from tests.showroom.factories_test_drives import DriveFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

MARCH_1, MARCH_31 = dt.date(2026, 3, 1), dt.date(2026, 3, 31)


def day(n: int, month: int = 3, year: int = 2026) -> dt.date:
    return dt.date(year, month, n)


def rows(table) -> list[tuple[str, ...]]:
    return [tuple(map(str, row)) for row in table.rows]


# --- 1. Funnel ------------------------------------------------------------------------
@pytest.fixture
def funnel_fixture(store, other_store, consultant, manager, outsider):
    """Five leads of March (three of campaign A, one of campaign B, one walk-in without a
    campaign), one of the last minute of February and one of the other store."""
    spring = CampaignFactory(store=store, name="A春季团购", channel=Channel.WEBSITE,
                             budget=Decimal("3000.00"))
    short = CampaignFactory(store=store, name="B车展", channel=Channel.VERTICAL_MEDIA,
                            budget=Decimal("0"))

    def lead(channel, created, campaign=None, status=LeadStatus.CONTACTED, s=store,
             owner=consultant):
        return LeadFactory(store=s, owner=owner, channel=channel, campaign=campaign,
                           created_at=created, status=status)

    # L1: visit naming it, a drive done, a quote naming it, won, signed and delivered.
    l1 = lead(Channel.WEBSITE, local(store, day(2)), spring, LeadStatus.WON)
    VisitFactory(store=store, consultant=consultant, customer=l1.customer, lead=l1,
                 arrived_at=local(store, day(3), 10))
    DriveFactory(store=store, consultant=consultant, customer=l1.customer, lead=l1,
                 status=TestDriveStatus.DONE, slot_start=local(store, day(3), 11))
    contract_at(consultant, l1.customer, manager, lead=l1, quoted_at=local(store, day(3), 12),
                signed_at=local(store, day(5)), delivered_at=local(store, day(20)))
    # L2: its customer came in after it was created (the visit does not name it).
    l2 = lead(Channel.WEBSITE, local(store, day(4)), spring)
    VisitFactory(store=store, consultant=consultant, customer=l2.customer,
                 arrived_at=local(store, day(6)))
    # L3: its customer's only visit came before the lead: no visit for the funnel.
    l3 = lead(Channel.WEBSITE, local(store, day(10)), spring, LeadStatus.NEW)
    VisitFactory(store=store, consultant=consultant, customer=l3.customer,
                 arrived_at=local(store, day(1)))
    # L4: quoted through its customer, no visit.
    l4 = lead(Channel.VERTICAL_MEDIA, local(store, day(12)), short, LeadStatus.NEGOTIATING)
    quote_at(l4, local(store, day(13)), named=False)
    # L5: walk-in, visit naming it, a drive only booked, won and signed (not delivered).
    l5 = lead(Channel.WALK_IN, local(store, day(15)), None, LeadStatus.WON)
    VisitFactory(store=store, consultant=consultant, customer=l5.customer, lead=l5,
                 arrived_at=local(store, day(15), 11))
    DriveFactory(store=store, consultant=consultant, customer=l5.customer, lead=l5,
                 status=TestDriveStatus.BOOKED, slot_start=local(store, day(15), 14))
    contract_at(consultant, l5.customer, manager, lead=l5, signed_at=local(store, day(16)))
    # Outside: 23:59 on 28 February, and the other store's March lead.
    late = lead(Channel.WALK_IN, local(store, day(28, 2), 23, 59), None, LeadStatus.WON)
    VisitFactory(store=store, consultant=consultant, customer=late.customer, lead=late,
                 arrived_at=local(store, day(2), 9))
    lead(Channel.WEBSITE, local(other_store, day(5)), s=other_store, owner=outsider)


def test_funnel_by_channel(store, funnel_fixture):
    report = funnel_report(store=store, first_day=MARCH_1, last_day=MARCH_31)

    channel = report.tables[0]
    assert channel.header == ("Channel", "Leads", "Visited", "Test-driven", "Quoted", "Deals",
                              "Delivered", "Lead to visit", "Lead to deal")
    assert rows(channel) == [
        ("Walk-in", "1", "1", "0", "1", "1", "0", "100.0%", "100.0%"),
        ("Website", "3", "2", "1", "1", "1", "1", "66.7%", "33.3%"),
        ("Vertical media", "1", "0", "0", "1", "0", "0", "0.0%", "0.0%"),
    ]
    assert channel.total == ("Store", "5", "3", "1", "3", "2", "1", "60.0%", "40.0%")


def test_funnel_by_campaign_with_costs(store, funnel_fixture):
    report = funnel_report(store=store, first_day=MARCH_1, last_day=MARCH_31)

    campaign = report.tables[1]
    assert campaign.header[-3:] == ("Budget", "Cost per lead", "Cost per deal")
    assert rows(campaign) == [
        ("A春季团购", "3", "2", "1", "1", "1", "1", "66.7%", "33.3%",
         "¥3,000.00", "¥1,000.00", "¥3,000.00"),
        ("B车展", "1", "0", "0", "1", "0", "0", "0.0%", "0.0%", "—", "—", "—"),
        ("No campaign", "1", "1", "0", "1", "1", "0", "100.0%", "100.0%", "—", "—", "—"),
    ]
    assert campaign.total == ("Store", "5", "3", "1", "3", "2", "1", "60.0%", "40.0%",
                              "—", "—", "—")


def test_funnel_store_total_equals_store_figures(store, funnel_fixture):
    report = funnel_report(store=store, first_day=MARCH_1, last_day=MARCH_31)
    figures = store_figures(store=store, first_day=MARCH_1, last_day=MARCH_31)

    total = report.totals["funnel"]
    assert figures.lead_to_visit_rate == Rate(3, 5)
    assert figures.lead_to_deal_rate == Rate(2, 5)
    assert (total.visited, total.leads) == (figures.lead_to_visit_rate.numerator,
                                            figures.lead_to_visit_rate.denominator)
    assert (total.won, total.leads) == (figures.lead_to_deal_rate.numerator,
                                        figures.lead_to_deal_rate.denominator)


def test_funnel_cost_per_deal_is_a_dash_without_a_deal(store, consultant):
    campaign = CampaignFactory(store=store, name="抖音直播", channel=Channel.SHORT_VIDEO,
                               budget=Decimal("1000.00"))
    for hour in (9, 10, 11):
        LeadFactory(store=store, owner=consultant, channel=Channel.SHORT_VIDEO,
                    campaign=campaign, created_at=local(store, day(9), hour))

    report = funnel_report(store=store, first_day=MARCH_1, last_day=MARCH_31)

    assert rows(report.tables[1]) == [
        ("抖音直播", "3", "0", "0", "0", "0", "0", "0.0%", "0.0%",
         "¥1,000.00", "¥333.33", "—"),
    ]


def test_funnel_of_an_empty_period_shows_dashes(store):
    report = funnel_report(store=store, first_day=MARCH_1, last_day=MARCH_31)

    assert report.is_empty
    assert report.tables[0].rows == []
    assert report.tables[0].total == ("Store", "0", "0", "0", "0", "0", "0", "—", "—")


# --- 2. Ranking -----------------------------------------------------------------------
def test_ranking_orders_by_deals_with_conversion(store, other_store, consultant, teammate,
                                                 manager, outsider, make_user):
    make_user(Role.CONSULTANT, username="idle", name="孙闲")
    first = [CustomerFactory(store=store, owner=consultant) for _ in range(2)]
    for customer in first:  # 王芳 serves two first visits and one return
        VisitFactory(store=store, consultant=consultant, customer=customer,
                     arrived_at=local(store, day(3)))
    VisitFactory(store=store, consultant=consultant, customer=first[0], first_visit=False,
                 arrived_at=local(store, day(9)))
    VisitFactory(store=store, consultant=teammate, customer=CustomerFactory(store=store),
                 arrived_at=local(store, day(4)))  # 李强 serves one
    contract_at(consultant, first[0], manager, signed_at=local(store, day(5)))
    DriveFactory(store=store, consultant=consultant, customer=first[0],
                 status=TestDriveStatus.DONE, slot_start=local(store, day(3), 11))
    for hour in (9, 10):
        LeadFactory(store=store, owner=consultant, created_at=local(store, day(7), hour))
    invited = LeadFactory(store=store, owner=teammate, created_at=local(store, day(28, 2)))
    InvitationFactory(lead=invited, created_at=local(store, day(8)),
                      expected_at=local(store, day(10)))
    VisitFactory(store=other_store, consultant=outsider, arrived_at=local(store, day(3)))

    report = ranking_report(store=store, first_day=MARCH_1, last_day=MARCH_31)

    table = report.tables[0]
    assert table.header == ("Consultant", "Deals", "Walk-ins", "First visits", "Test drives",
                            "Invitations", "New leads", "Walk-in conversion")
    assert rows(table) == [
        ("王芳", "1", "3", "2", "1", "0", "2", "50.0%"),
        ("李强", "0", "1", "1", "0", "1", "0", "0.0%"),
        ("孙闲", "0", "0", "0", "0", "0", "0", "—"),
    ]
    # The store's conversion is §3's: 1 deal ÷ 3 distinct customers with a first visit.
    assert table.total == ("Store", "1", "4", "3", "1", "1", "2", "33.3%")
    figures = store_figures(store=store, first_day=MARCH_1, last_day=MARCH_31)
    assert figures.walk_in_conversion == Rate(1, 3)


# --- 3. Lost reasons ------------------------------------------------------------------
def test_lost_reasons_by_reason_and_channel(store, other_store, consultant, outsider):
    def lost(channel, reason, closed, s=store, owner=consultant):
        LeadFactory(store=s, owner=owner, channel=channel, status=LeadStatus.LOST,
                    lost_reason=reason, created_at=local(s, day(1, 2)), closed_at=closed)

    lost(Channel.WEBSITE, LostReason.PRICE, local(store, day(5)))
    lost(Channel.WEBSITE, LostReason.PRICE, local(store, day(6)))
    lost(Channel.WALK_IN, LostReason.BOUGHT_COMPETITOR, local(store, day(31), 23, 30))
    lost(Channel.WALK_IN, LostReason.PRICE, local(store, day(1, 4), 0, 10))  # April
    lost(Channel.WEBSITE, LostReason.PRICE, local(other_store, day(5)), other_store, outsider)
    LeadFactory(store=store, owner=consultant, status=LeadStatus.WON,
                closed_at=local(store, day(5)))

    report = lost_reasons_report(store=store, first_day=MARCH_1, last_day=MARCH_31)

    table = report.tables[0]
    assert table.header == ("Reason", "Walk-in", "Website", "Total", "Share")
    assert rows(table) == [
        ("Bought a competitor's car", "1", "0", "1", "33.3%"),
        ("Bought the same brand elsewhere", "0", "0", "0", "0.0%"),
        ("Price too high", "0", "2", "2", "66.7%"),
        ("No budget / loan refused", "0", "0", "0", "0.0%"),
        ("Purchase postponed indefinitely", "0", "0", "0", "0.0%"),
        ("Cannot be reached", "0", "0", "0", "0.0%"),
        ("Never intended to buy", "0", "0", "0", "0.0%"),
        ("Other", "0", "0", "0", "0.0%"),
    ]
    assert table.total == ("Store", "1", "2", "3", "100.0%")


# --- 4. First-contact SLA -------------------------------------------------------------
def test_first_contact_by_channel_and_consultant(store, other_store, consultant, teammate,
                                                 outsider):
    def online(channel, created, touched, owner=consultant, s=store):
        LeadFactory(store=s, owner=owner, channel=channel, created_at=created,
                    first_touch_at=touched)

    created = local(store, day(2), 10)
    online(Channel.WEBSITE, created, created + dt.timedelta(minutes=59))
    online(Channel.WEBSITE, created, created + dt.timedelta(minutes=61))
    online(Channel.SHORT_VIDEO, created, created + dt.timedelta(minutes=60), teammate)
    online(Channel.VERTICAL_MEDIA, created, None, None)
    online(Channel.WALK_IN, created, None)  # not online
    online(Channel.WEBSITE, local(store, day(28, 2), 23, 59), None)  # February
    online(Channel.WEBSITE, created, None, outsider, other_store)

    report = first_contact_report(store=store, first_day=MARCH_1, last_day=MARCH_31)

    by_channel, by_consultant = report.tables
    assert by_channel.header == ("Channel", "Touched within 60 min", "Online leads", "SLA met")
    assert rows(by_channel) == [
        ("Website", "1", "2", "50.0%"),
        ("Vertical media", "0", "1", "0.0%"),
        ("Short video / live stream", "1", "1", "100.0%"),
    ]
    assert rows(by_consultant) == [
        ("李强", "1", "1", "100.0%"),
        ("王芳", "1", "2", "50.0%"),
        ("Unassigned", "0", "1", "0.0%"),
    ]
    assert by_channel.total == by_consultant.total == ("Store", "2", "4", "50.0%")
    figures = store_figures(store=store, first_day=MARCH_1, last_day=MARCH_31)
    assert figures.first_contact_sla == Rate(2, 4) == report.totals["first_contact_sla"]


# --- 5. Complaint SLA -----------------------------------------------------------------
def test_complaint_sla_by_category_and_department(store, other_store, make_user, customer):
    carer = make_user(Role.CUSTOMER_CARE, name="钱客服")
    t0 = local(store, day(2), 9)
    hour = dt.timedelta(hours=1)
    met = complaint_record(carer, customer, received_at=t0)
    for step, after in (("respond", 1), ("propose", 5), ("resolve", 20)):
        met = complaint_step(carer, met, step, now=t0 + after * hour)
    late = complaint_record(carer, customer, received_at=t0,
                            category=ComplaintCategory.PRODUCT_QUALITY,
                            department=ComplaintDepartment.SALES)
    complaint_step(carer, late, "respond", now=t0 + 3 * hour)
    complaint_record(carer, customer, received_at=t0 + 29 * hour)  # still in time at +30 h
    complaint_record(carer, customer, received_at=local(store, day(28, 2), 23, 59))
    other_carer = make_user(Role.CUSTOMER_CARE, username="other-carer", store=other_store)
    complaint_record(other_carer, CustomerFactory(store=other_store), received_at=t0)
    now = t0 + 30 * hour

    report = complaint_sla_report(store=store, first_day=MARCH_1, last_day=MARCH_31, now=now)

    by_category, by_department = report.tables
    assert by_category.header == ("Category", "Met all three", "Missed one", "Still in time",
                                  "Complaints", "SLA met")
    assert rows(by_category) == [
        ("Product quality", "0", "1", "0", "1", "0.0%"),
        ("After-sales service", "1", "0", "1", "2", "50.0%"),
    ]
    assert rows(by_department) == [
        ("Sales", "0", "1", "0", "1", "0.0%"),
        ("Service", "1", "0", "1", "2", "50.0%"),
    ]
    assert by_category.total == ("Store", "1", "1", "1", "3", "33.3%")
    figures = store_figures(store=store, first_day=MARCH_1, last_day=MARCH_31, now=now)
    assert figures.complaint_sla == Rate(1, 3) == report.totals["complaint_sla"]


# --- 6. Satisfaction ------------------------------------------------------------------
def test_satisfaction_by_survey_and_person(store, other_store, consultant, manager,
                                           make_user):
    advisor = make_user(Role.SERVICE_ADVISOR, name="陈顾问")
    delivery_survey_answered(consultant, manager, answered_at=local(store, day(4)),
                             scores={"overall": 9, "staff": 10, "explanation": 8})
    delivery_survey_answered(consultant, manager, answered_at=local(store, day(5)),
                             scores={"overall": 6, "staff": 7, "explanation": 8})
    answered_survey(advisor, answered_at=local(store, day(6)),
                    scores={"overall": 10, "timeliness": 9})
    answered_survey(advisor, answered_at=local(store, day(28, 2), 23, 59),
                    scores={"overall": 1, "timeliness": 1})  # February
    other = make_user(Role.SERVICE_ADVISOR, username="other-advisor", store=other_store)
    answered_survey(other, answered_at=local(other_store, day(6)),
                    scores={"overall": 2, "timeliness": 2})

    report = satisfaction_report(store=store, first_day=MARCH_1, last_day=MARCH_31)

    by_kind, by_person = report.tables
    assert by_kind.header == ("Survey", "Answered", "Average score", "Low scores", "Low share")
    # Delivery: (9+10+8+6+7+8) ÷ 6 = 8.0; one of two has a 6. Service: (10+9) ÷ 2 = 9.5.
    assert rows(by_kind) == [
        ("After delivery", "2", "8.0", "1", "50.0%"),
        ("After service", "1", "9.5", "0", "0.0%"),
    ]
    assert rows(by_person) == [
        ("王芳", "2", "8.0", "1", "50.0%"),
        ("陈顾问", "1", "9.5", "0", "0.0%"),
    ]
    # Store: 67 ÷ 8 = 8.375 → 8.4.
    assert by_kind.total == by_person.total == ("Store", "3", "8.4", "1", "33.3%")


# --- 7. Stock aging -------------------------------------------------------------------
def test_stock_aging_buckets_and_slow_stock(store, other_store):
    camry = TrimFactory(series=SeriesFactory(name="Camry"))
    corolla = TrimFactory(series=SeriesFactory(name="Corolla"))
    for trim, ages in ((camry, (0, 30, 61, 91)), (corolla, (31, 60, 90))):
        for age in ages:
            StockVehicleFactory(store=store, trim=trim,
                                arrival_date=MARCH_31 - dt.timedelta(days=age))
    StockVehicleFactory(store=store, trim=camry, status=StockStatus.DEMO,
                        arrival_date=MARCH_31 - dt.timedelta(days=200))
    StockVehicleFactory(store=other_store, trim=camry,
                        arrival_date=MARCH_31 - dt.timedelta(days=200))

    report = stock_aging_report(store=store, first_day=MARCH_1, last_day=MARCH_31)

    table = report.tables[0]
    assert table.header == ("Model", "0–30 days", "31–60 days", "61–90 days", "Over 90 days",
                            "In stock", "Slow (over 60 days)")
    assert rows(table) == [
        ("Camry", "2", "0", "1", "1", "4", "2"),
        ("Corolla", "0", "2", "1", "0", "3", "1"),
    ]
    assert table.total == ("Store", "2", "2", "2", "1", "7", "3")
    figures = store_figures(store=store, first_day=MARCH_1, last_day=MARCH_31)
    assert figures.slow_stock == 3 == report.totals["slow_stock"]
