"""Kinds of event on a lead's timeline, each declared by its stage: the choices the apps
register, the labels the lead page shows, and a code no stage claims any more."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from contracts.enums import LeadEventKind as ContractsKind
from dealership import timeline
from leads.enums import EventKind
from leads.models import LeadEvent, Notification
from showroom.enums import LeadEventKind as ShowroomKind
from tests.helpers import english
from tests.leads.factories import LeadFactory


def test_choices_are_leads_then_showroom_then_contracts_then_delivery_then_aftersales_kinds():
    codes = [code for code, _label in timeline.timeline_kind_choices()]

    assert codes == [*EventKind.values, "visit", "invitation", "test_drive", "quote",
                     "contract", "discount_approved", "discount_rejected",
                     "discount_countered", "contract_approved", "contract_rejected",
                     "payment_confirmed", "refund_paid", "car_allocated", "pdi_passed",
                     "payment", "loan_approved",
                     "delivery_due", "delivery_at_risk", "balance_overdue", "delivered",
                     "care_step", "service", "survey", "complaint", "complaint_escalated",
                     "care_task", "referral"]


def test_leads_event_kind_lists_no_later_stage():
    assert {"visit", "invitation", "test_drive", "quote", "contract"} & set(
        EventKind.values) == set()


@pytest.mark.parametrize("model", [LeadEvent, Notification])
def test_kind_field_choices_are_the_registry_not_a_list(model):
    """The migration names the callable, so a new stage's kinds need no leads migration."""
    _name, _path, _args, kwargs = model._meta.get_field("kind").deconstruct()

    assert (kwargs["choices"], kwargs["max_length"]) == (timeline.timeline_kind_choices, 20)


def test_register_the_same_kinds_again_changes_nothing(monkeypatch):
    monkeypatch.setattr(timeline, "_timeline_kinds", list(timeline._timeline_kinds))
    before = timeline.timeline_kind_choices()

    timeline.register_timeline_kinds(kinds=ShowroomKind)

    assert timeline.timeline_kind_choices() == before


def test_register_a_code_another_stage_owns_fails_at_start_up(monkeypatch):
    monkeypatch.setattr(timeline, "_timeline_kinds", list(timeline._timeline_kinds))

    class Clash(models.TextChoices):
        QUOTE = "quote", "Offer"

    with pytest.raises(ImproperlyConfigured, match="'quote' is registered twice"):
        timeline.register_timeline_kinds(kinds=Clash)


@pytest.mark.django_db
def test_lead_page_shows_each_stages_label_and_an_unknown_code_as_is(client, store,
                                                                     consultant):
    english(consultant)
    lead = LeadFactory(store=store, owner=consultant)
    for kind in (ShowroomKind.TEST_DRIVE, ContractsKind.QUOTE, EventKind.TOUCH,
                 "retired_kind"):
        LeadEvent.objects.create(store_id=lead.store_id, lead=lead, kind=kind)
    client.force_login(consultant)

    response = client.get(f"/leads/{lead.pk}/")

    titles = re.findall(r'<div class="event-title">([^<]*)</div>', response.content.decode())
    assert titles == ["retired_kind", "Follow-up", "Quote", "Test drive"]


@pytest.mark.django_db
def test_my_day_notification_of_a_showroom_kind_shows_its_label(client, store, consultant):
    english(consultant)
    lead = LeadFactory(store=store, owner=consultant, customer__name="到店客户")
    Notification.objects.create(store=store, user=consultant, lead=lead,
                                kind=ShowroomKind.VISIT)
    client.force_login(consultant)

    html = client.get("/my-day/").content.decode()

    assert (f'<a href="/leads/{lead.pk}/" class="day-link">Showroom visit · 到店客户</a>'
            in html)
