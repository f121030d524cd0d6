"""After-sales selectors: the care plan's steps and the care tasks, shaped for the care
desk, the step list and the consultant's "my day" panel; each in a fixed number of
queries, scoped to the user's store (and a consultant's own customers or steps)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from aftersales.enums import (
    OPEN_CARE_STEP_STATUSES,
    CareChannel,
    CareStepKind,
    CareTaskKind,
    CareTaskStatus,
)
from aftersales.forms.care import CareStepFilter
from aftersales.models import CareSettings, CareStep, CareTask
from aftersales.permissions import customer_scope_q
from dealership.models import Store, User

DESK_LIMIT = 50
UPCOMING_DAYS = 7
STEP_RELATED = ("customer", "assignee", "done_by", "plan__consultant", "plan__contract",
                "plan__vehicle")


def care_settings_of(store: Store) -> CareSettings:
    """The store's settings; the defaults (unsaved) when it has no row yet: a read never
    writes."""
    return CareSettings.objects.filter(store=store).first() or CareSettings(store=store)


def _render(template: str, *, name: str, store: str, consultant: str) -> str:
    # The same placeholders as the outbox's messages; str.format() would choke on (and
    # expose attributes through) any other brace staff may type.
    return (template.replace("{name}", name).replace("{store}", store)
            .replace("{consultant}", consultant))


def care_steps_with_scripts(steps, *, settings: CareSettings, store: Store) -> list[CareStep]:
    """Give each step its `script`: what to say (a call) or what is sent (a message),
    rendered from the store's settings for this customer. No query."""
    templates = {CareStepKind.THANK_YOU_CALL: settings.thank_you_script,
                 CareStepKind.USAGE_TIPS: settings.usage_tips_template,
                 CareStepKind.FIRST_MAINTENANCE: settings.first_maintenance_template}
    steps = list(steps)
    for step in steps:
        consultant = step.plan.consultant
        step.script = _render(templates.get(step.kind, ""), name=step.customer.name,
                              store=store.name,
                              consultant=consultant.get_full_name() if consultant else "")
    return steps


# --- Scope ----------------------------------------------------------------------------------
def care_step_scope_for_user(user: User) -> QuerySet[CareStep]:
    """The steps the user may open: the store's for customer care and the manager, the own
    or team's customers' for consultant and supervisor, plus any step assigned to them."""
    if not user.is_authenticated or user.store_id is None:
        return CareStep.objects.none()
    return CareStep.objects.filter(store_id=user.store_id).filter(
        customer_scope_q(user) | Q(assignee_id=user.pk))


def care_step_get_for_user(*, user: User, pk: int) -> CareStep:
    step = (care_step_scope_for_user(user).select_related(*STEP_RELATED, "store")
            .filter(pk=pk).first())
    if step is None:
        raise Http404
    return step


def care_task_scope_for_user(user: User) -> QuerySet[CareTask]:
    if not user.is_authenticated or user.store_id is None:
        return CareTask.objects.none()
    return CareTask.objects.filter(store_id=user.store_id).filter(
        customer_scope_q(user) | Q(assignee_id=user.pk))


def care_task_get_for_user(*, user: User, pk: int) -> CareTask:
    task = (care_task_scope_for_user(user).select_related("customer", "assignee", "survey")
            .filter(pk=pk).first())
    if task is None:
        raise Http404
    return task


# --- The care desk --------------------------------------------------------------------------
def _open_tasks_first_low_scores(tasks: QuerySet[CareTask]) -> QuerySet[CareTask]:
    return tasks.annotate(low_first=Case(When(kind=CareTaskKind.LOW_SCORE, then=Value(0)),
                                         default=Value(1), output_field=IntegerField())
                          ).order_by("low_first", "due_on", "id")


def care_desk_rows(*, store: Store, today: dt.date) -> dict:
    """Customer care's working desk: the figures, the call steps due today or overdue
    (customer care's pool first, then the consultants'), the open follow-ups (low scores
    first) and the steps of the next seven days. Six queries whatever the row count."""
    settings = care_settings_of(store)
    steps = CareStep.objects.filter(store=store)
    horizon = today + dt.timedelta(days=UPCOMING_DAYS)
    open_q = Q(status__in=OPEN_CARE_STEP_STATUSES)
    figures = steps.filter(open_q, due_on__lte=horizon).aggregate(
        due_today=Count("id", filter=Q(due_on=today)),
        overdue=Count("id", filter=Q(due_on__lt=today)),
        upcoming=Count("id", filter=Q(due_on__gt=today)))
    tasks = CareTask.objects.filter(store=store, status=CareTaskStatus.OPEN)
    figures |= tasks.aggregate(tasks=Count("id"),
                               low_scores=Count("id", filter=Q(kind=CareTaskKind.LOW_SCORE)))
    calls = (steps.filter(open_q, channel=CareChannel.CALL, due_on__lte=today)
             .select_related(*STEP_RELATED)
             .order_by(F("assignee_id").asc(nulls_first=True), "due_on", "id")[:DESK_LIMIT])
    upcoming = (steps.filter(open_q, due_on__gt=today, due_on__lte=horizon)
                .select_related(*STEP_RELATED).order_by("due_on", "id")[:DESK_LIMIT])
    open_tasks = _open_tasks_first_low_scores(
        tasks.select_related("customer", "assignee"))[:DESK_LIMIT]
    return {"settings": settings, "figures": figures,
            "calls": care_steps_with_scripts(calls, settings=settings, store=store),
            "upcoming": care_steps_with_scripts(upcoming, settings=settings, store=store),
            "tasks": list(open_tasks)}


# --- The step list --------------------------------------------------------------------------
def care_step_list_for_user(*, user: User, params, today: dt.date
                            ) -> tuple[CareStepFilter, QuerySet[CareStep]]:
    """The steps in scope, filtered (status, kind, assignee, due range), the soonest due
    first."""
    rows = (care_step_scope_for_user(user).select_related(*STEP_RELATED)
            .order_by("due_on", "id"))
    filterset = CareStepFilter(params, queryset=rows, store=user.store, today=today)
    if not filterset.is_valid():
        return filterset, rows.none()
    return filterset, filterset.qs


# --- "My day" -------------------------------------------------------------------------------
def care_steps_for_my_day(*, user: User, day: dt.date) -> dict:
    """The consultant's open care steps due today or before (the thank-you calls) and the
    open follow-ups assigned to them: a query each, and one for the store's settings (the
    scripts) when a step is due."""
    steps = list(CareStep.objects.filter(
        store_id=user.store_id, assignee=user, status__in=OPEN_CARE_STEP_STATUSES,
        due_on__lte=day).select_related(*STEP_RELATED).order_by("due_on", "id")[:DESK_LIMIT])
    if steps:
        steps = care_steps_with_scripts(steps, settings=care_settings_of(user.store),
                                        store=user.store)
    tasks = _open_tasks_first_low_scores(
        CareTask.objects.filter(store_id=user.store_id, assignee=user,
                                status=CareTaskStatus.OPEN)
        .select_related("customer", "assignee"))[:DESK_LIMIT]
    return {"care_steps_due": steps, "care_tasks_mine": list(tasks)}

