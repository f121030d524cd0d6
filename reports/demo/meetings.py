"""Demo meeting notes: the manager's briefing of yesterday's and today's morning meetings
(a factory subsidy, a finance plan, a competitor's move) and a problem raised at yesterday's
evening meeting. Written through the area's service, as the manager would."""

from __future__ import annotations

import datetime as dt
import random

from dealership.enums import Role
from dealership.models import Store, User
from reports.enums import MeetingKind, NoteTopic
from reports.models import MeetingNote
from reports.services.meetings import meeting_note_add

SUBSIDIES = ("厂家本月置换补贴：凯美瑞每台 3000 元，月底前开票有效。",
             "厂家限时补贴：混动车型加送 5000 元充电权益，名额 20 个。")
FINANCE = ("金融方案：24 期零利率，首付 20% 起，本周五前签约适用。",
           "银行新政：36 期低息贷款，年化 2.99%，征信好的客户优先推荐。")
COMPETITORS = ("竞品动态：对面品牌店同级车型直降 2 万，客户问到时强调我们的保值率和三年保养。",
               "竞品动态：隔壁店周末搞团购会，今天重点回访上周到店未成交的 A 级客户。")
PROBLEMS = ("问题：试驾车只有一台充满电，明早第一件事先充电，试驾预约错开时间。",
            "问题：昨天两位客户等交车超过半小时，交车前一天必须确认 PDI 完成。")


def seed(rng: random.Random, *, store: Store, scale: str) -> None:
    manager = (User.objects.filter(store=store, role=Role.MANAGER, is_active=True)
               .order_by("pk").first())
    if manager is None:
        return
    today = store.today()
    yesterday = today - dt.timedelta(days=1)
    if MeetingNote.objects.filter(store=store, day__in=(yesterday, today)).exists():
        return  # seeded already
    notes = [
        (yesterday, MeetingKind.MORNING, NoteTopic.FACTORY_SUBSIDY, rng.choice(SUBSIDIES)),
        (yesterday, MeetingKind.MORNING, NoteTopic.COMPETITOR, rng.choice(COMPETITORS)),
        (yesterday, MeetingKind.EVENING, NoteTopic.PROBLEM, rng.choice(PROBLEMS)),
        (yesterday, MeetingKind.EVENING, NoteTopic.PLAN, "明天上午重点邀约 A 级客户到店试驾。"),
        (today, MeetingKind.MORNING, NoteTopic.FACTORY_SUBSIDY, rng.choice(SUBSIDIES)),
        (today, MeetingKind.MORNING, NoteTopic.FINANCE_PLAN, rng.choice(FINANCE)),
        (today, MeetingKind.MORNING, NoteTopic.COMPETITOR, rng.choice(COMPETITORS)),
    ]
    for day, meeting, topic, body in notes:
        meeting_note_add(store=store, day=day, meeting=meeting, topic=topic, body=body,
                         actor=manager)
