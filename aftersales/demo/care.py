"""After-sales demo data: care. Every contract delivery's demo handed over gets its care
plan (through `care_plan_start`, on the store's day of the delivery); the hourly job is
run once (steps fall due, the usage-tips messages are queued or refused for want of
consent); then customer care and the consultants work most of the calls that are due,
done or skipped with an outcome, leaving a few overdue. Recent deliveries keep their
later steps scheduled: the desk shows every state.

The seed runs inside the demo's transaction, before delivery's `vehicle_delivered`
receivers (sent on commit) run: when they do, they find the plans and change nothing.
"""

from __future__ import annotations

import random

from django.utils import timezone, translation

from aftersales.enums import OPEN_CARE_STEP_STATUSES, CareChannel, CareStepKind
from aftersales.jobs_care import advance_store_care_plans
from aftersales.models import CarePlan, CareStep
from aftersales.services.care import (
    can_work_care_step,
    care_plan_start,
    care_step_complete,
    care_step_skip,
)
from contracts.enums import ContractStatus
from contracts.models import Contract
from dealership.enums import Role
from dealership.models import Store, User
from delivery.models import Allocation

LANGUAGE = "zh-hans"
DONE_OUTCOMES = {
    CareStepKind.THANK_YOU_CALL: ("客户对新车很满意，手机互联已教会。",
                                  "客户反馈交车流程顺畅，表示感谢。",
                                  "已回访，客户询问了保养周期，已解答。"),
    CareStepKind.FIRST_MAINTENANCE: ("已电话提醒，客户表示下周来店保养。", "客户已预约首保。"),
}
SKIP_OUTCOMES = ("多次致电未接通，已发短信留言。", "客户表示工作繁忙，不需要回访。")


def seed(rng: random.Random, *, store: Store, scale: str) -> None:
    with translation.override(LANGUAGE):
        delivered = list(Contract.objects.filter(
            store=store, status__in=(ContractStatus.DELIVERED, ContractStatus.CLOSED),
            delivered_at__isnull=False).order_by("delivered_at", "pk")
            .values_list("pk", "delivered_at"))
        if not delivered:
            return
        vehicles = dict(Allocation.objects.filter(
            contract_id__in=[pk for pk, _at in delivered], released_at__isnull=True)
            .values_list("contract_id", "vehicle_id"))
        known = set(CarePlan.objects.filter(contract_id__in=[pk for pk, _at in delivered])
                    .values_list("contract_id", flat=True))
        started = [care_plan_start(contract_id=pk, delivered_at=delivered_at,
                                   vehicle_id=vehicles.get(pk)).pk
                   for pk, delivered_at in delivered if pk not in known]
        advance_store_care_plans(store=store, now=timezone.now())
        # A second seeding finds the plans and leaves their steps as they are.
        if started:
            _work_the_calls(rng, store, plan_ids=started)


def _work_the_calls(rng: random.Random, store: Store, *, plan_ids: list[int]) -> None:
    """Close most of the due calls (the oldest first), keep about one in five open: the
    overdue and today's calls of the desk."""
    carer = (User.objects.filter(store=store, role=Role.CUSTOMER_CARE, is_active=True)
             .order_by("pk").first())
    calls = list(CareStep.objects.filter(store=store, plan_id__in=plan_ids,
                                         channel=CareChannel.CALL,
                                         status__in=OPEN_CARE_STEP_STATUSES,
                                         due_on__lte=store.today())
                 .select_related("assignee").order_by("due_on", "pk"))
    for index, step in enumerate(calls):
        if index >= len(calls) - 2 or rng.random() < 0.2:
            continue  # left open: overdue or due today on the desk
        actor = step.assignee if (step.assignee is not None
                                  and can_work_care_step(step.assignee, step)) else carer
        if actor is None or not can_work_care_step(actor, step):
            continue
        if rng.random() < 0.15:
            care_step_skip(actor=actor, step=step, outcome=rng.choice(SKIP_OUTCOMES))
        else:
            care_step_complete(actor=actor, step=step,
                               outcome=rng.choice(DONE_OUTCOMES[step.kind]))
