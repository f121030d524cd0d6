"""The morning and evening meeting boards against a store whose answers are worked out by
hand. The meeting is on Tuesday 10 March 2026 (store time, Asia/Shanghai); the morning is
about Monday 9 March. Every row says why it counts or not; the expected numbers are counted
from these comments, not from the code under test."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from aftersales.enums import CareChannel, CareStepKind, CareStepStatus
from aftersales.models import CarePlan, CareStep
from contracts.enums import ContractStatus
from contracts.models import Contract
from dealership.enums import Role, StockStatus
from leads.enums import Channel, Grade, LeadStatus
from reports.enums import MeetingKind, NoteTopic, TargetMetric
from reports.metrics import Rate
from reports.models import ClosedDay, Target
from reports.selectors.meetings import (
    EVENING_BOARD_QUERIES,
    MORNING_BOARD_QUERIES,
    Turnover,
    evening_board,
    morning_board,
)
from showroom.enums import InvitationStatus, TestDriveStatus
from tests.factories import CustomerFactory, StockVehicleFactory, UserFactory
from tests.leads.factories import LeadFactory
from tests.reports.factories_meetings import MeetingNoteFactory, at, handover_at, signed_at
from tests.showroom.factories import DemoVehicleFactory, VisitFactory
from tests.showroom.factories_invitations import InvitationFactory
from tests.showroom.factories_test_drives import DriveFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)
YESTERDAY = DAY - dt.timedelta(days=1)
TOMORROW = DAY + dt.timedelta(days=1)
# The session, the user and the page's frame (navigation, the store), whatever the rows.
PAGE_QUERIES = 3


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


# --- The morning ----------------------------------------------------------------------------
@pytest.fixture
def morning(store, consultant, teammate, manager, other_store):
    c = [CustomerFactory(store=store, owner=consultant) for _ in range(6)]
    t = [CustomerFactory(store=store, owner=teammate) for _ in range(3)]

    # First visits: yesterday (c0); 20 days ago (c1, c2): within the 30 days ending
    # yesterday; yesterday-30 (c3): one day before the 30 days. A return visit yesterday.
    for who, customer, moment in ((consultant, c[0], at(store, YESTERDAY, 10)),
                                  (consultant, c[1], at(store, DAY - days(20), 10)),
                                  (teammate, c[2], at(store, DAY - days(20), 11)),
                                  (consultant, c[3], at(store, YESTERDAY - days(30), 10))):
        VisitFactory(store=store, consultant=who, customer=customer, arrived_at=moment)
    VisitFactory(store=store, consultant=consultant, customer=c[4], first_visit=False,
                 arrived_at=at(store, YESTERDAY, 15))

    # Deals: the consultant's yesterday at 16:00 (c0); the teammate's 10 days ago (t0):
    # within the 30 days, but not within the last three days.
    signed_at(consultant, c[0], at(store, YESTERDAY, 16), manager=manager)
    signed_at(teammate, t[0], at(store, DAY - days(10), 11), manager=manager)

    # New leads yesterday: two from the website, one by phone. Not yesterday's: one today
    # at 00:00, one the day before at 23:59.
    for channel in (Channel.WEBSITE, Channel.WEBSITE, Channel.PHONE):
        LeadFactory(store=store, owner=teammate, channel=channel,
                    created_at=at(store, YESTERDAY, 9))
    LeadFactory(store=store, owner=teammate, channel=Channel.WEBSITE, created_at=at(store, DAY, 0))
    LeadFactory(store=store, owner=teammate, channel=Channel.PHONE,
                created_at=at(store, YESTERDAY - days(1), 23, 59))

    # Test drives yesterday: one done (counts), one cancelled (no).
    demo = DemoVehicleFactory(store=store)
    DriveFactory(store=store, vehicle=demo, consultant=consultant, customer=c[0],
                 slot_start=at(store, YESTERDAY, 11), started_at=at(store, YESTERDAY, 11),
                 status=TestDriveStatus.DONE)
    DriveFactory(store=store, vehicle=demo, consultant=consultant, customer=c[1],
                 slot_start=at(store, YESTERDAY, 14), status=TestDriveStatus.CANCELLED)

    # Follow-ups of the consultant: due today 18:00 (yes), overdue since 3 days (yes), due
    # tomorrow 00:00 (no), dormant and overdue (no: not actively worked).
    a_lead = LeadFactory(store=store, owner=consultant, customer=c[5], grade=Grade.A,
                         model_interest="凯美瑞 双擎", status=LeadStatus.CONTACTED,
                         created_at=at(store, DAY - days(5), 9),
                         follow_up_due_at=at(store, DAY, 18))
    LeadFactory(store=store, owner=consultant, customer=c[1], status=LeadStatus.CONTACTED,
                created_at=at(store, DAY - days(9), 9),
                follow_up_due_at=at(store, DAY - days(3), 10))
    LeadFactory(store=store, owner=consultant, customer=c[2], status=LeadStatus.CONTACTED,
                created_at=at(store, DAY - days(9), 9), follow_up_due_at=at(store, TOMORROW, 0))
    LeadFactory(store=store, owner=consultant, customer=c[3], status=LeadStatus.DORMANT,
                created_at=at(store, DAY - days(50), 9),
                follow_up_due_at=at(store, DAY - days(20), 9))
    # (The five leads of the teammate above are due a week after yesterday: not today.)

    # Invitations today: the consultant's A-grade lead at 10:00 (plan + key customer); the
    # teammate's B-grade lead at 11:00 (plan only); a cancelled one (no); tomorrow's (no).
    b_lead = LeadFactory(store=store, owner=teammate, customer=t[1], grade=Grade.B,
                         created_at=at(store, DAY - days(8), 9),
                         follow_up_due_at=at(store, TOMORROW, 9))
    InvitationFactory(lead=a_lead, expected_at=at(store, DAY, 10))
    InvitationFactory(lead=b_lead, expected_at=at(store, DAY, 11))
    InvitationFactory(lead=b_lead, expected_at=at(store, DAY, 12),
                      status=InvitationStatus.CANCELLED)
    later = LeadFactory(store=store, owner=consultant, customer=c[4], grade=Grade.A,
                        created_at=at(store, DAY - days(2), 9),
                        follow_up_due_at=at(store, TOMORROW, 12))
    InvitationFactory(lead=later, expected_at=at(store, TOMORROW, 10))

    # Test drives today: the consultant's, of the A-grade lead, at 14:00 (plan + key); the
    # teammate's without a lead at 15:00 (plan only); a cancelled one at 16:00 (no).
    DriveFactory(store=store, vehicle=demo, consultant=consultant, customer=c[5], lead=a_lead,
                 slot_start=at(store, DAY, 14))
    DriveFactory(store=store, vehicle=demo, consultant=teammate, customer=t[1],
                 slot_start=at(store, DAY, 15))
    DriveFactory(store=store, vehicle=demo, consultant=teammate, customer=t[1],
                 slot_start=at(store, DAY, 16), status=TestDriveStatus.CANCELLED)

    # Deliveries: the teammate's contract (signed 45 days ago) handed over today at 16:30
    # (plan + key); another tomorrow (no).
    delivery_today = signed_at(teammate, t[2], at(store, DAY - days(45), 10), manager=manager)
    handover_at(delivery_today, at(store, DAY, 16, 30))
    delivery_tomorrow = signed_at(teammate, t[1], at(store, DAY - days(45), 11), manager=manager)
    handover_at(delivery_tomorrow, at(store, TOMORROW, 9))

    # Care: the thank-you call due today (yes); a message due today (no: not a call); the
    # first-maintenance call due in five days (no).
    plan = CarePlan.objects.create(store=store, contract=delivery_tomorrow, customer=t[1],
                                   consultant=consultant, delivered_at=at(store, DAY - days(3), 10),
                                   delivered_on=DAY - days(3))
    for kind, channel, due in ((CareStepKind.THANK_YOU_CALL, CareChannel.CALL, DAY),
                               (CareStepKind.USAGE_TIPS, CareChannel.MESSAGE, DAY),
                               (CareStepKind.FIRST_MAINTENANCE, CareChannel.CALL, DAY + days(5))):
        CareStep.objects.create(store=store, plan=plan, customer=t[1], kind=kind, channel=channel,
                                due_on=due, assignee=consultant, status=CareStepStatus.DUE)

    # Notes: the morning's of today (yes); removed (no); the evening's (no); yesterday's (no);
    # another store's (no).
    MeetingNoteFactory(author=manager, day=DAY, body="厂家补贴三千")
    MeetingNoteFactory(author=manager, day=DAY, body="已删除", removed_at=at(store, DAY, 8))
    MeetingNoteFactory(author=manager, day=DAY, meeting=MeetingKind.EVENING, body="晚会")
    MeetingNoteFactory(author=manager, day=YESTERDAY, body="昨天的")
    outsider_manager = UserFactory(role=Role.MANAGER, store=other_store)
    MeetingNoteFactory(author=outsider_manager, day=DAY, body="别的店")

    # The consultant's month target: 10 deals.
    Target.objects.create(store=store, month=dt.date(2026, 3, 1), consultant=consultant,
                          metric=TargetMetric.DEALS, value=Decimal("10"))
    return {"a_lead": a_lead, "delivery_today": delivery_today}


def _rows(board):
    return {row.key: row for row in board.figure_rows}


def test_morning_figures_beside_the_30_day_average(store, morning):
    board = morning_board(store=store, day=DAY, now=at(store, DAY, 8))

    assert board.yesterday == YESTERDAY
    assert (board.average.first_day, board.average.last_day) == (DAY - days(30), YESTERDAY)
    rows = _rows(board)
    # First visits: 1 yesterday; 3 in the 30 days (c0, c1, c2) → 0.1 a day.
    assert rows["walk_ins_first"].value == 1
    assert rows["walk_ins_first"].average == Decimal("0.1")
    # Return visits: 1 yesterday and in the 30 days → 1/30 = 0.0 a day.
    assert rows["walk_ins_return"].value == 1
    assert rows["walk_ins_return"].average == Decimal("0.0")
    # Deals: 1 yesterday; 2 in the 30 days → 0.1.
    assert rows["deals"].value == 1
    assert rows["deals"].average == Decimal("0.1")
    # Walk-in conversion: 1 deal / 1 first-visit customer; over 30 days 2 / 3.
    assert rows["walk_in_conversion"].value == Rate(1, 1)
    assert rows["walk_in_conversion"].average == Rate(2, 3)
    assert rows["walk_in_conversion"].average_display == "66.7%"
    assert rows["slow_stock"].average is None
    assert board.deals == 1
    assert board.test_drives == 1


def test_morning_new_leads_by_channel(store, morning, in_english):
    board = morning_board(store=store, day=DAY, now=at(store, DAY, 8))

    assert [(row.channel, row.count) for row in board.leads_by_channel] == [
        (Channel.WEBSITE, 2), (Channel.PHONE, 1)]
    assert board.new_leads == 3


def test_morning_month_to_date_is_through_yesterday(store, consultant, morning):
    board = morning_board(store=store, day=DAY, now=at(store, DAY, 8))

    assert board.targets.day == YESTERDAY
    mine = next(row for row in board.targets.consultants if row.consultant == consultant)
    deals = next(line for line in mine.lines if line.metric == TargetMetric.DEALS)
    # March through the 9th: the deal signed yesterday; target 10.
    assert (deals.actual, deals.target) == (1, Decimal("10"))


def test_morning_plan_per_consultant(store, consultant, teammate, morning):
    board = morning_board(store=store, day=DAY, now=at(store, DAY, 8))

    plans = {plan.consultant: plan for plan in board.plans}
    assert set(plans) == {consultant, teammate}
    mine, theirs = plans[consultant], plans[teammate]
    # Follow-ups: the overdue one first, then today's.
    assert [lead.follow_up_due_at for lead in mine.follow_ups] == [
        at(store, DAY - days(3), 10), at(store, DAY, 18)]
    assert (mine.follow_up_count, theirs.follow_up_count, theirs.follow_ups) == (2, 0, [])
    assert [i.expected_at for i in mine.invitations] == [at(store, DAY, 10)]
    assert [i.expected_at for i in theirs.invitations] == [at(store, DAY, 11)]
    assert [d.slot_start for d in mine.test_drives] == [at(store, DAY, 14)]
    assert [d.slot_start for d in theirs.test_drives] == [at(store, DAY, 15)]
    assert mine.deliveries == []
    assert [h.scheduled_at for h in theirs.deliveries] == [at(store, DAY, 16, 30)]
    assert [s.kind for s in mine.care_calls] == [CareStepKind.THANK_YOU_CALL]
    assert mine.total == 2 + 1 + 1 + 0 + 1
    assert board.plan_totals() == {"follow_ups": 2, "invitations": 2, "test_drives": 2,
                                   "deliveries": 1, "care_calls": 1}


def test_morning_plan_lists_the_most_overdue_follow_ups_and_counts_them_all(
        store, consultant, teammate):
    # Seven of the consultant's leads overdue by 7 … 1 days, one of the teammate's.
    for late in range(7, 0, -1):
        LeadFactory(store=store, owner=consultant, status=LeadStatus.CONTACTED,
                    created_at=at(store, DAY - days(30), 9),
                    follow_up_due_at=at(store, DAY - days(late), 9))
    LeadFactory(store=store, owner=teammate, status=LeadStatus.CONTACTED,
                created_at=at(store, DAY - days(30), 9),
                follow_up_due_at=at(store, DAY - days(2), 9))

    plans = {plan.consultant: plan
             for plan in morning_board(store=store, day=DAY, now=at(store, DAY, 8)).plans}

    mine, theirs = plans[consultant], plans[teammate]
    assert (mine.follow_up_count, mine.follow_ups_not_listed) == (7, 2)
    # The five most overdue, most overdue first: 7, 6, 5, 4 and 3 days late.
    assert [lead.follow_up_due_at for lead in mine.follow_ups] == [
        at(store, DAY - days(late), 9) for late in (7, 6, 5, 4, 3)]
    assert (theirs.follow_up_count, len(theirs.follow_ups)) == (1, 1)


def test_morning_key_customers(store, consultant, teammate, morning):
    board = morning_board(store=store, day=DAY, now=at(store, DAY, 8))

    a_customer = morning["a_lead"].customer
    delivered_to = morning["delivery_today"].customer
    assert [(row.kind, row.at, row.customer, row.consultant) for row in board.key_customers] == [
        ("invitation", at(store, DAY, 10), a_customer, consultant),
        ("test_drive", at(store, DAY, 14), a_customer, consultant),
        ("delivery", at(store, DAY, 16, 30), delivered_to, teammate),
    ]
    assert board.key_customers[0].model == "凯美瑞 双擎"


def test_morning_notes_are_the_days_briefing(store, morning):
    board = morning_board(store=store, day=DAY, now=at(store, DAY, 8))

    assert [note.body for note in board.notes] == ["厂家补贴三千"]


def test_morning_flags_the_teammate_without_a_deal(store, consultant, teammate, morning):
    board = morning_board(store=store, day=DAY, now=at(store, DAY, 8))

    assert board.no_deal_since == DAY - days(3)
    assert board.no_deal_consultants == [teammate]


def test_no_deal_flag_at_its_boundaries(store, consultant, teammate, manager, make_user):
    third = make_user(Role.CONSULTANT, username="third", name="孙三")
    # The consultant signed at 00:00 three days before the meeting: within the three days.
    signed_at(consultant, CustomerFactory(store=store, owner=consultant),
              at(store, DAY - days(3), 0), manager=manager)
    # The teammate signed at 23:59 four days before: one minute too early.
    signed_at(teammate, CustomerFactory(store=store, owner=teammate),
              at(store, DAY - days(4), 23, 59), manager=manager)
    # The third signed on the meeting's own day: not one of the three days before it.
    signed_at(third, CustomerFactory(store=store, owner=third), at(store, DAY, 9),
              manager=manager)

    board = morning_board(store=store, day=DAY, now=at(store, DAY, 12))

    assert {user.username for user in board.no_deal_consultants} == {"mate", "third"}


# --- The evening ----------------------------------------------------------------------------
@pytest.fixture
def evening(store, consultant, teammate, manager):
    c = [CustomerFactory(store=store, owner=consultant) for _ in range(6)]
    # March 2026 with 1 March closed: 30 working days.
    ClosedDay.objects.create(store=store, day=dt.date(2026, 3, 1), note="店庆调休")
    march = dt.date(2026, 3, 1)
    Target.objects.create(store=store, month=march, consultant=None, metric=TargetMetric.DEALS,
                          value=Decimal("30"))
    Target.objects.create(store=store, month=march, consultant=consultant,
                          metric=TargetMetric.DEALS, value=Decimal("45"))
    Target.objects.create(store=store, month=march, consultant=consultant,
                          metric=TargetMetric.WALK_INS, value=Decimal("60"))
    # Today: the consultant serves two walk-ins and signs one deal.
    VisitFactory(store=store, consultant=consultant, customer=c[0], arrived_at=at(store, DAY, 10))
    VisitFactory(store=store, consultant=consultant, customer=c[1], arrived_at=at(store, DAY, 11))
    signed_at(consultant, c[0], at(store, DAY, 15), manager=manager)

    # Notes of the evening: a problem and a plan (yes); a removed problem (no); the
    # morning's (no).
    MeetingNoteFactory(author=manager, day=DAY, meeting=MeetingKind.EVENING,
                       topic=NoteTopic.PROBLEM, body="试驾车不够")
    MeetingNoteFactory(author=manager, day=DAY, meeting=MeetingKind.EVENING,
                       topic=NoteTopic.PLAN, body="明天上午邀约A级客户")
    MeetingNoteFactory(author=manager, day=DAY, meeting=MeetingKind.EVENING,
                       topic=NoteTopic.PROBLEM, body="删掉", removed_at=at(store, DAY, 19))
    MeetingNoteFactory(author=manager, day=DAY, body="早会")

    # Tomorrow's invitations: 10:00 (yes), cancelled (no); today's (no).
    lead = LeadFactory(store=store, owner=consultant, customer=c[2], grade=Grade.A,
                       created_at=at(store, DAY - days(2), 9))
    InvitationFactory(lead=lead, expected_at=at(store, TOMORROW, 10))
    InvitationFactory(lead=lead, expected_at=at(store, TOMORROW, 11),
                      status=InvitationStatus.CANCELLED)
    InvitationFactory(lead=lead, expected_at=at(store, DAY, 17), status=InvitationStatus.ARRIVED)
    # Tomorrow's test drives: 10:00 booked (yes), 14:00 cancelled (no), the day after (no).
    demo = DemoVehicleFactory(store=store, arrival_date=DAY + days(30))
    DriveFactory(store=store, vehicle=demo, consultant=consultant, customer=c[2],
                 slot_start=at(store, TOMORROW, 10))
    DriveFactory(store=store, vehicle=demo, consultant=consultant, customer=c[2],
                 slot_start=at(store, TOMORROW, 14), status=TestDriveStatus.CANCELLED)
    DriveFactory(store=store, vehicle=demo, consultant=consultant, customer=c[2],
                 slot_start=at(store, TOMORROW + days(1), 10))
    # Tomorrow's deliveries: 09:30 (yes); a cancelled contract's (no); the day after (no).
    for customer, moment, cancelled in ((c[3], at(store, TOMORROW, 9, 30), False),
                                        (c[4], at(store, TOMORROW, 11), True),
                                        (c[5], at(store, TOMORROW + days(1), 9), False)):
        contract = signed_at(consultant, customer, at(store, DAY - days(50), 10), manager=manager)
        if cancelled:
            Contract.objects.filter(pk=contract.pk).update(status=ContractStatus.CANCELLED,
                                                           cancelled_at=at(store, DAY, 9),
                                                           cancel_reason="客户改变主意")
        handover_at(contract, moment)
    # Delivered in the 30 days ending today (DAY-29 … DAY): at 00:00 on DAY-29 and on DAY-3
    # (yes); at 23:59 on DAY-30 (no). Signed long ago, so none is a deal of the window.
    for moment in (at(store, DAY - days(29), 0), at(store, DAY - days(3), 12),
                   at(store, DAY - days(30), 23, 59)):
        contract = signed_at(consultant, CustomerFactory(store=store, owner=consultant),
                             at(store, DAY - days(80), 10), manager=manager)
        Contract.objects.filter(pk=contract.pk).update(status=ContractStatus.DELIVERED,
                                                       delivered_at=moment)

    # Stock: in stock since DAY-61 (slow), DAY-60 (not yet slow), DAY-5 (arrived within the
    # window); reserved since DAY-100 (on hand, not "in stock"); sold (not on hand); and the
    # demo car (on hand; it arrives after the window).
    for status, arrived in ((StockStatus.IN_STOCK, DAY - days(61)),
                            (StockStatus.IN_STOCK, DAY - days(60)),
                            (StockStatus.IN_STOCK, DAY - days(5)),
                            (StockStatus.RESERVED, DAY - days(100)),
                            (StockStatus.SOLD, DAY - days(40))):
        StockVehicleFactory(store=store, status=status, arrival_date=arrived)


def test_evening_day_against_the_days_share_of_target(store, consultant, teammate, evening):
    board = evening_board(store=store, day=DAY, now=at(store, DAY, 19))

    assert board.figures.deals == 1
    team = {line.metric: line for line in board.team_day}
    # The store: 1 deal against 30 ÷ 30 = 1.0: on target.
    assert (team["deals"].actual, team["deals"].target, team["deals"].is_behind) == (
        1, Decimal("1.0"), False)
    assert team["walk_ins"].target is None
    rows = {row.consultant: row for row in board.consultants_day}
    mine = {line.metric: line for line in rows[consultant].lines}
    # The consultant: 1 deal against 45 ÷ 30 = 1.5 (behind); 2 walk-ins against 60 ÷ 30 = 2.0.
    assert (mine["deals"].actual, mine["deals"].target, mine["deals"].is_behind) == (
        1, Decimal("1.5"), True)
    assert (mine["walk_ins"].actual, mine["walk_ins"].target, mine["walk_ins"].is_behind) == (
        2, Decimal("2.0"), False)
    assert rows[teammate].behind == []
    assert board.deviations == 1
    assert board.month.day == DAY
    assert board.month.pace.total == 30


def test_evening_notes_and_problems(store, evening):
    board = evening_board(store=store, day=DAY, now=at(store, DAY, 19))

    assert [note.body for note in board.notes] == ["试驾车不够", "明天上午邀约A级客户"]
    assert [note.body for note in board.problems] == ["试驾车不够"]


def test_evening_tomorrows_plan(store, evening):
    board = evening_board(store=store, day=DAY, now=at(store, DAY, 19))

    assert board.tomorrow == TOMORROW
    assert [i.expected_at for i in board.invitations_tomorrow] == [at(store, TOMORROW, 10)]
    assert [(d.slot_start, d.vehicle.status) for d in board.test_drives_tomorrow] == [
        (at(store, TOMORROW, 10), StockStatus.DEMO)]
    assert [h.scheduled_at for h in board.deliveries_tomorrow] == [at(store, TOMORROW, 9, 30)]


def test_evening_stock_and_turnover(store, evening):
    board = evening_board(store=store, day=DAY, now=at(store, DAY, 19))

    assert board.slow_stock == 1
    assert [v.arrival_date for v in board.oldest_stock] == [
        DAY - days(61), DAY - days(60), DAY - days(5)]
    # On hand now: 3 in stock + 1 reserved + 1 demo = 5; delivered 2; arrived 1.
    # At the window's start: 5 + 2 - 1 = 6; average (6 + 5) / 2 = 5.5; 2 / 5.5 = 0.36.
    assert board.turnover == Turnover(delivered=2, on_hand=5, arrived=1)
    assert board.turnover.average_on_hand == Decimal("5.5")
    assert board.turnover.value == Decimal("0.36")


def test_turnover_is_a_dash_without_deliveries_or_stock():
    assert Turnover(delivered=0, on_hand=4, arrived=0).display == "—"
    assert Turnover(delivered=2, on_hand=0, arrived=2).display == "—"
    assert Turnover(delivered=3, on_hand=6, arrived=0).display == "0.40"


def test_oldest_stock_is_ten_vehicles(store, consultant):
    for n in range(12):
        StockVehicleFactory(store=store, arrival_date=DAY - days(100 - n))

    board = evening_board(store=store, day=DAY, now=at(store, DAY, 19))

    assert [v.arrival_date for v in board.oldest_stock] == [DAY - days(100 - n) for n in range(10)]


# --- Query counts -----------------------------------------------------------------------------
def _busy_store(store, manager, count: int):
    """`count` consultants, each with one row of every plan list today and tomorrow."""
    demo = DemoVehicleFactory(store=store)
    for n in range(count):
        user = UserFactory(role=Role.CONSULTANT, store=store)
        customer = CustomerFactory(store=store, owner=user)
        lead = LeadFactory(store=store, owner=user, customer=customer, grade=Grade.A,
                           status=LeadStatus.CONTACTED, created_at=at(store, DAY - days(3), 9),
                           follow_up_due_at=at(store, DAY, 9))
        for day in (DAY, TOMORROW):
            InvitationFactory(lead=lead, expected_at=at(store, day, 9 + n),
                              status=InvitationStatus.ARRIVED if day == DAY
                              else InvitationStatus.SCHEDULED)
            DriveFactory(store=store, vehicle=demo, consultant=user, customer=customer,
                         lead=lead, slot_start=at(store, day, 9 + n))
            contract = signed_at(user, CustomerFactory(store=store, owner=user),
                                 at(store, DAY - days(1 + n), 10), manager=manager)
            handover_at(contract, at(store, day, 15 + n))
        plan = CarePlan.objects.create(store=store, contract=contract, customer=customer,
                                       consultant=user, delivered_at=at(store, DAY - days(3), 10),
                                       delivered_on=DAY - days(3))
        CareStep.objects.create(store=store, plan=plan, customer=customer,
                                kind=CareStepKind.THANK_YOU_CALL, channel=CareChannel.CALL,
                                due_on=DAY, assignee=user, status=CareStepStatus.DUE)
        MeetingNoteFactory(author=manager, day=DAY)
        MeetingNoteFactory(author=manager, day=DAY, meeting=MeetingKind.EVENING)
        StockVehicleFactory(store=store, arrival_date=DAY - days(70 + n))


@pytest.mark.parametrize("count", [1, 3])
def test_morning_board_query_count(store, manager, count, django_assert_num_queries):
    _busy_store(store, manager, count)

    with django_assert_num_queries(28):
        board = morning_board(store=store, day=DAY, now=at(store, DAY, 8))
        rows = [(p.total, [str(k.customer) for k in board.key_customers]) for p in board.plans]

    assert MORNING_BOARD_QUERIES == 28
    assert len(rows) == count
    assert len(board.key_customers) == 3 * count
    assert len(board.notes) == count


@pytest.mark.parametrize("count", [1, 3])
def test_evening_board_query_count(store, manager, count, django_assert_num_queries):
    _busy_store(store, manager, count)

    with django_assert_num_queries(25):
        board = evening_board(store=store, day=DAY, now=at(store, DAY, 19))
        shown = ([str(i.lead.customer) for i in board.invitations_tomorrow]
                 + [str(d.vehicle.trim) for d in board.test_drives_tomorrow]
                 + [str(h.contract.customer) for h in board.deliveries_tomorrow]
                 + [str(v.trim) for v in board.oldest_stock]
                 + [str(n.author) for n in board.notes])

    assert EVENING_BOARD_QUERIES == 25
    assert len(board.consultants_day) == count
    assert len(shown) == 3 * count + min(count, 10) + count


@pytest.mark.parametrize("count", [1, 3])
def test_meeting_pages_query_count(client, store, manager, count, django_assert_num_queries):
    """The pages show each row's names, cars and times without a query per row."""
    _busy_store(store, manager, count)
    client.force_login(manager)
    day = {"day": DAY.isoformat()}
    with mock.patch.object(timezone, "now", return_value=at(store, DAY, 8)):
        with django_assert_num_queries(PAGE_QUERIES + MORNING_BOARD_QUERIES):
            morning_page = client.get("/reports/meetings/morning/", day)
        with django_assert_num_queries(PAGE_QUERIES + EVENING_BOARD_QUERIES):
            evening_page = client.get("/reports/meetings/evening/", day)

    assert morning_page.status_code == evening_page.status_code == 200
    assert morning_page.content.decode().count('data-testid="plan-row"') == count
    assert morning_page.content.decode().count('data-testid="key-customer"') == 3 * count
