"""The care plan: started by delivery's hook, on the store's days, once per contract."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from aftersales.enums import CareChannel, CareStepKind, CareStepStatus
from aftersales.models import CarePlan, CareSettings, CareStep
from aftersales.services.care import care_plan_start
from dealership.enums import AuditAction
from dealership.models import AuditEntry
from delivery.models import Handover
from delivery.signals import vehicle_delivered
from tests.aftersales.builders import delivered
from tests.aftersales.factories_care import SHANGHAI, at_store, planned

pytestmark = pytest.mark.django_db


def _steps(plan):
    return {step.kind: (step.due_on, step.channel, step.assignee_id, step.status)
            for step in CareStep.objects.filter(plan=plan)}


def _tomorrow() -> dt.date:
    return timezone.localdate(timezone.now(), SHANGHAI) + dt.timedelta(days=1)


def test_delivery_at_2330_store_time_plans_the_store_days(consultant, manager):
    day = _tomorrow()
    at = at_store(day, 23, 30)  # 15:30 UTC: still `day` in Shanghai

    contract, vehicle = delivered(consultant, manager, at=at)

    plan = CarePlan.objects.get(contract=contract)
    assert plan.delivered_on == day
    assert plan.delivered_at == at
    assert plan.vehicle_id == vehicle.pk
    assert plan.consultant_id == consultant.pk
    assert plan.customer_id == contract.customer_id
    assert _steps(plan) == {
        CareStepKind.THANK_YOU_CALL: (day + dt.timedelta(days=1), CareChannel.CALL,
                                      consultant.pk, CareStepStatus.SCHEDULED),
        CareStepKind.USAGE_TIPS: (day + dt.timedelta(days=7), CareChannel.MESSAGE, None,
                                  CareStepStatus.SCHEDULED),
        CareStepKind.FIRST_MAINTENANCE: (day + dt.timedelta(days=30), CareChannel.CALL, None,
                                         CareStepStatus.SCHEDULED),
    }


def test_delivery_at_2330_utc_is_the_next_day_in_shanghai(consultant, manager):
    day = _tomorrow()
    at = dt.datetime.combine(day, dt.time(23, 30), tzinfo=dt.UTC)  # 07:30 the next day

    contract, _vehicle = delivered(consultant, manager, at=at)

    plan = CarePlan.objects.get(contract=contract)
    next_day = day + dt.timedelta(days=1)
    assert plan.delivered_on == next_day
    assert {kind: due for kind, (due, *_rest) in _steps(plan).items()} == {
        CareStepKind.THANK_YOU_CALL: next_day + dt.timedelta(days=1),
        CareStepKind.USAGE_TIPS: next_day + dt.timedelta(days=7),
        CareStepKind.FIRST_MAINTENANCE: next_day + dt.timedelta(days=30),
    }


def test_the_hook_sent_twice_keeps_one_plan(consultant, manager):
    contract, vehicle = delivered(consultant, manager)
    plan = CarePlan.objects.get(contract=contract)

    vehicle_delivered.send(sender=Handover, contract_id=contract.pk, vehicle_id=vehicle.pk,
                           store_id=contract.store_id, customer_id=contract.customer_id,
                           consultant_id=consultant.pk,
                           delivered_at=contract.delivered_at + dt.timedelta(days=3))

    assert list(CarePlan.objects.filter(contract=contract)) == [plan]
    assert CareStep.objects.filter(plan=plan).count() == 3
    plan.refresh_from_db()
    assert plan.delivered_at == contract.delivered_at


def test_second_start_returns_the_first_plan(consultant, manager):
    plan = planned(consultant, manager, delivered_at=at_store(dt.date(2026, 5, 1)))

    again = care_plan_start(contract_id=plan.contract_id,
                            delivered_at=at_store(dt.date(2026, 5, 9)))

    assert again == plan
    assert again.delivered_on == dt.date(2026, 5, 1)
    assert CareStep.objects.filter(plan=plan).count() == 3
    assert AuditEntry.objects.filter(object_id=str(plan.pk), action=AuditAction.CREATE,
                                     content_type__model="careplan").count() == 1


def test_the_database_keeps_one_plan_per_contract(consultant, manager):
    plan = planned(consultant, manager, delivered_at=at_store(dt.date(2026, 5, 1)))

    with pytest.raises(IntegrityError), transaction.atomic():
        CarePlan.objects.create(store=plan.store, contract=plan.contract,
                                customer=plan.customer, delivered_at=plan.delivered_at,
                                delivered_on=plan.delivered_on)

    assert CarePlan.objects.filter(contract=plan.contract).count() == 1


def test_plan_follows_the_store_settings(consultant, manager, store):
    CareSettings.objects.create(store=store, thank_you_day=0, usage_tips_day=3,
                                first_maintenance_day=45)

    plan = planned(consultant, manager, delivered_at=at_store(dt.date(2026, 5, 1), 9))

    assert {kind: due for kind, (due, *_rest) in _steps(plan).items()} == {
        CareStepKind.THANK_YOU_CALL: dt.date(2026, 5, 1),
        CareStepKind.USAGE_TIPS: dt.date(2026, 5, 4),
        CareStepKind.FIRST_MAINTENANCE: dt.date(2026, 6, 15),
    }


def test_first_plan_of_a_store_creates_its_default_settings(consultant, manager, store):
    assert not CareSettings.objects.filter(store=store).exists()

    planned(consultant, manager, delivered_at=at_store(dt.date(2026, 5, 1)))

    settings = CareSettings.objects.get(store=store)
    assert (settings.thank_you_day, settings.usage_tips_day,
            settings.first_maintenance_day) == (1, 7, 30)


def test_a_failing_receiver_does_not_break_the_handover(consultant):
    vehicle_delivered.send(sender=Handover, contract_id=999999, vehicle_id=None,
                           store_id=consultant.store_id, customer_id=1,
                           consultant_id=consultant.pk, delivered_at=timezone.now())

    assert not CarePlan.objects.exists()
