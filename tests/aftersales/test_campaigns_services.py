"""Care campaigns: the preview, sending once to the consenting owners of the segment,
editing and deleting while a draft."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from aftersales.enums import CampaignStatus
from aftersales.models import CareCampaign
from aftersales.selectors.campaigns import campaign_preview
from aftersales.services.campaigns import (
    CONFLICT,
    campaign_create,
    campaign_delete,
    campaign_send,
    campaign_update,
)
from contracts.enums import ContractStatus
from dealership.enums import AuditAction, Role
from dealership.models import AuditEntry
from leads.models import OutboundMessage
from tests.aftersales.factories_campaigns import campaign, owner

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

NOW = dt.datetime(2026, 2, 10, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
TEMPLATE = "{name}您好，{store}{consultant}祝您新春快乐！"


@pytest.fixture
def marketer(make_user):
    return make_user(Role.MARKETING, name="马市场")


@pytest.fixture
def audience(store, consultant, manager):
    """Five owners and a buyer whose car is not delivered yet:
    A consents (high value), B has not agreed, C is anonymised, D had two messages this
    week (the store's limit is 2), E consents and had one message eight days ago."""
    a = owner(consultant, manager, name="A甲", price="320000")
    b = owner(consultant, manager, name="B乙", consent=False)
    c = owner(consultant, manager, name="C丙", anonymised_at=NOW - dt.timedelta(days=3))
    d = owner(consultant, manager, name="D丁")
    e = owner(consultant, manager, name="E戊")
    g = owner(consultant, manager, name="G庚", status=ContractStatus.SIGNED)
    for n, (customer, days) in enumerate([(d, 1), (d, 2), (e, 8)]):
        OutboundMessage.objects.create(store=store, customer=customer, purpose="reactivation",
                                       body="欢迎回来", dedupe_key=f"earlier:{n}",
                                       created_at=NOW - dt.timedelta(days=days))
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "g": g}


def _audit(pk: int):
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(CareCampaign),
                                     object_id=str(pk))


def _campaign_messages(draft):
    return list(OutboundMessage.objects.filter(dedupe_key__startswith=f"campaign:{draft.pk}:")
                .order_by("customer__name").values_list("customer__name", "body", "status"))


# --- Preview ----------------------------------------------------------------------------------
def test_preview_counts_who_receives_and_why_the_others_do_not(store, audience):
    draft = campaign(store, template=TEMPLATE)

    preview = campaign_preview(campaign=draft, now=NOW)

    assert preview == {
        "in_segment": 5, "recipients": 2, "excluded": 3, "anonymised": 1, "no_consent": 1,
        "weekly_limit": 1, "limit": 2, "sample": "A甲您好，示范店王芳祝您新春快乐！",
    }


def test_preview_of_a_segment_counts_only_its_owners(store, audience):
    draft = campaign(store, template=TEMPLATE, segment={"value": ["medium"]})

    preview = campaign_preview(campaign=draft, now=NOW)

    assert (preview["in_segment"], preview["recipients"], preview["sample"]) == (
        4, 1, "E戊您好，示范店王芳祝您新春快乐！")


def test_preview_without_recipients_has_no_sample(store, consultant, manager):
    owner(consultant, manager, name="B乙", consent=False)
    draft = campaign(store)

    preview = campaign_preview(campaign=draft, now=NOW)

    assert (preview["in_segment"], preview["recipients"], preview["no_consent"],
            preview["sample"]) == (1, 0, 1, None)


# --- Sending ----------------------------------------------------------------------------------
def test_send_queues_one_message_per_consenting_owner_under_the_limit(store, audience,
                                                                      marketer):
    draft = campaign(store, template=TEMPLATE)

    sent = campaign_send(actor=marketer, campaign=draft, now=NOW)

    assert _campaign_messages(draft) == [
        ("A甲", "A甲您好，示范店王芳祝您新春快乐！", "queued"),
        ("E戊", "E戊您好，示范店王芳祝您新春快乐！", "queued"),
    ]
    assert OutboundMessage.objects.filter(customer__in=[audience["b"], audience["c"],
                                                        audience["g"]]).count() == 0
    sent.refresh_from_db()
    assert (sent.status, sent.sent_at, sent.sent_by, sent.recipients, sent.queued) == (
        CampaignStatus.SENT, NOW, marketer, 5, 2)
    message = OutboundMessage.objects.get(dedupe_key=f"campaign:{draft.pk}:{audience['a'].pk}")
    assert (message.purpose, message.created_at, message.store_id) == (
        "care_campaign", NOW, store.pk)
    entry = _audit(draft.pk).get(action=AuditAction.UPDATE)
    assert (entry.actor, entry.changes, entry.reason) == (
        marketer, {"status": ["draft", "sent"], "recipients": [0, 5], "queued": [0, 2]},
        "Campaign sent")


def test_send_only_to_the_segment(store, audience, marketer):
    draft = campaign(store, template=TEMPLATE, segment={"value": ["high"]})

    campaign_send(actor=marketer, campaign=draft, now=NOW)

    assert _campaign_messages(draft) == [("A甲", "A甲您好，示范店王芳祝您新春快乐！", "queued")]


def test_send_twice_is_refused_and_queues_nothing_more(store, audience, marketer):
    draft = campaign(store, template=TEMPLATE)
    campaign_send(actor=marketer, campaign=draft, now=NOW)

    with pytest.raises(ValidationError) as refused:
        campaign_send(actor=marketer, campaign=draft, now=NOW + dt.timedelta(minutes=1))

    assert refused.value.error_list[0].code == CONFLICT
    assert OutboundMessage.objects.filter(purpose="care_campaign").count() == 2
    draft.refresh_from_db()
    assert (draft.sent_at, draft.queued) == (NOW, 2)


