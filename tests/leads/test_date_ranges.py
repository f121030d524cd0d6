"""Business ranges of the dates typed on the lead screens (issue 10): the next follow-up
(today to a year ahead) and a campaign's period (2000-01-01 to about five years ahead).
The form refuses a value just outside on its field and writes nothing, the bound is
accepted, and the service refuses year 1 and 9999 too."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.forms import modelform_factory

from dealership.enums import Role
from leads.admin import CampaignAdminForm, LeadAdminForm
from leads.enums import Channel, LeadStatus, TouchKind, TouchOutcome
from leads.models import Campaign, Lead, Touch
from leads.services.board import campaign_create, campaign_update
from leads.services.work import lead_log_touch
from tests.leads.factories import CampaignFactory, LeadFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def _english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


# --- Next follow-up: today to 365 days ahead ------------------------------------------------
@pytest.fixture
def lead(store, consultant):
    return LeadFactory(store=store, owner=consultant, status=LeadStatus.NEW)


def _touch(client, lead, day: dt.date):
    return client.post(f"/leads/{lead.pk}/touch/", {
        "kind": "call", "outcome": "reached", "note": "留言",
        "next_follow_up_on": day.isoformat()})


def test_follow_up_just_after_a_year_is_refused(client, store, lead, consultant):
    client.force_login(_english(consultant))
    last = store.today() + dt.timedelta(days=365)

    response = _touch(client, lead, last + dt.timedelta(days=1))

    assert response.status_code == 400
    assert response.context["touch_form"].errors == {"next_follow_up_on": [
        f"Enter a date on or before {last}."]}
    assert f'value="{last + dt.timedelta(days=1)}"' in response.content.decode()
    assert Touch.objects.count() == 0
    lead.refresh_from_db()
    assert (lead.status, lead.next_follow_up_on) == (LeadStatus.NEW, None)


def test_follow_up_a_year_ahead_is_accepted(client, store, lead, consultant):
    client.force_login(_english(consultant))
    last = store.today() + dt.timedelta(days=365)

    response = _touch(client, lead, last)

    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.next_follow_up_on == last


@pytest.mark.parametrize("day", [dt.date(1, 1, 1), dt.date(9999, 12, 31)])
def test_lead_log_touch_refuses_an_impossible_follow_up(lead, consultant, day):
    with pytest.raises(ValidationError) as refused:
        lead_log_touch(lead=lead, actor=consultant, kind=TouchKind.CALL,
                       outcome=TouchOutcome.REACHED, next_follow_up_on=day)

    assert list(refused.value.message_dict) == ["next_follow_up_on"]
    assert Touch.objects.count() == 0
    lead.refresh_from_db()
    assert (lead.status, lead.last_touch_at) == (LeadStatus.NEW, None)


# --- Campaign period: 2000-01-01 to about five years ahead ----------------------------------
@pytest.fixture
def marketer(make_user):
    return _english(make_user(Role.MARKETING))


def _campaign(**overrides) -> dict[str, str]:
    return {"name": "五一车展", "channel": Channel.EVENT, "starts_on": "2026-05-01",
            "ends_on": "2026-05-05", "budget": "1000", "note": ""} | overrides


@pytest.mark.parametrize(("field", "typed"), [("starts_on", "1999-12-31"),
                                              ("ends_on", "latest+1")])
def test_campaign_just_outside_its_range_is_refused(client, store, marketer, field, typed):
    client.force_login(marketer)
    latest = store.today() + dt.timedelta(days=5 * 366)
    if typed == "latest+1":
        typed = str(latest + dt.timedelta(days=1))

    response = client.post("/leads/campaigns/new/", _campaign(**{field: typed}))

    assert response.status_code == 400
    assert response.context["form"].errors == {field: [
        f"Enter a date between 2000-01-01 and {latest}."]}
    assert f'value="{typed}"' in response.content.decode()
    assert not Campaign.objects.exists()


def test_campaign_on_the_bounds_is_accepted(client, store, marketer):
    client.force_login(marketer)
    latest = store.today() + dt.timedelta(days=5 * 366)

    response = client.post("/leads/campaigns/new/", _campaign(
        starts_on="2000-01-01", ends_on=str(latest)))

    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.starts_on, campaign.ends_on) == (dt.date(2000, 1, 1), latest)


@pytest.mark.parametrize("field", ["starts_on", "ends_on"])
def test_campaign_create_refuses_year_1(store, marketer, field):
    data = {"name": "车展", "channel": Channel.EVENT, "starts_on": dt.date(2026, 5, 1),
            "ends_on": dt.date(2026, 5, 5)} | {field: dt.date(1, 1, 1)}

    with pytest.raises(ValidationError) as refused:
        campaign_create(actor=marketer, store=store, data=data)

    assert list(refused.value.message_dict) == [field]
    assert not Campaign.objects.exists()


def test_campaign_update_refuses_year_9999(store, marketer):
    campaign = CampaignFactory(store=store, starts_on=dt.date(2026, 5, 1),
                               ends_on=dt.date(2026, 5, 5))

    with pytest.raises(ValidationError) as refused:
        campaign_update(actor=marketer, campaign=campaign,
                        data={"ends_on": dt.date(9999, 12, 31)})

    assert list(refused.value.message_dict) == ["ends_on"]
    campaign.refresh_from_db()
    assert campaign.ends_on == dt.date(2026, 5, 5)


# --- The admin writes without the services: its forms keep the same ranges ------------------
def _admin_form(model, form, fields, **kwargs):
    return modelform_factory(model, form=form, fields=fields)(**kwargs)


def test_campaign_admin_refuses_a_day_before_2000_and_accepts_the_bound(store):
    fields = ["store", "name", "channel", "starts_on", "ends_on", "budget", "note"]
    data = {"store": store.pk, "name": "车展", "channel": Channel.EVENT,
            "starts_on": "1999-12-31", "ends_on": "2000-01-31", "budget": "0", "note": ""}

    refused = _admin_form(Campaign, CampaignAdminForm, fields, data=data)
    accepted = _admin_form(Campaign, CampaignAdminForm, fields,
                           data=data | {"starts_on": "2000-01-01"})

    latest = store.today() + dt.timedelta(days=5 * 366)
    assert refused.errors == {"starts_on": [f"Enter a date between 2000-01-01 and {latest}."]}
    assert accepted.is_valid(), accepted.errors


def test_lead_admin_refuses_a_changed_follow_up_after_a_year(store, lead):
    last = store.today() + dt.timedelta(days=365)

    refused = _admin_form(Lead, LeadAdminForm, ["next_follow_up_on"], instance=lead,
                          data={"next_follow_up_on": str(last + dt.timedelta(days=1))})
    accepted = _admin_form(Lead, LeadAdminForm, ["next_follow_up_on"], instance=lead,
                           data={"next_follow_up_on": str(last)})

    assert refused.errors == {"next_follow_up_on": [
        f"Enter a date between {store.today()} and {last}."]}
    assert accepted.is_valid(), accepted.errors


def test_lead_admin_keeps_an_unchanged_past_follow_up(store, lead):
    past = store.today() - dt.timedelta(days=3)
    lead.next_follow_up_on = past
    lead.save(update_fields=["next_follow_up_on"])

    form = _admin_form(Lead, LeadAdminForm, ["next_follow_up_on"], instance=lead,
                       data={"next_follow_up_on": str(past)})

    assert form.is_valid(), form.errors
