"""The child tables' store (aftersales 0003/0004) on a database made before it: each
complaint event and breach, service item and survey answer takes its parent's store, in
one statement per table. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from aftersales.models import ComplaintBreach, ComplaintEvent, ServiceItem, SurveyAnswer
from dealership.enums import Role
from tests.factories import CustomerFactory, StoreFactory, UserFactory
from tests.helpers import migrate, migrated_back

pytestmark = pytest.mark.django_db(transaction=True)

# The last migration before the child tables carried their store.
BEFORE = [("aftersales", "0002_complaint_closed_index")]
MOMENT = dt.datetime(2026, 11, 3, 10, 30, tzinfo=dt.UTC)


@pytest.fixture
def old_apps():
    """The database migrated back to BEFORE: its historical models."""
    with migrated_back(BEFORE) as apps:
        yield apps


def add_old_rows(apps, store) -> dict[str, int]:
    """A complaint with an event and a breach, a service record with an item and its
    survey with an answer, written through the models before the migration; their ids."""
    customer = CustomerFactory(store=store)
    staff = UserFactory(role=Role.SERVICE_ADVISOR, store=store, username=f"sa-{store.code}")
    complaint = apps.get_model("aftersales", "Complaint").objects.create(
        store_id=store.pk, number=f"{store.code}-TS2026-0001", customer_id=customer.pk,
        channel="phone", category="after_sales", department="service", summary="异响",
        description="空调异响", received_at=MOMENT, clock_started_at=MOMENT,
        response_due_at=MOMENT, proposal_due_at=MOMENT, resolution_due_at=MOMENT)
    event = apps.get_model("aftersales", "ComplaintEvent").objects.create(
        complaint_id=complaint.pk, kind="created", created_at=MOMENT)
    breach = apps.get_model("aftersales", "ComplaintBreach").objects.create(
        complaint_id=complaint.pk, clock="response", round=0, level=1, due_at=MOMENT)
    record = apps.get_model("aftersales", "ServiceRecord").objects.create(
        store_id=store.pk, customer_id=customer.pk, appointment_type="maintenance",
        serviced_on=MOMENT.date(), mileage=5000, advisor_id=staff.pk)
    item = apps.get_model("aftersales", "ServiceItem").objects.create(
        record_id=record.pk, description="机油", amount=Decimal("380"))
    survey = apps.get_model("aftersales", "Survey").objects.create(
        store_id=store.pk, customer_id=customer.pk, kind="service",
        service_record_id=record.pk, staff_id=staff.pk, token=f"mig-{store.code}",
        expires_at=MOMENT)
    answer = apps.get_model("aftersales", "SurveyAnswer").objects.create(
        survey_id=survey.pk, question="overall", score=9)
    return {"event": event.pk, "breach": breach.pk, "item": item.pk, "answer": answer.pk}


def test_each_child_row_takes_its_parents_store(old_apps):
    here, there = StoreFactory(code="MIG1"), StoreFactory(code="MIG2")
    mine, theirs = add_old_rows(old_apps, here), add_old_rows(old_apps, there)

    migrate()

    for ids, store in ((mine, here), (theirs, there)):
        assert (ComplaintEvent.objects.get(pk=ids["event"]).store_id,
                ComplaintBreach.objects.get(pk=ids["breach"]).store_id,
                ServiceItem.objects.get(pk=ids["item"]).store_id,
                SurveyAnswer.objects.get(pk=ids["answer"]).store_id) == (store.pk,) * 4
