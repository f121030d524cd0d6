"""The 500s the hostile battery found, one test each (they failed before their fix)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dealership.enums import Role
from dealership.models import Customer
from leads.models import Lead
from tests.helpers import english
from tests.hostile import harness
from tests.leads.factories import LeadFactory
from tests.showroom.factories_invitations import InvitationFactory

pytestmark = [pytest.mark.hostile, pytest.mark.django_db]


def test_login_with_an_overlong_username_is_a_form_error(client, consultant):
    """Django never checked the username's length; django-axes then stored the name in a
    255-character column: DataError, a 500 on PostgreSQL."""
    counts = harness.row_counts()

    response = client.post("/accounts/login/", {"username": "a" * 256, "password": "x"})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["username"]
    assert harness.row_counts() == counts


def test_login_with_a_username_at_the_limit_is_a_wrong_login(client, consultant):
    response = client.post("/accounts/login/", {"username": "a" * 150, "password": "x"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


@pytest.mark.parametrize("bare", ["home-page", "😀", "aaaa"])
def test_language_next_that_is_no_path_goes_home(client, consultant, bare):
    """A bare word passed the host check and redirect() reversed it as a URL name: 500."""
    client.force_login(consultant)

    response = client.post("/account/language/", {"language": "en", "next": bare})

    assert (response.status_code, response["Location"]) == (302, "/")


def test_opt_out_next_that_is_no_path_goes_to_the_customer(client, consultant, customer):
    client.force_login(consultant)

    response = client.post(f"/leads/customers/{customer.pk}/opt-out/",
                           {"note": "客户回复TD", "next": "customers"})

    assert (response.status_code, response["Location"]) == (302, f"/customers/{customer.pk}/")


def test_opt_out_note_with_nul_is_stored_without_it(client, consultant, customer):
    """PostgreSQL refuses NUL in text: the note went to the database as typed, a 500."""
    Customer.objects.filter(pk=customer.pk).update(marketing_consent=True,
                                                   consent_at=timezone.now())
    client.force_login(consultant)

    response = client.post(f"/leads/customers/{customer.pk}/opt-out/", {"note": "退\x00订"})

    customer.refresh_from_db()
    assert response.status_code == 302
    assert customer.marketing_consent is False


def test_invitation_arrived_next_that_is_no_path_goes_to_the_list(client, store, consultant,
                                                                  make_user):
    lead = LeadFactory(store=store, owner=consultant)
    invitation = InvitationFactory(lead=lead, expected_at=timezone.now() + dt.timedelta(hours=1))
    client.force_login(make_user(Role.RECEPTIONIST))

    response = client.post(f"/showroom/invitations/{invitation.pk}/arrived/", {"next": "desk"})

    assert (response.status_code, response["Location"]) == (302, "/showroom/invitations/")


@pytest.mark.parametrize("field", ["budget_min", "budget_max"])
def test_new_lead_budget_beyond_the_column_is_refused(client, consultant, field):
    """An integer past the column overflowed on save (OverflowError / DataError): 500."""
    client.force_login(english(consultant))
    data = {"name": "李雷", "phone": "13900001111", "channel": "walk_in",
            field: "99999999999999999999"}

    response = client.post("/leads/new/", data)

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [
        "Ensure this value is less than or equal to 2147483647."]
    assert Lead.objects.count() == 0
