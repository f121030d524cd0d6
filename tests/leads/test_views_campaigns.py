"""Campaigns: list figures and costs, create/edit with validation, detail; marketing home."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from dealership.enums import AuditAction, Role
from dealership.models import AuditEntry
from leads.enums import Channel, LeadStatus
from leads.models import Campaign
from tests.helpers import english
from tests.leads.factories import CampaignFactory, LeadFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


def _cell(html: str, row_testid: str, cell_testid: str) -> str:
    row = html[html.index(f'data-testid="{row_testid}"'):]
    row = row[:row.index("</tr>")]
    cell = row[row.index(f'data-testid="{cell_testid}"'):]
    return cell[cell.index(">") + 1:cell.index("</td>")]


@pytest.fixture
def marketer(make_user):
    return make_user(Role.MARKETING, name="吴市场")


@pytest.fixture
def campaigns(store, consultant):
    """spring: 4 leads (1 new, 1 visited, 1 negotiating, 1 won) for ¥10,000;
    quiet: no leads for ¥5,000; show: 2 leads, none won, for ¥3,000."""
    today = timezone.localdate()
    spring = CampaignFactory(store=store, name="春季团购", budget=Decimal("10000.00"),
                             starts_on=today - dt.timedelta(days=10))
    quiet = CampaignFactory(store=store, name="冷门活动", budget=Decimal("5000.00"),
                            starts_on=today - dt.timedelta(days=20))
    show = CampaignFactory(store=store, name="车展", budget=Decimal("3000.00"),
                           channel=Channel.EVENT, starts_on=today - dt.timedelta(days=30))
    for status in (LeadStatus.NEW, LeadStatus.VISITED, LeadStatus.NEGOTIATING, LeadStatus.WON):
        LeadFactory(store=store, owner=consultant, campaign=spring, status=status)
    for status in (LeadStatus.CONTACTED, LeadStatus.TEST_DRIVEN):
        LeadFactory(store=store, owner=consultant, campaign=show, status=status)
    return spring, quiet, show


# --- List ---------------------------------------------------------------------------------
def test_campaign_list_figures_and_costs_are_exact(client, campaigns, marketer):
    spring, quiet, show = campaigns
    client.force_login(marketer)

    response = client.get("/leads/campaigns/")

    assert response.status_code == 200
    rows = {c.pk: (c.lead_count, c.visit_count, c.deal_count, c.cost_per_lead, c.cost_per_deal)
            for c in response.context["page"]}
    assert rows == {
        spring.pk: (4, 3, 1, Decimal("2500.00"), Decimal("10000.00")),
        quiet.pk: (0, 0, 0, None, None),
        show.pk: (2, 1, 0, Decimal("1500.00"), None),
    }
    assert [c.pk for c in response.context["page"]] == [spring.pk, quiet.pk, show.pk]


def test_campaign_list_zero_denominators_show_a_dash(client, campaigns, marketer):
    spring, quiet, show = campaigns
    client.force_login(english(marketer))

    html = _text(client.get("/leads/campaigns/"))

    assert _cell(html, f"campaign-{quiet.pk}", "cost-per-lead") == "—"
    assert _cell(html, f"campaign-{quiet.pk}", "cost-per-deal") == "—"
    assert _cell(html, f"campaign-{show.pk}", "cost-per-deal") == "—"
    assert _cell(html, f"campaign-{spring.pk}", "cost-per-lead") == "¥2,500.00"
    assert _cell(html, f"campaign-{spring.pk}", "visits") == "3"


def test_campaign_list_shows_only_the_users_store(client, campaigns, other_store, marketer):
    CampaignFactory(store=other_store, name="外店活动")
    client.force_login(marketer)

    response = client.get("/leads/campaigns/")

    assert {c.name for c in response.context["page"]} == {"春季团购", "冷门活动", "车展"}


def test_campaign_list_supervisor_reads_without_edit_links(client, campaigns, supervisor):
    client.force_login(supervisor)

    response = client.get("/leads/campaigns/")

    assert response.status_code == 200
    assert response.context["can_edit"] is False
    assert "/leads/campaigns/new/" not in _text(response)


def test_campaign_list_empty_state(client, marketer):
    client.force_login(english(marketer))

    html = _text(client.get("/leads/campaigns/"))

    assert "No campaigns yet." in html
    assert 'href="/leads/campaigns/new/"' in html


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.RECEPTIONIST, Role.FINANCE])
def test_campaign_list_other_roles_are_forbidden(client, make_user, role):
    client.force_login(make_user(role))

    assert client.get("/leads/campaigns/").status_code == 403


@pytest.mark.parametrize("count", [1, 3])
def test_campaign_list_query_count_is_constant(client, store, consultant, marketer, count,
                                               django_assert_num_queries):
    for index in range(count):
        campaign = CampaignFactory(store=store, name=f"活动{index}")
        LeadFactory(store=store, owner=consultant, campaign=campaign, status=LeadStatus.WON)
    client.force_login(marketer)

    with django_assert_num_queries(5):
        response = client.get("/leads/campaigns/")

    assert [c.deal_count for c in response.context["page"]] == [1] * count


# --- Detail -------------------------------------------------------------------------------
def test_campaign_detail_lists_its_leads_with_masked_phones(client, campaigns, marketer):
    spring, _quiet, _show = campaigns
    client.force_login(marketer)

    response = client.get(f"/leads/campaigns/{spring.pk}/")

    assert response.status_code == 200
    assert response.context["campaign"].cost_per_lead == Decimal("2500.00")
    leads = list(response.context["page"])
    assert len(leads) == 4
    html = _text(response)
    for lead in leads:
        assert lead.customer.phone_masked in html
        assert lead.customer.phone.removeprefix("+86") not in html


def test_campaign_detail_is_paginated(client, store, consultant, marketer):
    campaign = CampaignFactory(store=store)
    LeadFactory.create_batch(27, store=store, owner=consultant, campaign=campaign)
    client.force_login(marketer)

    first = client.get(f"/leads/campaigns/{campaign.pk}/")
    second = client.get(f"/leads/campaigns/{campaign.pk}/", {"page": 2})

    assert len(first.context["page"]) == 25
    assert len(second.context["page"]) == 2
    assert first.context["campaign"].lead_count == 27


def test_campaign_detail_supervisor_sees_only_their_teams_leads(
        client, store, supervisor, consultant, make_user):
    campaign = CampaignFactory(store=store)
    own = LeadFactory(store=store, owner=consultant, campaign=campaign)
    stranger = make_user(Role.CONSULTANT, username="stranger")
    LeadFactory(store=store, owner=stranger, campaign=campaign)
    client.force_login(supervisor)

    response = client.get(f"/leads/campaigns/{campaign.pk}/")

    assert [lead.pk for lead in response.context["page"]] == [own.pk]
    assert response.context["campaign"].lead_count == 2


def test_campaign_detail_other_store_is_not_found(client, other_store, marketer):
    campaign = CampaignFactory(store=other_store)
    client.force_login(marketer)

    assert client.get(f"/leads/campaigns/{campaign.pk}/").status_code == 404


def test_campaign_detail_consultant_is_forbidden(client, store, consultant):
    campaign = CampaignFactory(store=store)
    client.force_login(consultant)

    assert client.get(f"/leads/campaigns/{campaign.pk}/").status_code == 403


@pytest.mark.parametrize("count", [1, 3])
def test_campaign_detail_query_count_is_constant(client, store, consultant, marketer, count,
                                                 django_assert_num_queries):
    campaign = CampaignFactory(store=store)
    LeadFactory.create_batch(count, store=store, owner=consultant, campaign=campaign)
    client.force_login(marketer)

    with django_assert_num_queries(6):
        response = client.get(f"/leads/campaigns/{campaign.pk}/")

    assert len(response.context["page"]) == count


# --- Create and edit ----------------------------------------------------------------------
def _form(**overrides) -> dict[str, str]:
    data = {"name": "五一车展", "channel": Channel.EVENT, "starts_on": "2026-05-01",
            "ends_on": "2026-05-05", "budget": "12000.50", "note": "会展中心"}
    data.update(overrides)
    return data


def _audit(campaign) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Campaign), object_id=str(campaign.pk)))


def test_campaign_create_saves_and_audits(client, store, marketer):
    client.force_login(marketer)

    response = client.post("/leads/campaigns/new/", _form())

    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/leads/campaigns/{campaign.pk}/"
    assert (campaign.store, campaign.name, campaign.budget, campaign.starts_on) == (
        store, "五一车展", Decimal("12000.50"), dt.date(2026, 5, 1))
    [entry] = _audit(campaign)
    assert (entry.action, entry.actor, entry.changes["budget"]) == (
        AuditAction.CREATE, marketer, [None, "12000.50"])


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"ends_on": "2026-04-30"}, "ends_on", "A campaign ends on or after the day it starts."),
    ({"budget": "-1"}, "budget", "The budget cannot be negative."),
    ({"budget": "abc"}, "budget", "Enter a number."),
    ({"name": ""}, "name", "This field is required."),
    ({"channel": "tv"}, "channel", "Select a valid choice. tv is not one of the available "
                                   "choices."),
])
def test_campaign_create_invalid_keeps_the_input(client, marketer, overrides, field, message):
    client.force_login(english(marketer))

    response = client.post("/leads/campaigns/new/", _form(**overrides))

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert "会展中心</textarea>" in _text(response)
    assert Campaign.objects.count() == 0


def test_campaign_create_duplicate_name_in_the_store_is_refused(client, store, marketer):
    CampaignFactory(store=store, name="五一车展")
    client.force_login(english(marketer))

    response = client.post("/leads/campaigns/new/", _form())

    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [
        "This store already has a campaign of that name."]


def test_campaign_create_same_name_in_another_store_is_fine(client, other_store, marketer):
    CampaignFactory(store=other_store, name="五一车展")
    client.force_login(marketer)

    response = client.post("/leads/campaigns/new/", _form())

    assert response.status_code == 302
    assert Campaign.objects.filter(name="五一车展").count() == 2


def test_campaign_create_manager_may(client, store, manager):
    client.force_login(manager)

    response = client.post("/leads/campaigns/new/", _form())

    campaign = Campaign.objects.get()
    assert (response.status_code, response["Location"]) == (302, campaign.get_absolute_url())
    assert (campaign.store, campaign.name) == (store, _form()["name"])


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.CONSULTANT])
def test_campaign_create_other_roles_are_forbidden(client, make_user, role):
    client.force_login(make_user(role))

    assert client.post("/leads/campaigns/new/", _form()).status_code == 403
    assert Campaign.objects.count() == 0


def test_campaign_edit_changes_and_audits_only_what_changed(client, store, marketer):
    campaign = CampaignFactory(store=store, name="五一车展", channel=Channel.EVENT,
                               starts_on=dt.date(2026, 5, 1), ends_on=dt.date(2026, 5, 5),
                               budget=Decimal("12000.50"), note="会展中心")
    client.force_login(marketer)

    response = client.post(f"/leads/campaigns/{campaign.pk}/edit/", _form(budget="15000"))

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.budget == Decimal("15000.00")
    [entry] = _audit(campaign)
    assert (entry.action, entry.changes) == (AuditAction.UPDATE,
                                             {"budget": ["12000.50", "15000.00"]})


def test_campaign_edit_keeps_its_own_name(client, store, marketer):
    campaign = CampaignFactory(store=store, name="五一车展")
    client.force_login(marketer)

    response = client.post(f"/leads/campaigns/{campaign.pk}/edit/", _form(budget="8000"))

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.name, campaign.budget) == ("五一车展", Decimal("8000.00"))


def test_campaign_edit_other_store_is_not_found(client, other_store, marketer):
    campaign = CampaignFactory(store=other_store, name="外店活动")
    client.force_login(marketer)

    response = client.post(f"/leads/campaigns/{campaign.pk}/edit/", _form())

    assert response.status_code == 404
    campaign.refresh_from_db()
    assert campaign.name == "外店活动"
    assert AuditEntry.objects.count() == 0


def test_campaign_edit_supervisor_is_forbidden(client, store, supervisor):
    campaign = CampaignFactory(store=store, name="原名")
    client.force_login(supervisor)

    response = client.post(f"/leads/campaigns/{campaign.pk}/edit/", _form())

    assert response.status_code == 403
    campaign.refresh_from_db()
    assert campaign.name == "原名"


# --- Marketing home -----------------------------------------------------------------------
def test_marketing_home_counts_this_months_leads_by_channel_and_campaign(
        client, store, consultant, marketer):
    now = timezone.now()
    month_start = dt.datetime.combine(now.astimezone(store.tzinfo).date().replace(day=1),
                                      dt.time.min, tzinfo=store.tzinfo)
    spring = CampaignFactory(store=store, name="春季团购")
    LeadFactory.create_batch(2, store=store, owner=consultant, channel=Channel.WEBSITE,
                             campaign=spring, created_at=month_start)
    LeadFactory(store=store, owner=consultant, channel=Channel.WALK_IN, created_at=now)
    LeadFactory(store=store, owner=consultant, channel=Channel.WEBSITE, campaign=spring,
                created_at=month_start - dt.timedelta(seconds=1))  # last month
    client.force_login(marketer)

    response = client.get("/leads/marketing/")

    assert response.status_code == 200
    counts = {row["code"]: row["leads"] for row in response.context["by_channel"]}
    assert (counts["website"], counts["walk_in"], counts["phone"]) == (2, 1, 0)
    assert response.context["month_leads"] == 3
    assert [(c.name, c.period_leads) for c in response.context["by_campaign"]] == [
        ("春季团购", 2)]


def test_marketing_home_empty_month(client, marketer):
    client.force_login(english(marketer))

    html = _text(client.get("/leads/marketing/"))

    assert "No leads this month yet." in html
    assert "No campaign brought leads this month." in html


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.SUPERVISOR])
def test_marketing_home_other_roles_are_forbidden(client, make_user, role):
    client.force_login(make_user(role))

    assert client.get("/leads/marketing/").status_code == 403


@pytest.mark.parametrize("count", [1, 3])
def test_marketing_home_query_count_is_constant(client, store, consultant, marketer, count,
                                                django_assert_num_queries):
    for index in range(count):
        campaign = CampaignFactory(store=store, name=f"活动{index}")
        LeadFactory(store=store, owner=consultant, campaign=campaign)
    client.force_login(marketer)

    with django_assert_num_queries(8):
        response = client.get("/leads/marketing/")

    assert len(response.context["by_campaign"]) == count
