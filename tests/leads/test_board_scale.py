"""The boards over open work (issue 15 §1): the team board, the team page, my day and the
pool count open leads (and the month's rows) only, whatever the store's closed history;
their query counts are fixed, no query casts a timestamp to a date, and on PostgreSQL the
plans read the open rows through their indexes, not every lead of the store."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dealership.enums import Role, Seniority
from leads.enums import Channel, Grade, LeadStatus, LostReason
from leads.models import Lead, LeadPolicy
from leads.selectors.board import board_overdue_leads, board_rows
from leads.selectors.my_day import my_day_for_user
from leads.selectors.pool import pool_for_user
from tests.factories import CustomerFactory, UserFactory
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db

# What a date cast of a timestamp looks like in SQL (`__date`, TruncDate): PostgreSQL
# casts the value at the zone (`("created_at" AT TIME ZONE 'Asia/Shanghai')::date`), SQLite
# calls Django's function. (A date parameter, `'2026-12-07'::date`, is no cast of a column.)
DATE_CASTS = ("AT TIME ZONE", "django_datetime_cast_date")


@pytest.fixture
def policy(store):
    return LeadPolicy.objects.create(store=store)


@pytest.fixture
def now(monkeypatch, store):
    """The 15th of this month, 12:00 in the store: this month holds the scenario's leads."""
    today = timezone.now().astimezone(store.tzinfo).date()
    frozen = dt.datetime.combine(today.replace(day=15), dt.time(12), tzinfo=store.tzinfo)
    monkeypatch.setattr(timezone, "now", lambda: frozen)
    return frozen


def _history(owner, count: int, *, now: dt.datetime, owned: bool = True) -> list[Lead]:
    """`count` closed leads of the consultant's past (won and lost, one to 700 days old),
    bulk-inserted: the history the boards must not read."""
    customer = CustomerFactory(store=owner.store, owner=owner if owned else None)
    leads = []
    for index in range(count):
        created = now - dt.timedelta(days=1 + index % 700, hours=index % 24)
        lost = index % 3 != 0
        leads.append(LeadFactory.build(
            store=owner.store, customer=customer, owner=owner if owned else None,
            channel=Channel.WEBSITE if index % 2 else Channel.WALK_IN,
            grade=Grade.A if index % 4 == 0 else Grade.B,
            status=LeadStatus.LOST if lost else LeadStatus.WON,
            lost_reason=LostReason.BOUGHT_COMPETITOR if lost else "",
            created_at=created, first_touch_at=created + dt.timedelta(minutes=1),
            closed_at=created + dt.timedelta(days=1),
            follow_up_due_at=created + dt.timedelta(hours=1), pooled_at=None))
    return Lead.objects.bulk_create(leads)


def _open(owner, *, now: dt.datetime, due_in_hours: float = 24, **kwargs) -> Lead:
    return LeadFactory(store=owner.store, owner=owner, created_at=now - dt.timedelta(hours=2),
                       follow_up_due_at=now + dt.timedelta(hours=due_in_hours), **kwargs)


# --- Team board ------------------------------------------------------------------------------
def test_board_counts_open_leads_and_the_months_breaches_not_the_history(now, store, policy,
                                                                          supervisor,
                                                                          consultant):
    _history(consultant, 30, now=now)
    _open(consultant, now=now, grade=Grade.A)
    _open(consultant, now=now, grade=Grade.C, due_in_hours=-3)
    _open(consultant, now=now, status=LeadStatus.DORMANT, due_in_hours=-3)  # not overdue
    # Online, this month, never touched past the deadline, and already won: still a breach.
    LeadFactory(store=store, owner=consultant, channel=Channel.WEBSITE,
                status=LeadStatus.WON, created_at=now - dt.timedelta(days=2),
                closed_at=now - dt.timedelta(days=1))
    # Online, last month, never touched: last month's breach, not this month's.
    LeadFactory(store=store, owner=consultant, channel=Channel.WEBSITE,
                created_at=now - dt.timedelta(days=40),
                follow_up_due_at=now + dt.timedelta(days=1))

    (member,) = board_rows(user=supervisor, policy=policy, now=now)

    assert (member.open_count, member.overdue_count, member.sla_breaches) == (4, 1, 1)
    assert (member.grade_a, member.grade_b, member.grade_c) == (1, 2, 1)


