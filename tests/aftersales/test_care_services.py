"""Closing a care step or a follow-up, and the store's care settings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from aftersales.enums import CareStepKind, CareStepStatus, CareTaskStatus, LeadEventKind
from aftersales.models import CareSettings, CareStep, CareTask
from aftersales.services.care import (
    care_settings_update,
    care_step_complete,
    care_step_skip,
    care_task_complete,
)
from dealership.enums import AuditAction, Role
from dealership.models import AuditEntry
from leads.models import LeadEvent
from tests.aftersales.factories_care import at_store, planned, step_of, task_for, thank_you

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


@pytest.fixture
def carer(make_user):
    return make_user(Role.CUSTOMER_CARE, name="钱客服")


@pytest.fixture
def plan(consultant, manager):
    return planned(consultant, manager, delivered_at=at_store(dt.date(2026, 5, 1)))


def _audits(instance) -> list[tuple[str, dict]]:
    return list(AuditEntry.objects.filter(
        object_id=str(instance.pk), content_type__model=type(instance)._meta.model_name)
        .order_by("pk").values_list("action", "changes"))


def _unchanged(step: CareStep) -> None:
    step.refresh_from_db()
    assert (step.status, step.outcome, step.done_at, step.done_by) == (
        CareStepStatus.SCHEDULED, "", None, None)


# --- Steps ----------------------------------------------------------------------------------
def test_consultant_completes_their_thank_you_call(plan, consultant):
    step = thank_you(plan)

    done = care_step_complete(actor=consultant, step=step, outcome="  客户很满意，\n已教会互联 ")

    step.refresh_from_db()
    assert step == done
    assert (step.status, step.outcome, step.done_by) == (
        CareStepStatus.DONE, "客户很满意， 已教会互联", consultant)
    assert step.done_at is not None
    assert _audits(step) == [(AuditAction.UPDATE, {"status": ["scheduled", "done"],
                                                   "outcome": ["", "客户很满意， 已教会互联"]})]
    event = LeadEvent.objects.get(lead=plan.contract.lead, kind=LeadEventKind.CARE_STEP)
    assert event.note == "Thank-you call: 客户很满意， 已教会互联"
    assert event.actor == consultant
    assert event.data == {"step": step.pk, "status": "done"}


def test_customer_care_skips_a_pool_step(plan, carer):
    step = step_of(plan, CareStepKind.FIRST_MAINTENANCE)

    care_step_skip(actor=carer, step=step, outcome="客户已在别处保养")

    step.refresh_from_db()
    assert (step.status, step.outcome, step.done_by) == (
        CareStepStatus.SKIPPED, "客户已在别处保养", carer)


def test_a_plan_without_lead_writes_no_timeline(consultant, manager, carer):
    plan = planned(consultant, manager, with_lead=False)

    care_step_complete(actor=carer, step=thank_you(plan), outcome="已回访")

    assert not LeadEvent.objects.filter(kind=LeadEventKind.CARE_STEP).exists()


@pytest.mark.parametrize("outcome", ["", "   "])
def test_no_outcome_is_refused_on_the_field(plan, consultant, outcome):
    step = thank_you(plan)

    with pytest.raises(ValidationError) as refused:
        care_step_complete(actor=consultant, step=step, outcome=outcome)

    assert refused.value.message_dict == {
        "outcome": ["Say what happened: the outcome is needed."]}
    _unchanged(step)


def test_an_outcome_over_500_characters_is_refused(plan, consultant):
    step = thank_you(plan)

    with pytest.raises(ValidationError) as refused:
        care_step_skip(actor=consultant, step=step, outcome="好" * 501)

    assert refused.value.message_dict == {"outcome": ["Keep the outcome to 500 characters."]}
    _unchanged(step)


def test_a_closed_step_is_refused_without_a_field(plan, consultant, carer):
    step = thank_you(plan)
    care_step_complete(actor=consultant, step=step, outcome="已回访")
    stale = CareStep.objects.get(pk=step.pk)
    stale.status = CareStepStatus.DUE  # what the second person's page still shows

    with pytest.raises(ValidationError) as refused:
        care_step_skip(actor=carer, step=stale, outcome="未接通")

    assert not hasattr(refused.value, "error_dict")
    assert refused.value.messages == ["This step was already closed (Done) by someone else."]
    step.refresh_from_db()
    assert (step.status, step.outcome, step.done_by) == (CareStepStatus.DONE, "已回访",
                                                         consultant)


def test_a_consultant_may_not_close_a_pool_step(plan, consultant):
    step = step_of(plan, CareStepKind.FIRST_MAINTENANCE)

    with pytest.raises(PermissionDenied):
        care_step_complete(actor=consultant, step=step, outcome="已提醒")

    step.refresh_from_db()
    assert (step.status, step.done_by) == (CareStepStatus.SCHEDULED, None)


def test_the_service_advisor_closes_the_first_maintenance_reminder_only(plan, make_user):
    advisor = make_user(Role.SERVICE_ADVISOR, name="孙顾问")
    first = step_of(plan, CareStepKind.FIRST_MAINTENANCE)

    care_step_complete(actor=advisor, step=first, outcome="已预约首保")
    with pytest.raises(PermissionDenied):
        care_step_complete(actor=advisor, step=thank_you(plan), outcome="已回访")

    first.refresh_from_db()
    assert (first.status, first.done_by) == (CareStepStatus.DONE, advisor)
    _unchanged(thank_you(plan))


@pytest.mark.parametrize("who", ["teammate", "supervisor", "manager", "outsider"])
def test_others_may_not_close_the_thank_you_call(request, plan, who):
    step = thank_you(plan)

    with pytest.raises(PermissionDenied):
        care_step_complete(actor=request.getfixturevalue(who), step=step, outcome="已回访")

    _unchanged(step)


def test_customer_care_of_another_store_may_not(plan, make_user, other_store):
    step = thank_you(plan)
    foreign = make_user(Role.CUSTOMER_CARE, username="care-2", store=other_store)

    with pytest.raises(PermissionDenied):
        care_step_complete(actor=foreign, step=step, outcome="已回访")

    _unchanged(step)


# --- Tasks ----------------------------------------------------------------------------------
def test_customer_care_completes_a_task(customer, carer):
    task = task_for(customer)

    care_task_complete(actor=carer, task=task, outcome="已致电，客户满意")

    task.refresh_from_db()
    assert (task.status, task.outcome, task.done_by) == (CareTaskStatus.DONE,
                                                         "已致电，客户满意", carer)
    assert task.done_at is not None
    assert _audits(task)[-1] == (AuditAction.UPDATE, {"status": ["open", "done"],
                                                      "outcome": ["", "已致电，客户满意"]})


def test_the_assignee_completes_their_task(customer, consultant):
    task = task_for(customer, assignee=consultant)

    care_task_complete(actor=consultant, task=task, outcome="已处理")

    task.refresh_from_db()
    assert task.status == CareTaskStatus.DONE


def test_a_task_done_twice_is_refused(customer, carer):
    task = task_for(customer)
    care_task_complete(actor=carer, task=task, outcome="已处理")

    with pytest.raises(ValidationError) as refused:
        care_task_complete(actor=carer, task=CareTask.objects.get(pk=task.pk), outcome="再次")

    assert refused.value.messages == ["This follow-up was already done by someone else."]
    task.refresh_from_db()
    assert task.outcome == "已处理"


def test_a_task_without_outcome_is_refused(customer, carer):
    task = task_for(customer)

    with pytest.raises(ValidationError) as refused:
        care_task_complete(actor=carer, task=task, outcome=" ")

    assert list(refused.value.message_dict) == ["outcome"]
    task.refresh_from_db()
    assert (task.status, task.done_at) == (CareTaskStatus.OPEN, None)


def test_a_consultant_may_not_close_an_unassigned_task(customer, consultant):
    task = task_for(customer)

    with pytest.raises(PermissionDenied):
        care_task_complete(actor=consultant, task=task, outcome="已处理")

    task.refresh_from_db()
    assert task.status == CareTaskStatus.OPEN


# --- Settings -------------------------------------------------------------------------------
def test_manager_sets_the_schedule(manager, store):
    settings = care_settings_update(actor=manager, store=store, thank_you_day=2,
                                    usage_tips_day=10)

    assert (settings.thank_you_day, settings.usage_tips_day,
            settings.first_maintenance_day) == (2, 10, 30)
    assert _audits(settings)[-1][0] == AuditAction.UPDATE
    assert {name: change for name, change in _audits(settings)[-1][1].items()} == {
        "thank_you_day": [1, 2], "usage_tips_day": [7, 10]}


def test_a_day_out_of_range_is_refused_on_its_field(manager, store):
    CareSettings.objects.create(store=store)

    with pytest.raises(ValidationError) as refused:
        care_settings_update(actor=manager, store=store, first_maintenance_day=3)

    assert list(refused.value.message_dict) == ["first_maintenance_day"]
    assert CareSettings.objects.get(store=store).first_maintenance_day == 30


@pytest.mark.parametrize("who", ["consultant", "supervisor", "outsider"])
def test_only_the_manager_sets_the_schedule(request, store, who):
    with pytest.raises(PermissionDenied):
        care_settings_update(actor=request.getfixturevalue(who), store=store,
                             thank_you_day=3)

    assert not CareSettings.objects.filter(store=store, thank_you_day=3).exists()


def test_settings_change_does_not_move_started_plans(plan, manager, store):
    care_settings_update(actor=manager, store=store, thank_you_day=5)

    assert thank_you(plan).due_on == dt.date(2026, 5, 2)
    assert timezone.is_aware(plan.delivered_at)
