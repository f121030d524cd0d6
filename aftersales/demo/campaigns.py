"""After-sales demo data: campaigns. Two care campaigns of the store, written through the
services: an invitation of the high-value owners to an owners' evening, sent by marketing
as the demo is seeded (queued only for the owners who agreed to marketing messages and are
under the weekly limit, so the outbox worker has them to send), and a free-inspection
week for the other owners, still a draft with its preview to check (the segments do not
overlap: the invitation does not use up the weekly limit the draft's preview counts). A
second seeding finds them and changes nothing."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone, translation

from aftersales.enums import CampaignKind, ValueSegment
from aftersales.models import CareCampaign
from aftersales.permissions import CAMPAIGN_ROLES
from aftersales.services.campaigns import campaign_create, campaign_send
from dealership.enums import Role
from dealership.models import Store, User

LANGUAGE = "zh-hans"
EVENING = ("车主品鉴之夜", CampaignKind.OWNERS_EVENT,
           "{name}您好！{store}诚邀您参加本月最后一个周六晚的车主品鉴之夜，"
           "新车试驾、保养讲座与晚宴。报名请联系您的顾问{consultant}。",
           {"value": [ValueSegment.HIGH]})
INSPECTION = ("免费检测周", CampaignKind.FREE_INSPECTION,
              "{name}您好，{store}本月第三周为车主免费检测周：空调、刹车、轮胎等二十项检测，"
              "欢迎预约。如需预约请联系{consultant}。",
              {"value": [ValueSegment.MEDIUM, ValueSegment.LOW]})


def _actor(store: Store) -> User | None:
    for role in (Role.MARKETING, *CAMPAIGN_ROLES):
        user = (User.objects.filter(store=store, role=role, is_active=True)
                .order_by("pk").first())
        if user is not None:
            return user
    return None


def seed(rng: random.Random, *, store: Store, scale: str) -> None:
    actor = _actor(store)
    if actor is None or CareCampaign.objects.filter(store=store).exists():
        return
    with translation.override(LANGUAGE):
        name, kind, template, segment = EVENING
        evening = campaign_create(actor=actor, store=store, name=name, kind=kind,
                                  template=template, segment=segment)
        # Drafted a few days before: the list shows the draft's and the send's moments.
        CareCampaign.objects.filter(pk=evening.pk).update(
            created_at=timezone.now() - dt.timedelta(days=rng.randint(2, 5)))
        campaign_send(actor=actor, campaign=evening, now=timezone.now())
        name, kind, template, segment = INSPECTION
        campaign_create(actor=actor, store=store, name=name, kind=kind, template=template,
                        segment=segment)