@pytest.mark.parametrize("count", [1, 3])
def test_board_query_count_is_fixed_whatever_the_history(client, now, store, policy,
                                                         supervisor, team, count,
                                                         django_assert_num_queries):
    for index in range(count):
        member = UserFactory(role=Role.CONSULTANT, store=store, team=team,
                             seniority=Seniority.JUNIOR)
        _history(member, 10 * (index + 1), now=now)
        _open(member, now=now, due_in_hours=-1 - index)
    client.force_login(supervisor)

    with django_assert_num_queries(7):
        response = client.get("/leads/board/")

    assert [m.open_count for m in response.context["members"]] == [1] * count
    assert len(response.context["overdue"]) == count


def test_board_overdue_list_shows_open_leads_only(now, store, manager, consultant):
    history = _history(consultant, 5, now=now)  # closed, and long past their due time
    overdue = _open(consultant, now=now, due_in_hours=-2)

    assert board_overdue_leads(user=manager, now=now) == [overdue]
    assert all(lead.follow_up_due_at < now for lead in history)


# --- Team page -------------------------------------------------------------------------------
def test_team_page_counts_open_leads_not_closed_ones(client, now, store, manager, consultant):
    _history(consultant, 12, now=now)
    _open(consultant, now=now)
    _open(consultant, now=now, status=LeadStatus.DORMANT)
    client.force_login(manager)

    response = client.get("/leads/team/")

    (row,) = response.context["consultants"]
    # Two open leads; three customers: the history's one and one per open lead.
    assert (row.pk, row.open_leads, row.customers) == (consultant.pk, 2, 3)


@pytest.mark.parametrize("count", [1, 3])
def test_team_page_query_count_is_fixed_whatever_the_history(client, now, store, manager,
                                                             team, count,
                                                             django_assert_num_queries):
    for index in range(count):
        member = UserFactory(role=Role.CONSULTANT, store=store, team=team,
                             seniority=Seniority.JUNIOR)
        _history(member, 10 * (index + 1), now=now)
        _open(member, now=now)
    client.force_login(manager)

    with django_assert_num_queries(4):
        response = client.get("/leads/team/")

    assert [row.open_leads for row in response.context["consultants"]] == [1] * count


# --- My day and the pool ---------------------------------------------------------------------
def test_my_day_counts_the_open_leads_due_by_the_stores_day_end(now, store, consultant):
    _history(consultant, 8, now=now)  # closed, all past their due time
    overdue = _open(consultant, now=now, due_in_hours=-1)
    _start, day_end = store.day_bounds(store.today())
    for due in (now + dt.timedelta(minutes=1), day_end - dt.timedelta(minutes=1),
                day_end):  # the last one is tomorrow's
        LeadFactory(store=store, owner=consultant, follow_up_due_at=due)

    day = my_day_for_user(user=consultant, day=store.today(), now=now)

    assert day["counts"] == {"overdue": 1, "due_today": 2}
    assert day["overdue"] == [overdue]
    assert [lead.follow_up_due_at for lead in day["due_today"]] == [
        now + dt.timedelta(minutes=1), day_end - dt.timedelta(minutes=1)]


def test_pool_lists_open_unowned_leads_only(now, store, consultant, manager):
    _history(consultant, 4, now=now, owned=False)  # closed leads nobody owns
    _open(consultant, now=now)  # owned
    pooled = LeadFactory(store=store, owner=None, status=LeadStatus.DORMANT,
                         pooled_at=now - dt.timedelta(days=2),
                         customer=CustomerFactory(store=store, owner=None))
    never_pooled = LeadFactory(store=store, owner=None, pooled_at=None,
                               customer=CustomerFactory(store=store, owner=None))

    assert list(pool_for_user(user=manager)) == [pooled, never_pooled]


@pytest.mark.parametrize(("username", "url"), [
    ("sup", "/leads/board/"), ("manager", "/leads/board/"), ("manager", "/leads/team/"),
    ("con", "/my-day/"), ("manager", "/leads/pool/"),
])
def test_boards_cast_no_timestamp_to_a_date(client, now, store, policy, supervisor, manager,
                                            consultant, username, url):
    _history(consultant, 3, now=now)
    _open(consultant, now=now, due_in_hours=-1, channel=Channel.WEBSITE)
    users = {"sup": supervisor, "manager": manager, "con": consultant}
    client.force_login(users[username])

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 200
    casts = [q["sql"] for q in queries.captured_queries
             if any(cast in q["sql"] for cast in DATE_CASTS)]
    assert casts == []


