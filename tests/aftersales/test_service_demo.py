"""The service demo (aftersales.demo.service.seed): capacity set, visits in every state
written through the services, records with items; a second seeding adds nothing."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.test import TestCase

from aftersales.demo.service import seed
from aftersales.enums import AppointmentStatus, CareStepStatus
from aftersales.models import Appointment, CareStep, ServiceCapacity, ServiceItem, ServiceRecord
from dealership.enums import Role
from tests.aftersales.factories_service import first_maintenance_step, owner

pytestmark = pytest.mark.django_db


@pytest.fixture
def owners(store, consultant, manager, make_user):
    make_user(Role.SERVICE_ADVISOR, name="黄志强")
    make_user(Role.CUSTOMER_CARE, name="林佳怡")
    cars = [owner(consultant, manager) for _ in range(10)]
    # One owner's day-30 reminder has come.
    step = first_maintenance_step(cars[0][0])
    CareStep.objects.filter(pk=step.pk).update(status=CareStepStatus.DUE,
                                               due_on=store.today() - dt.timedelta(days=1))
    return cars


def test_demo_books_visits_in_every_state(store, owners):
    with TestCase.captureOnCommitCallbacks(execute=True):
        seed(random.Random(7), store=store, scale="small")

    today = store.today()
    statuses = set(Appointment.objects.values_list("status", flat=True))
    assert statuses == {AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN,
                        AppointmentStatus.COMPLETED, AppointmentStatus.CANCELLED}
    days = set(Appointment.objects.values_list("day", flat=True))
    assert {today, today + dt.timedelta(days=1), today + dt.timedelta(days=7)} <= days
    assert ServiceRecord.objects.count() == 2
    assert ServiceItem.objects.count() >= 2
    assert ServiceCapacity.objects.count() == 4
    step = first_maintenance_step(owners[0][0])
    assert step.status == CareStepStatus.DONE
    assert Appointment.objects.filter(care_step=step).count() == 1


def test_demo_seeded_twice_adds_nothing(store, owners):
    seed(random.Random(7), store=store, scale="small")
    before = list(Appointment.objects.order_by("pk").values())

    seed(random.Random(8), store=store, scale="small")

    assert list(Appointment.objects.order_by("pk").values()) == before
