"""The periodic jobs of the leads stage, run with `now` moved forward (time travel)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dealership.enums import Role, Seniority
from dealership.models import Customer
from leads import jobs
from leads.enums import Channel, EventKind, LeadStatus, MessageStatus, TaskKind
from leads.models import (
    ConsultantRouting,
    Lead,
    LeadEvent,
    LeadPolicy,
    Notification,
    OutboundMessage,
    Task,
)
from leads.services import lead_claim, lead_log_touch
from tests.concurrency import race, require_postgres
from tests.factories import CustomerFactory, UserFactory
from tests.leads.factories import LeadFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

MIN = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)


@pytest.fixture
def t0():
    return timezone.now().replace(microsecond=0)


def online_lead(store, owner, t0, **kwargs) -> Lead:
    kwargs.setdefault("channel", Channel.WEBSITE)
    return LeadFactory(store=store, owner=owner, created_at=t0,
                       follow_up_due_at=t0 + 60 * MIN, **kwargs)


def events(lead, kind=None) -> list[tuple[str, str]]:
    rows = lead.events.order_by("id")
    if kind:
        rows = rows.filter(kind=kind)
    return [(e.kind, e.note) for e in rows]


def notifications() -> list[tuple[int, int, str]]:
    return list(Notification.objects.order_by("id").values_list("user", "lead", "kind"))


def snapshot() -> tuple:
    """Everything a job may write, to show that a second run writes nothing."""
    return (
        list(Lead.objects.order_by("pk").values_list(
            "pk", "owner", "status", "sla_step", "overdue_notified_at", "dormant_at",
            "pooled_at", "assigned_at")),
        list(Customer.objects.order_by("pk").values_list("pk", "owner")),
        list(LeadEvent.objects.order_by("pk").values_list("pk", "kind")),
        notifications(),
        list(Task.objects.order_by("pk").values_list("pk", "lead", "done_at")),
        list(OutboundMessage.objects.order_by("pk").values_list("pk", "status")),
    )


def queries_of(job, now) -> int:
    with CaptureQueriesContext(connection) as ctx:
        job(now)
    return len(ctx.captured_queries)


# --- Policy rows ----------------------------------------------------------------------------
def test_jobs_insert_default_policy_for_stores_without_one(store, other_store, t0):
    LeadPolicy.objects.create(store=store, dormant_after_days=10)

    jobs.make_dormant(t0)

    assert list(LeadPolicy.objects.order_by("store__code").values_list(
        "store__code", "dormant_after_days")) == [("DEMO", 10), ("OTHER", 30)]


# --- 1. Escalation ladder -------------------------------------------------------------------
def test_escalation_ladder_with_time_travel(store, consultant, teammate, supervisor, t0):
    lead = online_lead(store, consultant, t0)

    assert jobs.escalate_first_contact(t0 + 29 * MIN) == {
        "reminded": 0, "alerted": 0, "reassigned": 0}
    lead.refresh_from_db()
    assert (lead.sla_step, events(lead), notifications()) == (0, [], [])

    assert jobs.escalate_first_contact(t0 + 31 * MIN) == {
        "reminded": 1, "alerted": 0, "reassigned": 0}
    lead.refresh_from_db()
    assert lead.sla_step == 1
    assert events(lead) == [(EventKind.SLA_REMINDER, "No first contact 30 minutes after the "
                                                     "lead arrived (rule: remind the owner).")]
    assert lead.events.get().data == {"rule": "remind_owner_after_minutes", "minutes": 30,
                                      "notified": [consultant.pk]}
    assert notifications() == [(consultant.pk, lead.pk, EventKind.SLA_REMINDER)]

    before = snapshot()
    assert jobs.escalate_first_contact(t0 + 32 * MIN) == {
        "reminded": 0, "alerted": 0, "reassigned": 0}
    assert snapshot() == before

    jobs.escalate_first_contact(t0 + 61 * MIN)
    lead.refresh_from_db()
    assert lead.sla_step == 2
    assert events(lead, EventKind.SLA_ALERT) == [
        (EventKind.SLA_ALERT, "No first contact 60 minutes after the lead arrived (rule: "
                              "alert the supervisor).")]
    assert notifications()[1:] == [(supervisor.pk, lead.pk, EventKind.SLA_ALERT)]

    jobs.escalate_first_contact(t0 + 121 * MIN)
    lead.refresh_from_db()
    lead.customer.refresh_from_db()
    assert (lead.sla_step, lead.owner, lead.customer.owner) == (3, teammate, teammate)
    assert lead.assigned_at == t0 + 121 * MIN
    assert lead.follow_up_due_at == t0 + 60 * MIN  # the SLA clock is not reset
    reassigned = lead.events.get(kind=EventKind.SLA_REASSIGNED)
    assert reassigned.note == ("No first contact 120 minutes after the lead arrived (rule: "
                               "reassign): handed to 李强.")
    assert reassigned.data == {"rule": "reassign_after_minutes", "minutes": 120,
                               "reason": "sla", "from_owner": consultant.pk,
                               "to_owner": teammate.pk, "notified": [teammate.pk]}
    assert notifications()[2:] == [(teammate.pk, lead.pk, EventKind.SLA_REASSIGNED)]

    before = snapshot()
    jobs.escalate_first_contact(t0 + 200 * MIN)
    assert snapshot() == before


def test_escalation_skips_a_lead_touched_in_the_meantime(store, consultant, teammate, t0):
    lead = online_lead(store, consultant, t0)
    lead_log_touch(lead=lead, actor=consultant, kind="call", outcome="reached")

    for minutes in (31, 61, 121, 600):
        jobs.escalate_first_contact(t0 + minutes * MIN)

    lead.refresh_from_db()
    assert (lead.sla_step, lead.owner) == (0, consultant)
    assert events(lead, EventKind.SLA_REMINDER) == []
    assert notifications() == []


@pytest.mark.parametrize("channel", [Channel.WALK_IN, Channel.PHONE, Channel.REFERRAL])
def test_escalation_ignores_leads_that_are_not_online(store, consultant, teammate, t0,
                                                      channel):
    lead = online_lead(store, consultant, t0, channel=channel)

    jobs.escalate_first_contact(t0 + 500 * MIN)

    lead.refresh_from_db()
    assert (lead.sla_step, lead.owner, notifications()) == (0, consultant, [])


def test_escalation_ignores_closed_and_ownerless_leads(store, consultant, teammate, t0):
    won = online_lead(store, consultant, t0, status=LeadStatus.WON)
    pooled = online_lead(store, None, t0)

    jobs.escalate_first_contact(t0 + 500 * MIN)

    assert list(Lead.objects.filter(pk__in=[won.pk, pooled.pk]).values_list("sla_step", flat=True)
                ) == [0, 0]
    assert LeadEvent.objects.count() == 0


def test_escalation_leaves_leads_past_the_ladder_alone(store, consultant, teammate, t0):
    lead = online_lead(store, consultant, t0)

    jobs.escalate_first_contact(t0 + 120 * MIN + jobs.LADDER_GRACE + MIN)

    lead.refresh_from_db()
    assert (lead.sla_step, lead.owner, notifications()) == (0, consultant, [])


def test_escalation_found_late_goes_straight_to_the_due_step(store, consultant, supervisor, t0):
    lead = online_lead(store, consultant, t0)

    jobs.escalate_first_contact(t0 + 70 * MIN)

    lead.refresh_from_db()
    assert lead.sla_step == 2
    assert [kind for kind, _note in events(lead)] == [EventKind.SLA_ALERT]
    assert notifications() == [(supervisor.pk, lead.pk, EventKind.SLA_ALERT)]


def test_escalation_alerts_managers_when_the_owner_has_no_supervisor(store, manager, make_user,
                                                                     t0):
    loner = UserFactory(username="loner", role=Role.CONSULTANT, store=store,
                        seniority=Seniority.SENIOR)
    second = make_user(Role.MANAGER, username="mgr2")
    make_user(Role.MANAGER, username="gone", is_active=False)
    lead = online_lead(store, loner, t0)

    jobs.escalate_first_contact(t0 + 61 * MIN)

    alert = lead.events.get(kind=EventKind.SLA_ALERT)
    assert alert.data["notified"] == [manager.pk, second.pk]
    assert "the store's managers were alerted" in alert.note
    assert notifications() == [(manager.pk, lead.pk, EventKind.SLA_ALERT),
                               (second.pk, lead.pk, EventKind.SLA_ALERT)]


def test_escalation_keeps_the_lead_when_nobody_else_is_on_duty(store, consultant, teammate,
                                                                supervisor, t0):
    ConsultantRouting.objects.create(user=teammate, store=store, on_duty=False)
    lead = online_lead(store, consultant, t0, sla_step=2)

    assert jobs.escalate_first_contact(t0 + 121 * MIN)["reassigned"] == 0
    lead.refresh_from_db()
    assert (lead.sla_step, lead.owner) == (2, consultant)

    ConsultantRouting.objects.filter(user=teammate).update(on_duty=True)
    assert jobs.escalate_first_contact(t0 + 126 * MIN)["reassigned"] == 1
    lead.refresh_from_db()
    assert (lead.sla_step, lead.owner) == (3, teammate)


def test_escalation_follows_the_store_policy(store, consultant, t0):
    LeadPolicy.objects.create(store=store, remind_owner_after_minutes=10,
                              alert_supervisor_after_minutes=20, reassign_after_minutes=40)
    lead = online_lead(store, consultant, t0)

    jobs.escalate_first_contact(t0 + 11 * MIN)

    lead.refresh_from_db()
    assert lead.sla_step == 1
    assert lead.events.get().data["minutes"] == 10


@pytest.mark.parametrize(("minutes", "step"), [(31, 1), (61, 2)])
def test_escalation_queries_do_not_grow_with_leads(store, consultant, supervisor, t0, minutes,
                                                   step):
    jobs.ensure_policies()
    online_lead(store, consultant, t0)
    one = queries_of(jobs.escalate_first_contact, t0 + minutes * MIN)
    for _i in range(20):
        online_lead(store, consultant, t0)
    twenty = queries_of(jobs.escalate_first_contact, t0 + minutes * MIN)

    assert Lead.objects.filter(sla_step=step).count() == 21
    assert one == twenty


# --- 2. Overdue -----------------------------------------------------------------------------
def test_flag_overdue_notifies_each_owner_once(store, consultant, teammate, t0):
    due = LeadFactory(store=store, owner=consultant, follow_up_due_at=t0 - MIN)
    other = LeadFactory(store=store, owner=teammate, follow_up_due_at=t0 - DAY)
    LeadFactory(store=store, owner=consultant, follow_up_due_at=t0 + MIN)
    LeadFactory(store=store, owner=consultant, follow_up_due_at=t0 - MIN, status=LeadStatus.WON)
    LeadFactory(store=store, owner=consultant, follow_up_due_at=t0 - MIN,
                status=LeadStatus.DORMANT)

    assert jobs.flag_overdue(t0) == 2

    assert list(Lead.objects.filter(overdue_notified_at=t0).order_by("pk")) == [due, other]
    assert notifications() == [(consultant.pk, due.pk, jobs.OVERDUE_NOTIFICATION_KIND),
                               (teammate.pk, other.pk, jobs.OVERDUE_NOTIFICATION_KIND)]
    before = snapshot()
    assert jobs.flag_overdue(t0 + dt.timedelta(seconds=30)) == 0
    assert snapshot() == before


def test_flag_overdue_again_after_a_touch_clears_the_flag(store, consultant, t0):
    lead = LeadFactory(store=store, owner=consultant, follow_up_due_at=t0 - MIN)
    jobs.flag_overdue(t0)
    lead_log_touch(lead=lead, actor=consultant, kind="call", outcome="no_answer")
    lead.refresh_from_db()

    jobs.flag_overdue(lead.follow_up_due_at + MIN)

    assert Notification.objects.count() == 2


def test_flag_overdue_queries_do_not_grow_with_leads(store, consultant, t0):
    LeadFactory(store=store, owner=consultant, follow_up_due_at=t0 - MIN)
    one = queries_of(jobs.flag_overdue, t0)
    LeadFactory.create_batch(20, store=store, owner=consultant, follow_up_due_at=t0 - MIN)
    twenty = queries_of(jobs.flag_overdue, t0)

    assert Notification.objects.count() == 21
    assert one == twenty == 5  # savepoint, select, update, insert, release


# --- 3. Dormancy ----------------------------------------------------------------------------
def test_make_dormant_after_thirty_days_without_a_touch(store, consultant, t0):
    never = LeadFactory(store=store, owner=consultant, created_at=t0 - 31 * DAY)
    lapsed = LeadFactory(store=store, owner=consultant, created_at=t0 - 90 * DAY,
                         last_touch_at=t0 - 30 * DAY - MIN, status=LeadStatus.VISITED)
    LeadFactory(store=store, owner=consultant, created_at=t0 - 29 * DAY)
    LeadFactory(store=store, owner=consultant, created_at=t0 - 90 * DAY,
                last_touch_at=t0 - 10 * DAY, status=LeadStatus.CONTACTED)
    LeadFactory(store=store, owner=consultant, created_at=t0 - 90 * DAY, status=LeadStatus.LOST,
                lost_reason="price")

    assert jobs.make_dormant(t0) == 2

    assert list(Lead.objects.filter(status=LeadStatus.DORMANT, dormant_at=t0).order_by("pk")
                ) == [never, lapsed]
    assert [(e.lead_id, e.data["from"], e.data["to"], e.note) for e in
            LeadEvent.objects.filter(kind=EventKind.DORMANT).order_by("lead_id")] == [
        (never.pk, "new", "dormant", "No touch for 30 days (rule: dormant after 30 days)."),
        (lapsed.pk, "visited", "dormant", "No touch for 30 days (rule: dormant after 30 days)."),
    ]
    before = snapshot()
    assert jobs.make_dormant(t0 + MIN) == 0
    assert snapshot() == before


def test_make_dormant_follows_each_store_policy(store, other_store, consultant, outsider, t0):
    LeadPolicy.objects.create(store=other_store, dormant_after_days=7)
    here = LeadFactory(store=store, owner=consultant, created_at=t0 - 8 * DAY)
    there = LeadFactory(store=other_store, owner=outsider, created_at=t0 - 8 * DAY)

    jobs.make_dormant(t0)

    here.refresh_from_db()
    there.refresh_from_db()
    assert (here.status, there.status) == (LeadStatus.NEW, LeadStatus.DORMANT)


def test_make_dormant_queries_do_not_grow_with_leads(store, consultant, t0):
    jobs.ensure_policies()
    LeadFactory(store=store, owner=consultant, created_at=t0 - 40 * DAY)
    one = queries_of(jobs.make_dormant, t0)
    LeadFactory.create_batch(20, store=store, owner=consultant, created_at=t0 - 40 * DAY)
    twenty = queries_of(jobs.make_dormant, t0)

    assert Lead.objects.filter(status=LeadStatus.DORMANT).count() == 21
    assert one == twenty


# --- 4. Reactivation ------------------------------------------------------------------------
def dormant_lead(store, owner, now, *, consent=True, **kwargs) -> Lead:
    customer = CustomerFactory(store=store, owner=owner, name="张三丰",
                               marketing_consent=consent, consent_at=now if consent else None)
    kwargs.setdefault("created_at", now - 90 * DAY)
    kwargs.setdefault("dormant_at", now - DAY)
    return LeadFactory(store=store, owner=owner, customer=customer, status=LeadStatus.DORMANT,
                       **kwargs)


def test_reactivation_task_and_message_for_a_consenting_customer(store, consultant, t0):
    lead = dormant_lead(store, consultant, t0)

    assert jobs.queue_reactivation(t0) == 1

    task = Task.objects.get()
    assert (task.lead, task.assignee, task.kind, task.due_on, task.done_at) == (
        lead, consultant, TaskKind.REACTIVATE, timezone.localdate(t0, store.tzinfo), None)
    message = OutboundMessage.objects.get()
    assert (message.customer, message.lead, message.status, message.purpose) == (
        lead.customer, lead, MessageStatus.QUEUED, "reactivation")
    assert message.body == "【示范店】张三丰您好，购车补贴即将截止，欢迎回店试驾。回复T退订"
    assert message.dedupe_key == f"reactivation:{lead.pk}:{lead.dormant_at:%Y%m%d}"
    assert list(lead.events.values_list("kind", "note")) == [(EventKind.MESSAGE, message.body)]


def test_reactivation_template_names_the_consultant(store, consultant, t0):
    LeadPolicy.objects.create(store=store,
                              reactivation_text="{name}：{consultant}在{store}等您 {x}")
    dormant_lead(store, consultant, t0)

    jobs.queue_reactivation(t0)

    assert OutboundMessage.objects.get().body == "张三丰：王芳在示范店等您 {x}"


def test_reactivation_without_consent_creates_the_task_only(store, consultant, t0):
    lead = dormant_lead(store, consultant, t0, consent=False)

    jobs.queue_reactivation(t0)

    assert list(Task.objects.values_list("lead", "assignee")) == [(lead.pk, consultant.pk)]
    assert OutboundMessage.objects.count() == 0
    assert lead.events.count() == 0


def test_reactivation_twice_changes_nothing(store, consultant, teammate, t0):
    dormant_lead(store, consultant, t0)
    dormant_lead(store, teammate, t0, consent=False)
    jobs.queue_reactivation(t0)
    before = snapshot()

    assert jobs.queue_reactivation(t0 + MIN) == 0
    assert jobs.queue_reactivation(t0 + 2 * DAY) == 0

    assert snapshot() == before
    assert (Task.objects.count(), OutboundMessage.objects.count()) == (2, 1)


def test_reactivation_respects_the_weekly_limit(store, consultant, t0):
    lead = dormant_lead(store, consultant, t0)
    for days, status in ((1, MessageStatus.SENT), (6, MessageStatus.SENT),
                         (2, MessageStatus.SUPPRESSED), (8, MessageStatus.SENT)):
        OutboundMessage.objects.create(store=store, customer=lead.customer, purpose="care",
                                       body="您好", dedupe_key=f"care:{days}:{status}",
                                       status=status, created_at=t0 - days * DAY)

    jobs.queue_reactivation(t0)

    assert Task.objects.count() == 1
    assert OutboundMessage.objects.filter(purpose="reactivation").count() == 0
    # A day later the six-day-old message has left the window: now it may go.
    jobs.queue_reactivation(t0 + 1 * DAY + MIN)
    assert OutboundMessage.objects.filter(purpose="reactivation").count() == 1


def test_reactivation_sends_one_message_per_customer(store, consultant, t0):
    first = dormant_lead(store, consultant, t0)
    LeadFactory(store=store, owner=consultant, customer=first.customer,
                status=LeadStatus.DORMANT, dormant_at=t0 - DAY)

    jobs.queue_reactivation(t0)

    assert Task.objects.count() == 2
    assert OutboundMessage.objects.count() == 1


def test_reactivation_leaves_pooled_and_awake_leads_alone(store, consultant, t0):
    dormant_lead(store, None, t0)
    LeadFactory(store=store, owner=consultant, status=LeadStatus.CONTACTED)

    assert jobs.queue_reactivation(t0) == 0
    assert (Task.objects.count(), OutboundMessage.objects.count()) == (0, 0)


def test_reactivation_queries_do_not_grow_with_leads(store, consultant, t0):
    jobs.ensure_policies()
    dormant_lead(store, consultant, t0)
    one = queries_of(jobs.queue_reactivation, t0)
    for _i in range(20):
        dormant_lead(store, consultant, t0)
    twenty = queries_of(jobs.queue_reactivation, t0)

    assert (Task.objects.count(), OutboundMessage.objects.count()) == (21, 21)
    assert one == twenty


# --- 5. Pool --------------------------------------------------------------------------------
def test_recycle_to_pool_after_thirty_more_days(store, consultant, teammate, t0):
    stale = dormant_lead(store, consultant, t0, dormant_at=t0 - 31 * DAY,
                         assigned_at=t0 - 90 * DAY)
    fresh = dormant_lead(store, consultant, t0, dormant_at=t0 - 29 * DAY)
    task = Task.objects.create(store=store, lead=stale, assignee=consultant,
                               kind=TaskKind.REACTIVATE, due_on=t0.date())

    assert jobs.recycle_to_pool(t0) == 1

    stale.refresh_from_db()
    stale.customer.refresh_from_db()
    task.refresh_from_db()
    assert (stale.owner, stale.pooled_at, stale.status) == (None, t0, LeadStatus.DORMANT)
    assert stale.customer.owner is None
    assert task.done_at == t0
    pooled = stale.events.get(kind=EventKind.POOLED)
    assert pooled.data == {"from_owner": consultant.pk, "rule": "pool_after_days", "days": 30}
    assert pooled.note == ("Dormant for 30 more days (rule: back to the pool): any consultant "
                           "of the store may claim it.")
    fresh.refresh_from_db()
    assert fresh.owner == consultant

    before = snapshot()
    assert jobs.recycle_to_pool(t0 + MIN) == 0
    assert snapshot() == before

    claimed = lead_claim(lead=stale, actor=teammate)
    assert claimed.owner == teammate


def test_recycle_keeps_the_customer_owner_while_another_lead_ties_them(store, consultant, t0):
    stale = dormant_lead(store, consultant, t0, dormant_at=t0 - 31 * DAY)
    LeadFactory(store=store, owner=consultant, customer=stale.customer, status=LeadStatus.WON)

    jobs.recycle_to_pool(t0)

    stale.customer.refresh_from_db()
    assert stale.customer.owner == consultant


def test_recycle_gives_a_claimed_lead_its_full_time(store, consultant, t0):
    claimed = dormant_lead(store, consultant, t0, dormant_at=t0 - 60 * DAY,
                           assigned_at=t0 - 3 * DAY)

    assert jobs.recycle_to_pool(t0) == 0
    claimed.refresh_from_db()
    assert claimed.owner == consultant


def test_recycle_queries_do_not_grow_with_leads(store, consultant, t0):
    jobs.ensure_policies()
    dormant_lead(store, consultant, t0, dormant_at=t0 - 40 * DAY)
    one = queries_of(jobs.recycle_to_pool, t0)
    for _i in range(20):
        dormant_lead(store, consultant, t0, dormant_at=t0 - 40 * DAY)
    twenty = queries_of(jobs.recycle_to_pool, t0)

    assert Lead.objects.filter(owner__isnull=True).count() == 21
    assert one == twenty


# --- Nightly chain --------------------------------------------------------------------------
def test_daily_housekeeping_runs_dormancy_then_reactivation_then_pool(store, consultant, t0):
    customer = CustomerFactory(store=store, owner=consultant, marketing_consent=True,
                               consent_at=t0)
    lead = LeadFactory(store=store, owner=consultant, customer=customer, created_at=t0)

    assert jobs.daily_lead_housekeeping(t0 + 31 * DAY) == {
        "dormant": 1, "reactivation": 1, "pooled": 0}
    assert jobs.daily_lead_housekeeping(t0 + 32 * DAY) == {
        "dormant": 0, "reactivation": 0, "pooled": 0}
    assert jobs.daily_lead_housekeeping(t0 + 62 * DAY) == {
        "dormant": 0, "reactivation": 0, "pooled": 1}

    assert [kind for kind, _note in events(lead)] == [
        EventKind.DORMANT, EventKind.MESSAGE, EventKind.POOLED]


# --- Two workers at once (PostgreSQL: row locks and SKIP LOCKED are real there) --------------
@pytest.fixture
def two_workers(transactional_db):
    require_postgres()
    jobs.ensure_policies()


def test_two_workers_escalate_each_lead_once(two_workers, store, consultant, t0):
    leads = [online_lead(store, consultant, t0) for _i in range(30)]

    results = race(lambda: jobs.escalate_first_contact(t0 + 31 * MIN),
                   lambda: jobs.escalate_first_contact(t0 + 31 * MIN))

    assert sum(result["reminded"] for result in results) == 30
    assert Notification.objects.count() == 30
    assert sorted(LeadEvent.objects.values_list("lead", flat=True)) == [lead.pk for lead in leads]


def test_two_workers_reassign_each_lead_once(two_workers, store, consultant, teammate, t0):
    leads = [online_lead(store, consultant, t0, sla_step=2) for _i in range(10)]

    results = race(lambda: jobs.escalate_first_contact(t0 + 121 * MIN),
                   lambda: jobs.escalate_first_contact(t0 + 121 * MIN))

    assert sum(result["reassigned"] for result in results) == 10
    assert sorted(LeadEvent.objects.filter(kind=EventKind.SLA_REASSIGNED).values_list(
        "lead", flat=True)) == [lead.pk for lead in leads]
    assert set(Lead.objects.values_list("owner", "sla_step")) == {(teammate.pk, 3)}
    assert Notification.objects.count() == 10


def test_two_workers_make_each_lead_dormant_once(two_workers, store, consultant, t0):
    LeadFactory.create_batch(30, store=store, owner=consultant, created_at=t0 - 40 * DAY)

    results = race(lambda: jobs.make_dormant(t0), lambda: jobs.make_dormant(t0))

    assert sum(results) == 30
    assert LeadEvent.objects.filter(kind=EventKind.DORMANT).count() == 30


def test_two_workers_queue_each_reactivation_once(two_workers, store, consultant, t0):
    for _i in range(30):
        dormant_lead(store, consultant, t0)

    race(lambda: jobs.queue_reactivation(t0), lambda: jobs.queue_reactivation(t0))

    assert Task.objects.count() == 30
    assert OutboundMessage.objects.count() == 30
    assert LeadEvent.objects.filter(kind=EventKind.MESSAGE).count() == 30


def test_two_workers_pool_each_lead_once(two_workers, store, consultant, t0):
    for _i in range(30):
        dormant_lead(store, consultant, t0, dormant_at=t0 - 40 * DAY)

    results = race(lambda: jobs.recycle_to_pool(t0), lambda: jobs.recycle_to_pool(t0))

    assert sum(results) == 30
    assert LeadEvent.objects.filter(kind=EventKind.POOLED).count() == 30
