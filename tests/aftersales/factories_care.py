"""Builders of the care tests (no tests here): a care plan started through the service on a
signed contract (quicker than a whole handover; the hook's own tests use
tests.aftersales.builders.delivered), consenting customers, care tasks."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from aftersales.enums import CareStepKind, CareTaskKind
from aftersales.models import CarePlan, CareStep, CareTask
from aftersales.services.care import care_plan_start
from aftersales.services.care_tasks import care_task_open
from contracts.enums import ContractStatus
from dealership.enums import ConsentSource
from tests.contracts.factories import make_contract
from tests.factories import CustomerFactory
from tests.leads.factories import LeadFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def consenting_customer(store, owner, **kwargs):
    return CustomerFactory(store=store, owner=owner, marketing_consent=True,
                           consent_at=timezone.now(), consent_source=ConsentSource.SHOWROOM_FORM,
                           **kwargs)


def at_store(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A moment of a Shanghai store's day."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def planned(consultant, manager, *, customer=None, delivered_at: dt.datetime | None = None,
            with_lead: bool = True) -> CarePlan:
    """A signed contract (with its lead) and the care plan `care_plan_start` gives it."""
    store = consultant.store
    customer = customer or consenting_customer(store, consultant)
    lead = LeadFactory(store=store, customer=customer, owner=consultant) if with_lead else None
    contract = make_contract(consultant, customer, manager=manager,
                             status=ContractStatus.SIGNED, lead=lead)
    return care_plan_start(contract_id=contract.pk,
                           delivered_at=delivered_at or timezone.now())


def step_of(plan: CarePlan, kind: str) -> CareStep:
    return CareStep.objects.get(plan=plan, kind=kind)


def thank_you(plan: CarePlan) -> CareStep:
    return step_of(plan, CareStepKind.THANK_YOU_CALL)


def task_for(customer, *, kind: str = CareTaskKind.OTHER, title: str = "回访客户",
             due_on: dt.date | None = None, **kwargs) -> CareTask:
    return care_task_open(customer=customer, kind=kind, title=title,
                          due_on=due_on or customer.store.today(), **kwargs)
