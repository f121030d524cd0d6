"""Each consultant's open-lead load (`ConsultantRouting.open_leads`): kept by every service
that gives, takes or closes a lead, read by the routing, recomputed nightly."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dealership.enums import Role, Seniority
from leads import jobs, tasks
from leads.enums import Channel, Grade, LeadStatus, LostReason
from leads.models import ConsultantRouting, Lead
from leads.privacy import leads_anonymise
from leads.services import (
    book_reassign,
    lead_approve_lost,
    lead_assign,
    lead_capture,
    lead_claim,
    lead_log_touch,
    lead_request_lost,
    lead_route,
    lead_win,
)
from leads.services.board import (
    consultant_hand_over,
    consultant_set_on_duty,
    lead_assign_from_pool,
)
from leads.services.routing import routing_loads_reconcile, routing_loads_refresh
from tests.concurrency import race, require_postgres
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture
def senior2(make_user, team):
    return make_user(Role.CONSULTANT, username="senior2", seniority=Seniority.SENIOR, team=team)


def loads() -> dict[int, int]:
    return dict(ConsultantRouting.objects.values_list("user_id", "open_leads"))


def counted() -> dict[int, int]:
    """Each routed consultant's open leads, counted independently of the maintained load
    (from the status, in Python)."""
    owners = Counter(owner for owner, status in Lead.objects.values_list("owner_id", "status")
                     if owner is not None and status not in (LeadStatus.WON, LeadStatus.LOST))
    return {user_id: owners[user_id] for user_id in ConsultantRouting.objects.values_list(
        "user_id", flat=True)}


def capture(store, phone: str, **kwargs):
    kwargs.setdefault("channel", Channel.WALK_IN)
    kwargs.setdefault("purchase_window", "1m")
    return lead_capture(store=store, actor=None, name="客户", phone=phone, **kwargs).lead


def pooled(store) -> Lead:
    return LeadFactory(store=store, owner=None, pooled_at=timezone.now())


def routed(*users) -> None:
    ConsultantRouting.objects.bulk_create(
        [ConsultantRouting(user=user, store=user.store) for user in users])


# --- The invariant ----------------------------------------------------------------------------
def test_loads_equal_the_open_leads_after_every_service_and_job(
        store, consultant, teammate, senior2, supervisor, manager):
    t = timezone.now()
    steps: list[tuple[str, dict[int, int]]] = []

    def step(what: str) -> None:
        steps.append((what, loads()))
        assert loads() == counted(), what

    old = capture(store, "+8613900000001", channel=Channel.WEBSITE, purchase_window="3d",
                  created_at=t - 40 * DAY)
    won = capture(store, "+8613900000002", created_at=t - 40 * DAY)
    untouched = capture(store, "+8613900000003", channel=Channel.WEBSITE,
                        created_at=t - dt.timedelta(hours=3))
    step("captured and routed")
    assert sorted(loads().values()) == [1, 1, 1]
    capture(store, "+8613900000001")
    step("a duplicate enquiry")
    chosen = capture(store, "+8613900000004", owner=teammate)
    step("captured for a chosen consultant")
    lead_assign(lead=old, to=teammate, actor=supervisor, reason="休假")
    step("reassigned")
    lead_win(lead=won, actor=manager)
    step("won")
    again = capture(store, "+8613900000002")
    assert again.owner_id == won.owner_id  # the customer's consultant keeps them
    step("a won customer's new lead, for their consultant")
    request = lead_request_lost(lead=chosen, actor=teammate, reason=LostReason.PRICE)
    step("lost requested (still open)")
    lead_approve_lost(request=request, actor=supervisor, note="同意")
    step("lost approved")
    assert jobs.escalate_first_contact(t)["reassigned"] == 1
    step("reassigned by the first-contact ladder")
    assert jobs.make_dormant(t) == 1
    step("dormant (still open)")
    assert jobs.recycle_to_pool(t + 61 * DAY) == 1
    step("back to the pool")
    old = lead_claim(lead=old, actor=senior2)
    step("claimed from the pool")
    lead_log_touch(lead=old, actor=senior2, kind="call", outcome="reached")
    step("woken up (open all along)")
    ConsultantRouting.objects.update(on_duty=False)
    nobodys = capture(store, "+8613900000005")
    assert nobodys.owner is None
    ConsultantRouting.objects.update(on_duty=True)
    lead_assign_from_pool(lead=nobodys, to=consultant, actor=supervisor)
    step("assigned from the pool")
    consultant_hand_over(actor=manager, from_user=consultant, to_user=teammate,
                         deactivate=True)
    step("a leaving consultant's book handed over")
    book_reassign(from_user=teammate, to_user=senior2, actor=manager)
    step("a book reassigned")
    leads_anonymise([untouched.customer_id])
    step("a customer anonymised (their open leads closed)")

    assert loads() == {consultant.pk: 0, teammate.pk: 0, senior2.pk: 3}
    assert len({tuple(sorted(state.items())) for _what, state in steps}) > 5  # it moved
    assert routing_loads_reconcile() == 0


# --- Routing reads the load -------------------------------------------------------------------
def test_route_tie_goes_to_the_consultant_with_fewer_open_leads(store, consultant, senior2,
                                                               supervisor):
    routed(consultant, senior2)  # never routed: a tie on the turn
    for lead in (pooled(store), pooled(store)):
        lead_assign(lead=lead, to=consultant, actor=supervisor)
    lead_assign(lead=pooled(store), to=senior2, actor=supervisor)
    assert loads() == {consultant.pk: 2, senior2.pk: 1}

    assert lead_route(store=store, grade=Grade.A) == senior2
    assert loads() == {consultant.pk: 2, senior2.pk: 2}  # counted with the lead to come


def test_route_reads_the_stored_load_not_the_leads(store, consultant, senior2):
    ConsultantRouting.objects.create(user=consultant, store=store, open_leads=0)
    ConsultantRouting.objects.create(user=senior2, store=store, open_leads=5)
    LeadFactory.create_batch(3, store=store, owner=consultant)  # not counted by routing

    assert lead_route(store=store, grade=Grade.A) == consultant


@pytest.mark.parametrize("history", [1, 30])
def test_route_is_two_statements_whatever_the_history(store, consultant, senior2, history):
    routed(consultant, senior2)
    LeadFactory.create_batch(history, store=store, owner=senior2)
    LeadFactory.create_batch(history, store=store, owner=senior2, status=LeadStatus.WON)

    with CaptureQueriesContext(connection) as queries:
        lead_route(store=store, grade=Grade.A)

    choose, record = (q["sql"] for q in queries.captured_queries)
    assert '"leads_lead"' not in choose
    assert record.startswith('UPDATE "leads_consultantrouting"')


def test_route_creates_a_missing_routing_row_with_its_open_leads(store, consultant, teammate,
                                                                 supervisor, make_user):
    routed(consultant, teammate)
    newcomer = make_user(Role.CONSULTANT, username="new", seniority=Seniority.SENIOR)
    lead_assign(lead=pooled(store), to=newcomer, actor=supervisor)  # no routing row yet

    lead_route(store=store, grade=Grade.C)

    assert loads()[newcomer.pk] == counted()[newcomer.pk] == 1


def test_setting_on_duty_creates_the_routing_row_with_its_open_leads(store, consultant,
                                                                     supervisor, manager):
    lead_assign(lead=pooled(store), to=consultant, actor=supervisor)

    routing = consultant_set_on_duty(actor=manager, consultant=consultant, on_duty=False)

    assert (routing.on_duty, routing.open_leads) == (False, 1)
    assert loads() == {consultant.pk: 1}


def test_refresh_skips_owners_without_a_routing_row(store, consultant, supervisor):
    routing_loads_refresh(owner_ids=[supervisor.pk, None])

    assert loads() == {}


# --- The nightly reconcile --------------------------------------------------------------------
def test_reconcile_corrects_every_wrong_load_in_one_run(store, consultant, teammate, senior2):
    routed(consultant, teammate, senior2)
    LeadFactory.create_batch(2, store=store, owner=consultant)  # behind the services' back
    LeadFactory(store=store, owner=senior2, status=LeadStatus.LOST, lost_reason="price")
    ConsultantRouting.objects.filter(user=teammate).update(open_leads=7)

    assert routing_loads_reconcile() == 2  # senior2's lost lead was never counted
    assert loads() == counted() == {consultant.pk: 2, teammate.pk: 0, senior2.pk: 0}
    assert routing_loads_reconcile() == 0


def test_reconcile_task_is_scheduled_nightly_after_the_housekeeping(store, consultant):
    routed(consultant)
    ConsultantRouting.objects.update(open_leads=4)
    schedule = {entry["task"]: entry["schedule"]
                for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert tasks.reconcile_routing_loads_task.apply().get() == 1
    assert loads() == {consultant.pk: 0}
    assert schedule["leads.reconcile_routing_loads"] == crontab(hour=2, minute=50)
    assert 0 < tasks.reconcile_routing_loads_task.soft_time_limit < (
        tasks.reconcile_routing_loads_task.time_limit)


# --- Two at once (PostgreSQL) -----------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_two_new_leads_at_once_go_to_two_consultants(store, consultant, teammate):
    require_postgres()
    routed(consultant, teammate)

    results = race(lambda: capture(store, "+8613900000011"),
                   lambda: capture(store, "+8613900000012"), timeout=30)

    assert {lead.owner_id for lead in results} == {consultant.pk, teammate.pk}
    assert loads() == counted() == {consultant.pk: 1, teammate.pk: 1}


@pytest.mark.django_db(transaction=True)
def test_leads_given_to_one_consultant_at_once_all_count(store, consultant, supervisor):
    require_postgres()
    routed(consultant)
    leads = [pooled(store) for _i in range(4)]

    race(*[lambda lead=lead: lead_assign(lead=lead, to=consultant, actor=supervisor)
           for lead in leads], timeout=30)

    # Each refresh counted after the others' commits (not with the snapshot its UPDATE
    # started with while it waited for the routing row).
    assert loads() == counted() == {consultant.pk: 4}
