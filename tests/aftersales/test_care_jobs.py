"""The hourly job: steps fall due on the store's day, messages go through the outbox with
consent respected, a second run writes nothing."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from aftersales.enums import CareStepKind, CareStepStatus
from aftersales.jobs_care import advance_care_plans, advance_care_plans_task
from aftersales.models import CarePlan, CareSettings, CareStep
from contracts.enums import ContractStatus
from contracts.models import Contract
from leads.enums import EventKind
from leads.models import LeadEvent, OutboundMessage
from tests.aftersales.factories_care import at_store, planned, step_of
from tests.contracts.factories import make_contract
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

DELIVERED = dt.date(2026, 5, 1)


@pytest.fixture(autouse=True)
def _site_in_english(settings):
    # The outcomes the job writes are in the site's language: English here, the msgids.
    settings.LANGUAGE_CODE = "en"


def _statuses(plan) -> dict[str, str]:
    return dict(CareStep.objects.filter(plan=plan).values_list("kind", "status"))


def test_before_the_day_nothing_moves(consultant, manager):
    plan = planned(consultant, manager, delivered_at=at_store(DELIVERED))

    counts = advance_care_plans(now=at_store(DELIVERED, 23, 59))

    assert counts == {"plans": 0, "due": 0, "sent": 0, "not_sent": 0, "reminders": 0}
    assert set(_statuses(plan).values()) == {CareStepStatus.SCHEDULED}


def test_the_store_day_starts_at_local_midnight(consultant, manager):
    plan = planned(consultant, manager, delivered_at=at_store(DELIVERED))
    # 16:30 UTC on 1 May is 00:30 on 2 May in Shanghai: the thank-you call's day.
    now = dt.datetime(2026, 5, 1, 16, 30, tzinfo=dt.UTC)

    counts = advance_care_plans(now=now)

    assert counts == {"plans": 0, "due": 1, "sent": 0, "not_sent": 0, "reminders": 0}
    assert _statuses(plan) == {CareStepKind.THANK_YOU_CALL: CareStepStatus.DUE,
                               CareStepKind.USAGE_TIPS: CareStepStatus.SCHEDULED,
                               CareStepKind.FIRST_MAINTENANCE: CareStepStatus.SCHEDULED}


def test_usage_tips_are_queued_for_a_consenting_customer(consultant, manager, store):
    CareSettings.objects.create(store=store,
                                usage_tips_template="{name}您好，{store}提醒：{consultant}")
    plan = planned(consultant, manager, delivered_at=at_store(DELIVERED))
    now = at_store(DELIVERED + dt.timedelta(days=7), 9)

    counts = advance_care_plans(now=now)

    assert counts == {"plans": 0, "due": 2, "sent": 1, "not_sent": 0, "reminders": 0}
    tips = step_of(plan, CareStepKind.USAGE_TIPS)
    message = OutboundMessage.objects.get()
    assert (tips.status, tips.outcome, tips.message, tips.done_at) == (
        CareStepStatus.DONE, "queued", message, now)
    customer = plan.customer
    assert message.customer == customer
    assert message.body == f"{customer.name}您好，{store.name}提醒：王芳"
    assert message.dedupe_key == f"care-step:{tips.pk}"
    assert message.purpose == "care"
    assert LeadEvent.objects.filter(lead=plan.contract.lead, kind=EventKind.MESSAGE).count() == 1
    assert step_of(plan, CareStepKind.THANK_YOU_CALL).status == CareStepStatus.DUE


def test_no_consent_no_message_and_the_step_is_skipped(consultant, manager, store):
    customer = CustomerFactory(store=store, owner=consultant, marketing_consent=False)
    plan = planned(consultant, manager, customer=customer, delivered_at=at_store(DELIVERED))
    now = at_store(DELIVERED + dt.timedelta(days=7), 9)

    counts = advance_care_plans(now=now)

    assert counts == {"plans": 0, "due": 2, "sent": 0, "not_sent": 1, "reminders": 0}
    assert not OutboundMessage.objects.exists()
    tips = step_of(plan, CareStepKind.USAGE_TIPS)
    assert (tips.status, tips.outcome, tips.message, tips.done_at) == (
        CareStepStatus.SKIPPED, "not sent: no consent to messages", None, now)


def test_weekly_limit_reached_skips_the_message(consultant, manager, store):
    plan = planned(consultant, manager, delivered_at=at_store(DELIVERED))
    now = at_store(DELIVERED + dt.timedelta(days=7), 9)
    for n in range(2):  # the store's default: two messages a customer a week
        OutboundMessage.objects.create(store=store, customer=plan.customer, purpose="other",
                                       body="之前的消息", dedupe_key=f"earlier-{n}",
                                       created_at=now - dt.timedelta(days=1))

    advance_care_plans(now=now)

    tips = step_of(plan, CareStepKind.USAGE_TIPS)
    assert (tips.status, tips.outcome) == (
        CareStepStatus.SKIPPED, "not sent: the weekly message limit was reached")
    assert OutboundMessage.objects.count() == 2


def test_first_maintenance_falls_due_with_its_reminder_queued_once(consultant, manager, store):
    plan = planned(consultant, manager, delivered_at=at_store(DELIVERED))
    now = at_store(DELIVERED + dt.timedelta(days=30), 9)

    counts = advance_care_plans(now=now)

    assert counts == {"plans": 0, "due": 3, "sent": 1, "not_sent": 0, "reminders": 1}
    first = step_of(plan, CareStepKind.FIRST_MAINTENANCE)
    reminder = OutboundMessage.objects.get(dedupe_key=f"care-step:{first.pk}")
    assert (first.status, first.message, first.outcome) == (CareStepStatus.DUE, reminder, "")
    assert reminder.body.startswith(f"{plan.customer.name}您好，您的爱车即将到达首次保养时间，"
                                    f"{store.name}")

    later = advance_care_plans(now=now + dt.timedelta(days=1))

    assert later == {"plans": 0, "due": 0, "sent": 0, "not_sent": 0, "reminders": 0}
    assert OutboundMessage.objects.filter(dedupe_key=f"care-step:{first.pk}").count() == 1


def test_second_run_writes_nothing(consultant, manager, store):
    plan = planned(consultant, manager, delivered_at=at_store(DELIVERED))
    other = planned(consultant, manager,
                    customer=CustomerFactory(store=store, owner=consultant),
                    delivered_at=at_store(DELIVERED))
    now = at_store(DELIVERED + dt.timedelta(days=30), 9)
    advance_care_plans(now=now)
    before = list(CareStep.objects.order_by("pk").values())
    messages = OutboundMessage.objects.count()
    events = LeadEvent.objects.count()

    counts = advance_care_plans(now=now + dt.timedelta(minutes=5))

    assert counts == {"plans": 0, "due": 0, "sent": 0, "not_sent": 0, "reminders": 0}
    assert list(CareStep.objects.order_by("pk").values()) == before
    assert (OutboundMessage.objects.count(), LeadEvent.objects.count()) == (messages, events)
    assert step_of(other, CareStepKind.USAGE_TIPS).status == CareStepStatus.SKIPPED
    assert step_of(plan, CareStepKind.USAGE_TIPS).status == CareStepStatus.DONE


def test_closed_steps_are_left_alone(consultant, manager):
    plan = planned(consultant, manager, delivered_at=at_store(DELIVERED))
    call = step_of(plan, CareStepKind.THANK_YOU_CALL)
    CareStep.objects.filter(pk=call.pk).update(status=CareStepStatus.SKIPPED, outcome="x",
                                               done_at=timezone.now())

    advance_care_plans(now=at_store(DELIVERED + dt.timedelta(days=2)))

    call.refresh_from_db()
    assert (call.status, call.outcome) == (CareStepStatus.SKIPPED, "x")


def test_each_store_on_its_own_day(consultant, manager, store):
    store.timezone = "America/Los_Angeles"  # 15 hours behind Shanghai in May
    store.save(update_fields=["timezone"])
    plan = planned(consultant, manager, delivered_at=at_store(DELIVERED))
    # Delivered on 30 April in Los Angeles (10:00 Shanghai = 19:00 the day before there).
    assert plan.delivered_on == dt.date(2026, 4, 30)
    # 08:00 on 1 May in Shanghai is still 30 April in Los Angeles: not yet due.
    advance_care_plans(now=at_store(DELIVERED, 8))
    assert step_of(plan, CareStepKind.THANK_YOU_CALL).status == CareStepStatus.SCHEDULED

    advance_care_plans(now=at_store(DELIVERED, 16))  # 01:00 on 1 May in Los Angeles

    assert step_of(plan, CareStepKind.THANK_YOU_CALL).status == CareStepStatus.DUE


def test_the_celery_task_runs_the_job_at_the_clock(consultant, manager):
    plan = planned(consultant, manager, delivered_at=at_store(DELIVERED))

    with mock.patch.object(timezone, "now",
                           return_value=at_store(DELIVERED + dt.timedelta(days=1), 8)):
        advance_care_plans_task.apply()

    assert step_of(plan, CareStepKind.THANK_YOU_CALL).status == CareStepStatus.DUE


def test_a_delivery_the_hook_missed_gets_its_plan_from_the_job(consultant, manager, customer,
                                                                store):
    now = timezone.now()
    recent = make_contract(consultant, customer, manager=manager,
                           status=ContractStatus.DELIVERED)  # delivered without the hook
    old = make_contract(consultant, CustomerFactory(store=store, owner=consultant),
                        manager=manager, status=ContractStatus.DELIVERED)
    Contract.objects.filter(pk=recent.pk).update(delivered_at=now - dt.timedelta(days=2))
    Contract.objects.filter(pk=old.pk).update(delivered_at=now - dt.timedelta(days=8))

    counts = advance_care_plans(now=now)

    assert counts["plans"] == 1
    plan = CarePlan.objects.get()
    assert (plan.contract_id, plan.delivered_at) == (recent.pk, now - dt.timedelta(days=2))
    assert step_of(plan, CareStepKind.THANK_YOU_CALL).status == CareStepStatus.DUE
    assert advance_care_plans(now=now)["plans"] == 0
