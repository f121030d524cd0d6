"""Segments and care campaigns, the screens: who may open them, the store's scope, the
preview on the page, sending once (a second click 409), forms that keep the input, and
a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.enums import CampaignStatus
from aftersales.models import CareCampaign
from aftersales.permissions import CAMPAIGN_ROLES
from dealership.enums import Role
from leads.models import OutboundMessage
from leads.selectors.policy import policy_for
from tests.aftersales.factories_campaigns import GREETING, campaign, owner
from tests.helpers import HTMX, english

pytestmark = pytest.mark.django_db

SEGMENTS = "/aftersales/segments/"
CAMPAIGNS = "/aftersales/campaigns/"


@pytest.fixture
def marketer(make_user):
    return english(make_user(Role.MARKETING, name="马市场"))


def _detail(pk: int) -> str:
    return reverse("aftersales:campaign_detail", kwargs={"pk": pk})


def _send(pk: int) -> str:
    return reverse("aftersales:campaign_send", kwargs={"pk": pk})


# --- Access -----------------------------------------------------------------------------------
@pytest.mark.parametrize("role", CAMPAIGN_ROLES)
@pytest.mark.parametrize("path", [SEGMENTS, CAMPAIGNS, f"{CAMPAIGNS}new/"])
def test_campaign_roles_open_the_screens(client, make_user, role, path):
    client.force_login(make_user(role))

    response = client.get(path)

    assert response.status_code == 200


@pytest.mark.parametrize("role", [r for r in Role if r not in CAMPAIGN_ROLES])
def test_other_roles_are_forbidden(client, make_user, store, role):
    draft = campaign(store)
    client.force_login(make_user(role))

    statuses = [client.get(SEGMENTS).status_code, client.get(CAMPAIGNS).status_code,
                client.get(_detail(draft.pk)).status_code,
                client.post(_send(draft.pk), {"confirm": "on"}).status_code]

    assert statuses == [403, 403, 403, 403]
    draft.refresh_from_db()
    assert draft.status == CampaignStatus.DRAFT


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(SEGMENTS)

    assert (response.status_code, response["Location"]) == (
        302, f"/accounts/login/?next={SEGMENTS}")


@pytest.mark.parametrize("name", ["campaign_detail", "campaign_edit", "campaign_send",
                                  "campaign_delete"])
def test_another_store_campaign_is_not_found(client, other_store, marketer, name):
    theirs = campaign(other_store)
    client.force_login(marketer)
    url = reverse(f"aftersales:{name}", kwargs={"pk": theirs.pk})

    response = client.post(url, {"confirm": "on"}) if name in (
        "campaign_send", "campaign_delete") else client.get(url)

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == CampaignStatus.DRAFT


def test_campaign_list_shows_only_the_store_campaigns(client, store, other_store, marketer):
    ours = campaign(store, name="春节问候")
    campaign(other_store, name="别家的活动")
    client.force_login(marketer)

    response = client.get(CAMPAIGNS)

    assert [c.pk for c in response.context["page"].object_list] == [ours.pk]
    assert "别家的活动" not in response.content.decode()


# --- Segments page ----------------------------------------------------------------------------
def test_segments_page_counts_and_lists_masked_owners(client, store, consultant, manager,
                                                       marketer):
    high = owner(consultant, manager, name="高先生", price="320000", phone="+8613911112222")
    owner(consultant, manager, name="李女士", price="209800", phone="+8613933334444")
    client.force_login(marketer)

    response = client.get(SEGMENTS, {"value": ["high"]})

    html = response.content.decode()
    assert response.status_code == 200
    assert [c.pk for c in response.context["page"].object_list] == [high.pk]
    assert 'data-testid="count-value-high">1<' in html
    assert 'data-testid="count-value-medium">1<' in html
    assert "139****2222" in html
    assert "李女士" not in html


def test_segments_filter_by_htmx_swaps_only_the_rows(client, store, consultant, manager,
                                                     marketer):
    owner(consultant, manager, name="高先生", price="320000")
    client.force_login(marketer)

    response = client.get(SEGMENTS, {"loyalty": ["at_risk"]},
                          HTTP_HX_TARGET="segment-customers", **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card" id="segment-customers">')
    assert "No owner in this segment." in html
    assert "count-value-high" not in html


def test_segments_bad_filter_is_a_400(client, marketer):
    client.force_login(marketer)

    response = client.get(SEGMENTS, {"value": ["gold"]})

    assert response.status_code == 400
    assert "Select a valid choice. gold is not one of the available choices." in (
        response.content.decode())


@pytest.mark.parametrize(("owners", "queries"), [(1, 6), (3, 6)])
def test_segments_page_query_count(client, store, consultant, manager, marketer,
                                   django_assert_num_queries, owners, queries):
    for n in range(owners):
        owner(consultant, manager, price=str(100000 * (n + 1)))
    client.force_login(marketer)

    with django_assert_num_queries(queries):
        response = client.get(SEGMENTS)

    assert len(response.context["page"].object_list) == owners


# --- Campaign list, create, edit --------------------------------------------------------------
@pytest.mark.parametrize(("campaigns", "queries"), [(1, 5), (3, 5)])
def test_campaign_list_query_count(client, store, marketer, django_assert_num_queries,
                                   campaigns, queries):
    for n in range(campaigns):
        campaign(store, actor=marketer, name=f"活动{n}", status=CampaignStatus.SENT,
                 sent_by=marketer)
    client.force_login(marketer)

    with django_assert_num_queries(queries):
        response = client.get(CAMPAIGNS)

    assert len(response.context["page"].object_list) == campaigns


def test_create_saves_a_draft_and_shows_its_preview(client, store, marketer):
    client.force_login(marketer)

    response = client.post(f"{CAMPAIGNS}new/", {
        "name": "车主活动", "kind": "owners_event",
        "template": "{name}您好，{store}邀您参加车主活动。",
        "value": ["high", "medium"], "loyalty": ["advocate"]})

    created = CareCampaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _detail(created.pk)
    assert (created.name, created.kind, created.status, created.segment, created.created_by) == (
        "车主活动", "owners_event", "draft",
        {"value": ["high", "medium"], "need": [], "loyalty": ["advocate"]}, marketer)


def test_create_with_a_bad_template_is_a_400_keeping_the_input(client, store, marketer):
    client.force_login(marketer)

    response = client.post(f"{CAMPAIGNS}new/", {
        "name": "车主活动", "kind": "owners_event", "template": "{name}您好，{date}见。"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "Unknown placeholder {date}: use {name}, {store} or {consultant}." in html
    assert "{name}您好，{date}见。" in html
    assert 'value="车主活动"' in html
    assert CareCampaign.objects.count() == 0


def test_edit_a_draft(client, store, marketer):
    draft = campaign(store)
    client.force_login(marketer)
    url = reverse("aftersales:campaign_edit", kwargs={"pk": draft.pk})

    response = client.post(url, {"name": "元宵问候", "kind": "holiday_greeting",
                                 "template": "{name}元宵快乐！", "need": ["family"]})

    draft.refresh_from_db()
    assert response.status_code == 302
    assert (draft.name, draft.template, draft.segment) == (
        "元宵问候", "{name}元宵快乐！", {"value": [], "need": ["family"], "loyalty": []})


def test_edit_a_sent_campaign_is_a_409(client, store, marketer):
    sent = campaign(store, status=CampaignStatus.SENT)
    client.force_login(marketer)
    url = reverse("aftersales:campaign_edit", kwargs={"pk": sent.pk})

    response = client.post(url, {"name": "改名", "kind": "other", "template": "x"})

    assert response.status_code == 409
    assert "This campaign has already been sent" in response.content.decode()
    sent.refresh_from_db()
    assert sent.name == "春节问候"


def test_delete_a_draft(client, store, marketer):
    draft = campaign(store)
    client.force_login(marketer)

    response = client.post(reverse("aftersales:campaign_delete", kwargs={"pk": draft.pk}))

    assert (response.status_code, response["Location"]) == (302, CAMPAIGNS)
    assert CareCampaign.objects.count() == 0


# --- Detail: the preview, then sending --------------------------------------------------------
def test_detail_shows_the_preview_numbers_and_a_sample(client, store, consultant, manager,
                                                       marketer):
    owner(consultant, manager, name="A甲")
    owner(consultant, manager, name="B乙", consent=False)
    draft = campaign(store, template=GREETING)
    client.force_login(marketer)

    response = client.get(_detail(draft.pk))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="in-segment">2<' in html
    assert 'data-testid="recipients">1<' in html
    assert 'data-testid="excluded">1<' in html
    assert "1 has not agreed to marketing messages" in html
    assert "A甲您好，示范店王芳祝您新春快乐！" in html


@pytest.mark.parametrize(("owners", "queries"), [(1, 7), (3, 7)])
def test_detail_query_count(client, store, consultant, manager, marketer,
                            django_assert_num_queries, owners, queries):
    for _n in range(owners):
        owner(consultant, manager)
    policy_for(store)  # the store's lead policy exists (it is made once, on first use)
    draft = campaign(store)
    client.force_login(marketer)

    with django_assert_num_queries(queries):
        response = client.get(_detail(draft.pk))

    assert response.context["preview"]["recipients"] == owners


def test_send_without_confirming_is_a_400_and_sends_nothing(client, store, consultant,
                                                           manager, marketer):
    owner(consultant, manager)
    draft = campaign(store)
    client.force_login(marketer)

    response = client.post(_send(draft.pk), {})

    assert response.status_code == 400
    assert "Tick the box to confirm the sending." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == CampaignStatus.DRAFT
    assert OutboundMessage.objects.count() == 0


def test_send_once_then_a_second_click_is_a_409(client, store, consultant, manager,
                                                marketer):
    a = owner(consultant, manager, name="A甲")
    owner(consultant, manager, name="B乙", consent=False)
    draft = campaign(store, template=GREETING)
    client.force_login(marketer)

    first = client.post(_send(draft.pk), {"confirm": "on"})
    second = client.post(_send(draft.pk), {"confirm": "on"})

    assert (first.status_code, first["Location"]) == (302, _detail(draft.pk))
    assert second.status_code == 409
    assert "already been sent" in second.content.decode()
    assert list(OutboundMessage.objects.values_list("customer", "dedupe_key")) == [
        (a.pk, f"campaign:{draft.pk}:{a.pk}")]
    draft.refresh_from_db()
    assert (draft.status, draft.recipients, draft.queued, draft.sent_by) == (
        CampaignStatus.SENT, 2, 1, marketer)
    page = client.get(_detail(draft.pk)).content.decode()
    assert 'data-testid="queued">1<' in page


@pytest.mark.parametrize(("owners", "queries"), [(1, 5), (3, 5)])
def test_sent_detail_query_count(client, store, consultant, manager, marketer,
                                 django_assert_num_queries, owners, queries):
    for _n in range(owners):
        owner(consultant, manager)
    draft = campaign(store)
    client.force_login(marketer)
    client.post(_send(draft.pk), {"confirm": "on"})

    with django_assert_num_queries(queries):
        response = client.get(_detail(draft.pk))

    assert [(str(label), n) for label, n in response.context["outcomes"]][:3] == [
        ("Queued", owners), ("Sending", 0), ("Sent", 0)]
