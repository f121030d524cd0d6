"""The campaigns demo (aftersales.demo.campaigns.seed): the owners' evening sent to the
consenting high-value owners, the free-inspection week a draft for the others; a second
seeding changes nothing."""

from __future__ import annotations

import random

import pytest

from aftersales.demo.campaigns import seed
from aftersales.models import CareCampaign
from dealership.enums import Role
from leads.models import OutboundMessage
from tests.aftersales.factories_campaigns import owner

pytestmark = pytest.mark.django_db


def test_demo_sends_the_greeting_and_keeps_a_draft(store, consultant, manager, make_user):
    marketer = make_user(Role.MARKETING, name="马市场")
    agreed = owner(consultant, manager, name="A甲", price="320000")
    owner(consultant, manager, name="B乙", price="320000", consent=False)
    owner(consultant, manager, name="C丙", price="209800")

    seed(random.Random(3), store=store, scale="small")
    seed(random.Random(3), store=store, scale="small")

    campaigns = list(CareCampaign.objects.order_by("pk").values_list(
        "name", "status", "sent_by", "recipients", "queued", "segment"))
    assert campaigns == [
        ("车主品鉴之夜", "sent", marketer.pk, 2, 1,
         {"value": ["high"], "need": [], "loyalty": []}),
        ("免费检测周", "draft", None, 0, 0,
         {"value": ["medium", "low"], "need": [], "loyalty": []}),
    ]
    message = OutboundMessage.objects.get(purpose="care_campaign")
    assert message.customer_id == agreed.pk
    assert message.body == ("A甲您好！示范店诚邀您参加本月最后一个周六晚的车主品鉴之夜，"
                            "新车试驾、保养讲座与晚宴。报名请联系您的顾问王芳。")


def test_demo_without_a_campaign_role_writes_nothing(store):
    seed(random.Random(3), store=store, scale="small")

    assert CareCampaign.objects.count() == 0
