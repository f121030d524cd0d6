"""After-sales services: the care plan after delivery (DESIGN §2 "After-sales"; seed 004
回访). A delivered contract gets one plan with three steps on the store's days; a step is
done or skipped with an outcome; a care task is closed with its outcome; the manager sets
the store's schedule, templates and script."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.enums import (
    OPEN_CARE_STEP_STATUSES,
    CareChannel,
    CareStepKind,
    CareStepStatus,
    CareTaskStatus,
    LeadEventKind,
)
from aftersales.models import CarePlan, CareSettings, CareStep, CareTask
from contracts.models import Contract
from dealership.enums import AuditAction, Role
from dealership.models import Store, User
from dealership.permissions import has_role
from dealership.services.audit import audit_changes, audit_log
from leads.services.events import event as lead_event

logger = logging.getLogger(__name__)

OUTCOME_MAX = 500

# What each step is: (kind, channel, the settings' day field, assigned to the consultant).
PLAN_STEPS: tuple[tuple[str, str, str, bool], ...] = (
    (CareStepKind.THANK_YOU_CALL, CareChannel.CALL, "thank_you_day", True),
    (CareStepKind.USAGE_TIPS, CareChannel.MESSAGE, "usage_tips_day", False),
    # Customer care's pool calls to book the first maintenance (and a message is queued
    # when the step falls due, consent permitting).
    (CareStepKind.FIRST_MAINTENANCE, CareChannel.CALL, "first_maintenance_day", False),
)


def care_settings_ensure(*, store: Store) -> CareSettings:
    """The store's after-sales settings, made with the defaults on first use (a race on the
    one-to-one is decided by the database: the loser reads the winner's row)."""
    row = CareSettings.objects.filter(store=store).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return CareSettings.objects.create(store=store)
    except IntegrityError:
        return CareSettings.objects.get(store=store)


# --- The plan -------------------------------------------------------------------------------
def care_plan_start(*, contract_id: int, delivered_at: dt.datetime,
                    vehicle_id: int | None = None) -> CarePlan:
    """Start the care plan of a delivered contract: its three steps due on the store's
    days after the delivery (the store's day of `delivered_at`, never UTC's). Idempotent:
    a plan exists once per contract, a second call returns the first (the unique
    (store, contract) decides a race).

    Side effects: the plan, its three steps, an audit row (actor: the system).
    """
    with transaction.atomic():
        known = CarePlan.objects.filter(contract_id=contract_id).first()
        if known is not None:
            return known
        contract = Contract.objects.select_related("store").get(pk=contract_id)
        store = contract.store
        settings = care_settings_ensure(store=store)
        delivered_on = timezone.localdate(delivered_at, store.tzinfo)
        try:
            with transaction.atomic():
                plan = CarePlan.objects.create(
                    store=store, contract=contract, customer_id=contract.customer_id,
                    vehicle_id=vehicle_id, consultant_id=contract.consultant_id,
                    delivered_at=delivered_at, delivered_on=delivered_on,
                    created_at=timezone.now())
        except IntegrityError:  # started a moment ago by another worker: theirs stands
            return CarePlan.objects.get(contract_id=contract_id)
        CareStep.objects.bulk_create([
            CareStep(store=store, plan=plan, customer_id=contract.customer_id, kind=kind,
                     channel=channel,
                     due_on=delivered_on + dt.timedelta(days=getattr(settings, day_field)),
                     assignee_id=contract.consultant_id if to_consultant else None,
                     created_at=plan.created_at)
            for kind, channel, day_field, to_consultant in PLAN_STEPS])
        audit_log(actor=None, instance=plan, action=AuditAction.CREATE,
                  changes={"delivered_on": [None, delivered_on.isoformat()]})
    return plan


# --- Who may work a step or a task -------------------------------------------------------------
def can_work_care_step(user: User, step: CareStep) -> bool:
    """Customer care works every step of its store; a consultant the steps assigned to
    them (the thank-you call); the service advisor closes a first-maintenance reminder by
    booking the visit (aftersales.services.service.appointment_book)."""
    if user.store_id is None or user.store_id != step.store_id:
        return False
    if has_role(user, Role.CUSTOMER_CARE):
        return True
    if has_role(user, Role.SERVICE_ADVISOR):
        return step.kind == CareStepKind.FIRST_MAINTENANCE
    return has_role(user, Role.CONSULTANT) and step.assignee_id == user.pk


def can_work_care_task(user: User, task: CareTask) -> bool:
    """Customer care works the store's follow-ups; anyone else only one assigned to them."""
    if user.store_id is None or user.store_id != task.store_id:
        return False
    return has_role(user, Role.CUSTOMER_CARE) or task.assignee_id == user.pk


def _clean_outcome(outcome: str) -> str:
    outcome = " ".join((outcome or "").split())
    if not outcome:
        raise ValidationError({"outcome": [_("Say what happened: the outcome is needed.")]})
    if len(outcome) > OUTCOME_MAX:
        raise ValidationError({"outcome": [
            _("Keep the outcome to %(max)d characters.") % {"max": OUTCOME_MAX}]})
    return outcome