# --- The plans on PostgreSQL -----------------------------------------------------------------
@pytest.fixture
def long_history(now, store, policy, supervisor, team, consultant, teammate):
    """Three thousand leads of six consultants over two years, nearly all closed, as they
    arrived (the consultants' leads interleaved); 30 open per consultant and a few pooled;
    then VACUUM ANALYZE, as autovacuum leaves a table in use."""
    members = [consultant, teammate] + [
        UserFactory(role=Role.CONSULTANT, store=store, team=team) for _index in range(4)]
    customer = CustomerFactory(store=store, owner=None)
    history = []
    for index in range(2820):
        created = now - dt.timedelta(days=1 + index // 4, hours=index % 24)
        lost = index % 3 != 0
        history.append(LeadFactory.build(
            store=store, customer=customer, owner=members[index % len(members)],
            channel=Channel.WEBSITE if index % 2 else Channel.WALK_IN, grade=Grade.B,
            status=LeadStatus.LOST if lost else LeadStatus.WON,
            lost_reason=LostReason.BOUGHT_COMPETITOR if lost else "", created_at=created,
            first_touch_at=created + dt.timedelta(minutes=1),
            closed_at=created + dt.timedelta(days=1)))
    Lead.objects.bulk_create(history)
    for member in members:
        for index in range(30):
            _open(member, now=now, due_in_hours=index - 10, channel=Channel.WEBSITE,
                  customer=customer)
    for _index in range(10):
        LeadFactory(store=store, owner=None, status=LeadStatus.DORMANT,
                    pooled_at=now - dt.timedelta(days=3), customer=customer)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE leads_lead")
        cursor.execute("VACUUM ANALYZE dealership_user")
    return members


def _plans(read, table: str = "") -> list[str]:
    """The EXPLAIN of each statement `read` runs (reading from `table`, if given)."""
    with CaptureQueriesContext(connection) as queries:
        read()
    plans = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            if f'FROM "{table}"' not in query["sql"]:
                continue
            cursor.execute(f"EXPLAIN {query['sql']}")
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="query plans are PostgreSQL's")
# VACUUM runs outside a transaction: these tests commit, and the tables are emptied after.
committed = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.MANAGER])
@on_postgresql
@committed
def test_board_aggregates_open_rows_through_the_partial_index(long_history, now, policy,
                                                               supervisor, manager, role):
    user = supervisor if role == Role.SUPERVISOR else manager

    (plan,) = _plans(lambda: board_rows(user=user, policy=policy, now=now),
                     "dealership_user")

    lead_indexes = {name for name in re.findall(r"(?:using|Index Scan on) (\w+)", plan)
                    if not name.startswith("dealership_")}
    # Per consultant: the index of open leads for the open figures, a range of the month's
    # rows for the breaches; no other way into the leads, and never all of them.
    assert lead_indexes == {"lead_open_owner_idx", "lead_online_touch_idx"}, plan
    assert "Seq Scan on leads_lead" not in plan, plan


@on_postgresql
@committed
def test_board_overdue_list_reads_open_rows_in_due_order(long_history, now, manager):
    (plan,) = _plans(lambda: board_overdue_leads(user=manager, now=now), "leads_lead")

    assert "lead_active_due_idx" in plan, plan
    assert "Seq Scan on leads_lead" not in plan, plan


@on_postgresql
@committed
def test_pool_reads_its_partial_index(long_history, manager):
    (plan,) = _plans(lambda: list(pool_for_user(user=manager)[:25]), "leads_lead")

    assert "lead_pool_idx" in plan, plan
    assert "Seq Scan on leads_lead" not in plan, plan


@on_postgresql
@committed
def test_my_day_reads_the_consultants_open_rows_due_by_tonight(long_history, now, store,
                                                               consultant):
    plans = _plans(lambda: my_day_for_user(user=consultant, day=store.today(), now=now),
                   "leads_lead")

    assert len(plans) == 3  # the counts, the overdue and the due-today lists
    for plan in plans:
        assert "Seq Scan on leads_lead" not in plan, plan
        assert "lead_open_owner_idx" in plan or "lead_owner_list_idx" in plan, plan