def test_send_never_queues_a_message_twice_for_one_owner(store, audience, marketer):
    draft = campaign(store, template=TEMPLATE)
    key = f"campaign:{draft.pk}:{audience['a'].pk}"
    OutboundMessage.objects.create(store=store, customer=audience["a"], purpose="care_campaign",
                                   body="已排队", dedupe_key=key, created_at=NOW)

    sent = campaign_send(actor=marketer, campaign=draft, now=NOW)

    assert _campaign_messages(draft) == [
        ("A甲", "已排队", "queued"), ("E戊", "E戊您好，示范店王芳祝您新春快乐！", "queued")]
    assert sent.queued == 2


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.SERVICE_ADVISOR, Role.SUPERVISOR])
def test_send_by_a_role_that_may_not_is_refused(store, make_user, audience, role):
    draft = campaign(store, template=TEMPLATE)

    with pytest.raises(PermissionDenied):
        campaign_send(actor=make_user(role, username=f"x-{role}"), campaign=draft, now=NOW)

    draft.refresh_from_db()
    assert draft.status == CampaignStatus.DRAFT
    assert OutboundMessage.objects.filter(purpose="care_campaign").count() == 0


def test_send_by_another_store_is_refused(store, other_store, make_user):
    draft = campaign(store)
    stranger = make_user(Role.MARKETING, store=other_store, username="mkt-other")

    with pytest.raises(PermissionDenied):
        campaign_send(actor=stranger, campaign=draft, now=NOW)

    draft.refresh_from_db()
    assert draft.status == CampaignStatus.DRAFT


# --- Drafting ---------------------------------------------------------------------------------
def test_create_keeps_a_draft_and_audits_it(store, marketer):
    created = campaign_create(actor=marketer, store=store, name=" 免费检测周 ",
                              kind="free_inspection", template="{name}您好，本周免费检测。",
                              segment={"value": ["high", "high"], "need": [], "loyalty": []})

    created.refresh_from_db()
    assert (created.name, created.status, created.created_by, created.segment) == (
        "免费检测周", CampaignStatus.DRAFT, marketer,
        {"value": ["high"], "need": [], "loyalty": []})
    entry = _audit(created.pk).get()
    assert (entry.action, entry.changes["name"]) == (AuditAction.CREATE, [None, "免费检测周"])


@pytest.mark.parametrize(("field", "kwargs", "message"), [
    ("name", {"name": "  "}, "Give the campaign a name."),
    ("kind", {"kind": "spam"}, "Choose the kind of campaign."),
    ("template", {"template": "{name}您好，{nmae}"},
     "Unknown placeholder {nmae}: use {name}, {store} or {consultant}."),
    ("template", {"template": "长" * 501}, "A message has 1 to 500 characters."),
    ("loyalty", {"segment": {"loyalty": ["vip"]}}, "Choose segments from the list."),
])
def test_create_refuses_bad_input_naming_the_field(store, marketer, field, kwargs, message):
    data = {"name": "问候", "kind": "other", "template": "{name}您好", "segment": {}} | kwargs

    with pytest.raises(ValidationError) as refused:
        campaign_create(actor=marketer, store=store, **data)

    assert refused.value.message_dict == {field: [message]}
    assert CareCampaign.objects.count() == 0


def test_update_changes_a_draft_and_audits_what_changed(store, marketer):
    draft = campaign(store, actor=marketer, template=TEMPLATE)

    campaign_update(actor=marketer, campaign=draft, name="春节问候", kind="holiday_greeting",
                    template="{name}新年好！", segment={"need": ["family"]})

    draft.refresh_from_db()
    assert (draft.template, draft.segment) == (
        "{name}新年好！", {"value": [], "need": ["family"], "loyalty": []})
    entry = _audit(draft.pk).get(action=AuditAction.UPDATE)
    assert set(entry.changes) == {"template", "segment"}


def test_update_or_delete_of_a_sent_campaign_is_refused(store, marketer):
    sent = campaign(store, template=TEMPLATE, status=CampaignStatus.SENT, sent_at=NOW)

    with pytest.raises(ValidationError) as update_refused:
        campaign_update(actor=marketer, campaign=sent, name="改名", kind="other",
                        template="x", segment={})
    with pytest.raises(ValidationError) as delete_refused:
        campaign_delete(actor=marketer, campaign=sent)

    assert update_refused.value.error_list[0].code == CONFLICT
    assert delete_refused.value.error_list[0].code == CONFLICT
    sent.refresh_from_db()
    assert (sent.name, sent.template) == ("春节问候", TEMPLATE)


def test_delete_removes_a_draft_and_audits_it(store, marketer):
    draft = campaign(store)
    pk = draft.pk

    campaign_delete(actor=marketer, campaign=draft)

    assert not CareCampaign.objects.filter(pk=pk).exists()
    assert _audit(pk).get().action == AuditAction.DELETE


def test_preview_weekly_window_moves_with_the_clock(store, audience):
    # Nine days later D's two messages (10 and 11 days old) have left the week.
    draft = campaign(store)

    later = campaign_preview(campaign=draft, now=NOW + dt.timedelta(days=9))

    assert (later["recipients"], later["weekly_limit"]) == (3, 0)