# --- Steps ----------------------------------------------------------------------------------
def _care_step_close(*, actor: User, step: CareStep, outcome: str, status: str) -> CareStep:
    if not can_work_care_step(actor, step):
        raise PermissionDenied(_("Only customer care or the consultant it is assigned to "
                                 "works this step."))
    outcome = _clean_outcome(outcome)
    with transaction.atomic():
        locked = (CareStep.objects.select_for_update(of=("self",))
                  .select_related("plan__contract__lead").get(pk=step.pk))
        if locked.status not in OPEN_CARE_STEP_STATUSES:
            raise ValidationError(_("This step was already closed (%(status)s) by someone "
                                    "else.") % {"status": locked.get_status_display()})
        before = locked.status
        locked.status, locked.outcome = status, outcome
        locked.done_at, locked.done_by = timezone.now(), actor
        locked.save(update_fields=["status", "outcome", "done_at", "done_by"])
        audit_log(actor=actor, instance=locked, action=AuditAction.UPDATE,
                  changes={"status": [before, status], "outcome": ["", outcome]})
        lead = locked.plan.contract.lead
        if lead is not None:
            lead_event(lead, LeadEventKind.CARE_STEP, actor=actor,
                       note=f"{locked.get_kind_display()}: {outcome}",
                       step=locked.pk, status=status)
    return locked


def care_step_complete(*, actor: User, step: CareStep, outcome: str) -> CareStep:
    """Mark an open step done with what happened (the call made, the message sent by hand).

    Refused: another store's step or one not assigned to a consultant (PermissionDenied),
    no outcome or one over 500 characters (ValidationError on "outcome"), a step already
    closed (ValidationError without a field: the view answers 409). Side effects: the
    step, its audit row, a CARE_STEP event on the contract's lead.
    """
    return _care_step_close(actor=actor, step=step, outcome=outcome,
                            status=CareStepStatus.DONE)


def care_step_skip(*, actor: User, step: CareStep, outcome: str) -> CareStep:
    """Skip an open step, saying why (the customer asked not to be called, …). The same
    refusals and side effects as `care_step_complete`."""
    return _care_step_close(actor=actor, step=step, outcome=outcome,
                            status=CareStepStatus.SKIPPED)


# --- Tasks ----------------------------------------------------------------------------------
def care_task_complete(*, actor: User, task: CareTask, outcome: str) -> CareTask:
    """Close a follow-up with what happened. Refused: another store's task, or one a
    non-customer-care user is not assigned (PermissionDenied), no outcome or one over 500
    characters (ValidationError on "outcome"), a task already done (ValidationError
    without a field: 409). Side effects: the task, its audit row."""
    if not can_work_care_task(actor, task):
        raise PermissionDenied(_("Only customer care or the person it is assigned to closes "
                                 "this follow-up."))
    outcome = _clean_outcome(outcome)
    with transaction.atomic():
        locked = CareTask.objects.select_for_update(of=("self",)).get(pk=task.pk)
        if locked.status != CareTaskStatus.OPEN:
            raise ValidationError(_("This follow-up was already done by someone else."))
        locked.status, locked.outcome = CareTaskStatus.DONE, outcome
        locked.done_at, locked.done_by = timezone.now(), actor
        locked.save(update_fields=["status", "outcome", "done_at", "done_by"])
        audit_log(actor=actor, instance=locked, action=AuditAction.UPDATE,
                  changes={"status": [CareTaskStatus.OPEN, CareTaskStatus.DONE],
                           "outcome": ["", outcome]})
    return locked


# --- Settings -------------------------------------------------------------------------------
SETTINGS_FIELDS = CareSettings.AUDIT_FIELDS


def care_settings_update(*, actor: User, store: Store, **values) -> CareSettings:
    """Set the store's after-sales settings (the care schedule, templates, script, the
    maintenance intervals, the survey link's life, the referral's points). Manager of the
    store only. Refused: unknown fields (TypeError), values outside their ranges
    (ValidationError naming the field). Plans already started keep their dates. Side
    effects: the row and an audit row of what changed."""
    if not (has_role(actor, Role.MANAGER) and actor.store_id == store.pk):
        raise PermissionDenied(_("Only the store's manager changes these settings."))
    if unknown := set(values) - set(SETTINGS_FIELDS):
        raise TypeError(f"unknown settings: {sorted(unknown)}")
    with transaction.atomic():
        care_settings_ensure(store=store)
        row = CareSettings.objects.select_for_update().get(store=store)
        for name, value in values.items():
            setattr(row, name, value)
        row.full_clean(exclude=["store"])
        row.save()
        audit_changes(actor=actor, instance=row)
    return row



# --- The hook -------------------------------------------------------------------------------
def care_plan_on_delivery(sender, *, contract_id: int, delivered_at: dt.datetime,
                          vehicle_id: int | None = None, **kwargs) -> None:
    """Receiver of delivery's `vehicle_delivered` (sent after the handover committed):
    one plan and three steps, inline (quick, and idempotent if the hook fires twice). A
    failure must not turn the committed handover into an error page: it is logged, and
    the hourly job starts the missed plan."""
    try:
        care_plan_start(contract_id=contract_id, delivered_at=delivered_at,
                        vehicle_id=vehicle_id)
    except Exception:
        logger.exception("care plan of contract %s not started; the job will retry",
                         contract_id)
