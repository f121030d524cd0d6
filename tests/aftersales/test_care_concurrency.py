"""Races on the care plan (PostgreSQL, one connection per thread): two people closing one
step, two workers running the hourly job, the hook delivered twice at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from aftersales.enums import CareStepKind, CareStepStatus
from aftersales.jobs_care import advance_care_plans
from aftersales.models import CarePlan, CareStep
from aftersales.services.care import care_plan_start, care_step_complete, care_step_skip
from contracts.enums import ContractStatus
from dealership.enums import Role
from leads.models import OutboundMessage
from tests.aftersales.factories_care import at_store, planned, step_of, thank_you
from tests.concurrency import race, require_postgres
from tests.contracts.factories import make_contract

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_english")]

DELIVERED = dt.date(2026, 5, 1)


@pytest.fixture(autouse=True)
def _postgres_only():
    require_postgres()


def test_two_people_close_one_step_one_wins(consultant, manager, make_user):
    carer = make_user(Role.CUSTOMER_CARE, name="钱客服")
    plan = planned(consultant, manager, delivered_at=at_store(DELIVERED))
    step = thank_you(plan)

    results = race(
        lambda: care_step_complete(actor=consultant, step=step, outcome="已回访"),
        lambda: care_step_skip(actor=carer, step=step, outcome="未接通"))

    winners = [r for r in results if isinstance(r, CareStep)]
    losers = [r for r in results if isinstance(r, ValidationError)]
    assert (len(winners), len(losers)) == (1, 1)
    [winner] = winners
    step.refresh_from_db()
    assert (step.status, step.outcome) == (winner.status, winner.outcome)
    assert losers[0].messages == [
        f"This step was already closed ({winner.get_status_display()}) by someone else."]


def test_two_workers_run_the_job_at_once_each_message_once(consultant, manager):
    plans = [planned(consultant, manager, delivered_at=at_store(DELIVERED)) for _ in range(3)]
    now = at_store(DELIVERED + dt.timedelta(days=30), 9)

    results = race(lambda: advance_care_plans(now=now), lambda: advance_care_plans(now=now))

    assert not any(isinstance(r, Exception) for r in results), results
    assert sum(r["due"] for r in results) == 9
    assert OutboundMessage.objects.count() == 6  # tips and reminder, once each per plan
    for plan in plans:
        assert step_of(plan, CareStepKind.USAGE_TIPS).status == CareStepStatus.DONE
        assert step_of(plan, CareStepKind.FIRST_MAINTENANCE).message is not None


def test_the_hook_twice_at_once_makes_one_plan(consultant, manager, customer):
    contract = make_contract(consultant, customer, manager=manager,
                             status=ContractStatus.SIGNED)
    moment = at_store(DELIVERED)

    results = race(*[(lambda: care_plan_start(contract_id=contract.pk, delivered_at=moment))
                     for _ in range(4)])

    assert not any(isinstance(r, Exception) for r in results), results
    assert {r.pk for r in results} == set(CarePlan.objects.values_list("pk", flat=True))
    assert CareStep.objects.count() == 3
