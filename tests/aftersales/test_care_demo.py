"""The care demo (aftersales.demo.care.seed): a plan for every delivered contract, steps in
every state, written through the services; a second seeding changes nothing."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from aftersales.demo.care import seed
from aftersales.enums import CareStepStatus
from aftersales.models import CarePlan, CareStep
from contracts.enums import ContractStatus
from contracts.models import Contract
from dealership.enums import Role
from tests.aftersales.factories_care import consenting_customer
from tests.contracts.factories import make_contract
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

DAYS_AGO = (45, 31, 20, 8, 3, 0)


@pytest.fixture
def delivered_history(store, consultant, manager, make_user):
    make_user(Role.CUSTOMER_CARE, name="林佳怡")
    contracts = []
    for index, days in enumerate(DAYS_AGO):
        customer = (consenting_customer(store, consultant) if index % 2
                    else CustomerFactory(store=store, owner=consultant))
        contract = make_contract(consultant, customer, manager=manager,
                                 status=ContractStatus.DELIVERED)
        Contract.objects.filter(pk=contract.pk).update(
            delivered_at=timezone.now() - dt.timedelta(days=days))
        contracts.append(contract)
    return contracts


def test_demo_plans_every_delivered_contract_with_steps_in_every_state(store,
                                                                       delivered_history):
    seed(random.Random(7), store=store, scale="small")

    assert (set(CarePlan.objects.values_list("contract_id", flat=True))
            == {c.pk for c in delivered_history})
    today = store.today()
    steps = list(CareStep.objects.filter(store=store))
    assert len(steps) == 3 * len(DAYS_AGO)
    statuses = {step.status for step in steps}
    assert statuses == {CareStepStatus.SCHEDULED, CareStepStatus.DUE, CareStepStatus.DONE,
                        CareStepStatus.SKIPPED}
    assert any(s.status == CareStepStatus.DUE and s.due_on < today for s in steps)
    assert all(s.outcome and s.done_at for s in steps
               if s.status in (CareStepStatus.DONE, CareStepStatus.SKIPPED))
    assert all(s.due_on > today for s in steps if s.status == CareStepStatus.SCHEDULED)


def test_demo_seeded_twice_changes_nothing(store, delivered_history):
    seed(random.Random(7), store=store, scale="small")
    before = list(CareStep.objects.order_by("pk").values())

    seed(random.Random(8), store=store, scale="small")

    assert list(CareStep.objects.order_by("pk").values()) == before
