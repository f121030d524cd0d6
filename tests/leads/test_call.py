"""Calling the customer from the lead page and "my day": the lead's consultant reveals the
number through the audited path and gets a tel: link above the follow-up form; nobody
else sees the action or the number."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dealership.enums import AuditAction, Role
from dealership.models import AuditEntry
from leads.enums import LeadStatus, LostReason
from tests.helpers import english
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(store, consultant, customer):
    return LeadFactory(store=store, customer=customer, owner=consultant,
                       status=LeadStatus.CONTACTED,
                       follow_up_due_at=timezone.now() - dt.timedelta(hours=2))


def _reveals():
    return list(AuditEntry.objects.filter(action=AuditAction.VIEW_PII)
                .values_list("actor__username", "object_id", "changes"))


def test_call_owner_gets_the_number_to_dial_and_the_follow_up_form(client, lead, consultant,
                                                                   customer):
    client.force_login(english(consultant))

    response = client.post(f"/leads/{lead.pk}/call/")

    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="tel:+8613812345678"' in page
    assert "Dial 138 1234 5678" in page
    assert f'action="/leads/{lead.pk}/touch/"' in page
    assert '<option value="call" selected>' in page
    assert response["Cache-Control"] == "no-store"
    assert _reveals() == [("con", str(customer.pk),
                           {"fields": ["phone"], "lead": lead.pk, "purpose": "call"})]


def test_call_follow_up_from_the_call_page_returns_to_the_lead(client, lead, consultant):
    client.force_login(consultant)
    client.post(f"/leads/{lead.pk}/call/")

    response = client.post(f"/leads/{lead.pk}/touch/",
                           {"kind": "call", "outcome": "reached", "note": "约周六到店"})

    assert response.status_code == 302
    assert response["Location"] == f"/leads/{lead.pk}/"
    assert list(lead.touches.values_list("kind", "note")) == [("call", "约周六到店")]


def test_call_button_shown_to_the_owner_on_the_lead_page(client, lead, consultant):
    client.force_login(consultant)

    page = client.get(f"/leads/{lead.pk}/").content.decode()

    assert f'action="/leads/{lead.pk}/call/"' in page
    assert "138****5678" in page
    assert "tel:" not in page
    assert _reveals() == []


def test_call_button_shown_on_my_day_row(client, lead, consultant):
    client.force_login(consultant)

    page = client.get("/my-day/").content.decode()

    assert f'data-testid="call-{lead.pk}"' in page
    assert "tel:" not in page


@pytest.mark.parametrize("who", ["supervisor", "manager"])
def test_call_not_offered_to_others_who_open_the_lead(client, request, lead, who):
    client.force_login(request.getfixturevalue(who))

    page = client.get(f"/leads/{lead.pk}/").content.decode()

    assert f"/leads/{lead.pk}/call/" not in page
    assert "138****5678" in page


@pytest.mark.parametrize("who", ["supervisor", "manager"])
def test_call_refused_to_others_in_scope_with_403(client, request, lead, who):
    client.force_login(request.getfixturevalue(who))

    response = client.post(f"/leads/{lead.pk}/call/")

    assert response.status_code == 403
    assert "+8613812345678" not in response.content.decode()
    assert _reveals() == []


@pytest.mark.parametrize("who", ["teammate", "outsider"])
def test_call_out_of_scope_is_404(client, request, lead, who):
    client.force_login(request.getfixturevalue(who))

    response = client.post(f"/leads/{lead.pk}/call/")

    assert response.status_code == 404
    assert _reveals() == []


@pytest.mark.parametrize("role", [Role.MARKETING, Role.RECEPTIONIST])
def test_call_role_without_the_action_is_forbidden(client, make_user, lead, role):
    client.force_login(make_user(role))

    response = client.post(f"/leads/{lead.pk}/call/")

    assert response.status_code == 403
    assert _reveals() == []


def test_call_closed_lead_is_refused(client, lead, consultant):
    Lead = type(lead)
    Lead.objects.filter(pk=lead.pk).update(status=LeadStatus.LOST,
                                           lost_reason=LostReason.choices[0][0],
                                           closed_at=timezone.now())
    client.force_login(consultant)

    response = client.post(f"/leads/{lead.pk}/call/")

    assert response.status_code == 403
    assert _reveals() == []


def test_call_get_is_not_allowed(client, lead, consultant):
    client.force_login(consultant)

    response = client.get(f"/leads/{lead.pk}/call/")

    assert response.status_code == 405
    assert _reveals() == []
