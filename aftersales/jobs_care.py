"""After-sales periodic jobs: care (set-based, idempotent; thin Celery tasks at the end).

`advance_care_plans` runs hourly. For each store with open steps, on the store's own
today (a store in Shanghai starts its day eight hours before UTC does):

1. every scheduled step whose day has come becomes due, in one UPDATE;
2. the due message steps (usage tips) queue their message through the outbox
   (consent and the weekly limit respected, deduplicated by the step) and are closed:
   done "queued", or skipped "not sent: …" when the outbox refused;
3. a first-maintenance step that has just fallen due also queues its reminder message
   once (the step itself stays due: customer care calls to book the visit).

Before that, a contract delivered in the last week whose plan the hook did not start (a
failed receiver) gets it, so a delivery is never left without care.

Rows are claimed with SKIP LOCKED, so two workers never act on the same step, and the
messages carry the step's dedupe key: a second run writes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from aftersales.enums import CareChannel, CareStepKind, CareStepStatus
from aftersales.models import CareStep
from aftersales.services.care import care_plan_start, care_settings_ensure
from contracts.enums import ContractStatus
from contracts.models import Contract
from dealership.models import Store
from delivery.models import Allocation
from leads.messaging import message_queue, message_render

logger = logging.getLogger(__name__)

PURPOSE_CARE = "care"
# A delivered contract without a plan this many days on gets it late (not older ones: a
# thank-you call weeks late would do more harm than good).
CATCH_UP_DAYS = 7


def care_step_dedupe_key(step_id: int) -> str:
    return f"care-step:{step_id}"


def _body(template: str, step: CareStep) -> str:
    consultant = step.plan.consultant
    return message_render(template, name=step.customer.name, store=step.store.name,
                          consultant=consultant.get_full_name() if consultant else "")


def _refusal(step: CareStep) -> str:
    # Stored for staff to read: the site's language (a job has no request language).
    with override(settings.LANGUAGE_CODE):
        if not step.customer.marketing_consent or step.customer.anonymised_at is not None:
            return _("not sent: no consent to messages")
        return _("not sent: the weekly message limit was reached")


def _queue(step: CareStep, template: str, now: dt.datetime):
    return message_queue(customer=step.customer, lead=step.plan.contract.lead,
                         purpose=PURPOSE_CARE, body=_body(template, step),
                         dedupe_key=care_step_dedupe_key(step.pk), now=now)


def advance_store_care_plans(*, store: Store, now: dt.datetime) -> dict[str, int]:
    """One store's run of `advance_care_plans` (on the store's day of `now`)."""
    today = timezone.localdate(now, store.tzinfo)
    counts = {"due": 0, "sent": 0, "not_sent": 0, "reminders": 0}
    care = None
    with transaction.atomic():
        # 1. Scheduled → due, claimed so that only this run acts on the rows it moved.
        fallen = list(CareStep.objects.filter(store=store, status=CareStepStatus.SCHEDULED,
                                              due_on__lte=today)
                      .select_for_update(skip_locked=True).values_list("pk", flat=True))
        if fallen:
            counts["due"] = CareStep.objects.filter(
                pk__in=fallen, status=CareStepStatus.SCHEDULED).update(
                    status=CareStepStatus.DUE)
        # 2. Due message steps: queue and close (also ones a failed run left due).
        messages = list(CareStep.objects.filter(store=store, status=CareStepStatus.DUE,
                                                channel=CareChannel.MESSAGE)
                        .select_for_update(of=("self",), skip_locked=True)
                        .select_related("customer", "store", "plan__consultant",
                                        "plan__contract__lead")
                        .order_by("pk"))
        # 3. First-maintenance steps that this run made due: their reminder message.
        reminders = list(CareStep.objects.filter(pk__in=fallen,
                                                 kind=CareStepKind.FIRST_MAINTENANCE,
                                                 message__isnull=True)
                         .select_related("customer", "store", "plan__consultant",
                                         "plan__contract__lead")
                         .order_by("pk")) if fallen else []
        if messages or reminders:
            care = care_settings_ensure(store=store)
        for step in messages:
            template = (care.usage_tips_template if step.kind == CareStepKind.USAGE_TIPS
                        else care.first_maintenance_template)
            message = _queue(step, template, now)
            if message is not None:
                step.status, step.message = CareStepStatus.DONE, message
                with override(settings.LANGUAGE_CODE):
                    step.outcome = _("queued")
                counts["sent"] += 1
            else:
                step.status, step.outcome = CareStepStatus.SKIPPED, _refusal(step)
                counts["not_sent"] += 1
            step.done_at = now
            step.save(update_fields=["status", "message", "outcome", "done_at"])
        for step in reminders:
            message = _queue(step, care.first_maintenance_template, now)
            if message is not None:
                CareStep.objects.filter(pk=step.pk).update(message=message)
                counts["reminders"] += 1
    return counts


def start_missed_care_plans(*, now: dt.datetime) -> int:
    """Start the plan of a contract delivered in the last days that has none (the hook's
    receiver failed, or the worker died between the handover's commit and the hook): one
    query finds them, the service starts each. Returns how many were started."""
    missed = list(Contract.objects.filter(
        status__in=(ContractStatus.DELIVERED, ContractStatus.CLOSED),
        delivered_at__gte=now - dt.timedelta(days=CATCH_UP_DAYS), delivered_at__lte=now,
        care_plan__isnull=True).order_by("pk").values_list("pk", "delivered_at"))
    if not missed:
        return 0
    vehicles = dict(Allocation.objects.filter(
        contract_id__in=[pk for pk, _at in missed], released_at__isnull=True)
        .values_list("contract_id", "vehicle_id"))
    for pk, delivered_at in missed:
        care_plan_start(contract_id=pk, delivered_at=delivered_at, vehicle_id=vehicles.get(pk))
    logger.warning("care plans started late for %d delivered contracts", len(missed))
    return len(missed)


def advance_care_plans(now: dt.datetime | None = None) -> dict[str, int]:
    """Start any plan the hook missed, make the due care steps of every store visible and
    queue their messages; returns the counts of this run (all zero on a second run)."""
    now = now or timezone.now()
    total = {"due": 0, "sent": 0, "not_sent": 0, "reminders": 0}
    total["plans"] = start_missed_care_plans(now=now)
    store_ids = (CareStep.objects.filter(status__in=(CareStepStatus.SCHEDULED,
                                                     CareStepStatus.DUE))
                 .order_by().values_list("store_id", flat=True).distinct())
    for store in Store.objects.filter(pk__in=store_ids).order_by("pk"):
        for key, value in advance_store_care_plans(store=store, now=now).items():
            total[key] += value
    if any(total.values()):
        logger.info("care plans advanced: %s", total)
    return total


@shared_task(name="aftersales.advance_care_plans", soft_time_limit=600, time_limit=660)
def advance_care_plans_task() -> None:
    advance_care_plans()

