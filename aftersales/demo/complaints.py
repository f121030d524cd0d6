"""After-sales demo data: complaints. A dozen complaints of the store's owners (delivered
contracts first), one in every SLA state: breached (the first response overdue, one of
them escalated up to the manager), due soon, on track (fresh, responded, proposal made),
awaiting the customer's feedback, closed (satisfied or not, one with a late response
recorded as a breach) and one reopened by the customer.

Every complaint is recorded and moved on by the complaint services; as in the earlier
stages' demos, the services stamp `timezone.now()`, so afterwards the rows they wrote are
moved back to the moment each step happened (hours before now). The escalation job runs
just before each step and at the end, as it would have, writing the breaches and the
notifications. A second seeding finds the store's complaints and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.utils import timezone, translation

from aftersales.enums import (
    ComplaintCategory,
    ComplaintChannel,
    ComplaintDepartment,
    ComplaintEventKind,
    ComplaintSeverity,
)
from aftersales.jobs_complaints import escalate_complaints
from aftersales.models import Complaint, ComplaintEvent
from aftersales.services import complaints as services
from contracts.enums import ContractStatus
from contracts.models import Contract
from dealership.enums import Role
from dealership.models import Customer, Store, User

LANGUAGE = "zh-hans"
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Story:
    """One complaint: received `received` hours ago, each step `steps[step]` hours after
    it was received (in order), then closed with `feedback` when given."""

    summary: str
    description: str
    category: str
    department: str
    received: float
    steps: dict[str, float] = field(default_factory=dict)
    severity: str = ComplaintSeverity.MEDIUM
    channel: str = ComplaintChannel.PHONE
    feedback: str = ""
    satisfied: bool | None = None
    reopened_after: float | None = None


STORIES = (
    # Breached: no first response, 3½ h and 5½ h after intake (the latter up to the manager).
    Story("提车一周空调异味", "客户来电称空调开启后有明显霉味，要求尽快处理。",
          ComplaintCategory.PRODUCT_QUALITY, ComplaintDepartment.SERVICE, 3.5,
          severity=ComplaintSeverity.HIGH),
    Story("承诺的脚垫未送", "签约时销售顾问承诺赠送全车脚垫，提车时未给。",
          ComplaintCategory.SALES_SERVICE, ComplaintDepartment.SALES, 5.5,
          channel=ComplaintChannel.WECHAT),
    # Breached later: answered in time, but no proposal after 24 h.
    Story("保养等待时间过长", "客户首保等了三个小时，认为预约形同虚设。",
          ComplaintCategory.AFTER_SALES, ComplaintDepartment.SERVICE, 27,
          steps={"respond": 0.5}),
    # Due soon: 20 minutes left to answer.
    Story("车机蓝牙频繁断开", "手机连接车机蓝牙后十分钟左右自动断开。",
          ComplaintCategory.PRODUCT_QUALITY, ComplaintDepartment.SERVICE, 1 + 40 / 60,
          channel=ComplaintChannel.ONLINE),
    # On track.
    Story("上牌费用与报价不符", "客户认为上牌服务费比报价单多收了两百元。",
          ComplaintCategory.PRICE, ComplaintDepartment.FINANCE, 0.5,
          severity=ComplaintSeverity.LOW, channel=ComplaintChannel.WALK_IN),
    Story("销售顾问回复慢", "客户咨询贴膜事宜，顾问两天未回复。",
          ComplaintCategory.SALES_SERVICE, ComplaintDepartment.SALES, 6,
          steps={"respond": 1}),
    Story("后备箱异响", "过减速带时后备箱有咔哒声。",
          ComplaintCategory.PRODUCT_QUALITY, ComplaintDepartment.SERVICE, 20,
          steps={"respond": 1, "propose": 16}),
    # Awaiting the customer's feedback.
    Story("洗车划伤车漆", "保养后免费洗车，客户发现左前门有划痕。",
          ComplaintCategory.AFTER_SALES, ComplaintDepartment.SERVICE, 40,
          steps={"respond": 1, "propose": 10, "resolve": 38},
          severity=ComplaintSeverity.HIGH),
    # Closed.
    Story("发票抬头开错", "购车发票抬头公司名称少了一个字。",
          ComplaintCategory.OTHER, ComplaintDepartment.FINANCE, 24 * 10,
          steps={"respond": 0.5, "propose": 6, "resolve": 30},
          feedback="已重新开具，客户满意。", satisfied=True, channel=ComplaintChannel.EMAIL),
    Story("交车时油量不足", "交车时油箱只有一格油，与承诺的加满不符。",
          ComplaintCategory.SALES_SERVICE, ComplaintDepartment.SALES, 24 * 20,
          steps={"respond": 1, "propose": 20, "resolve": 44},
          feedback="已补偿加油卡，但客户仍觉得体验不好。", satisfied=False),
    Story("厂家转来：天窗漏水", "厂家客服转来投诉：雨天天窗边缘渗水。",
          ComplaintCategory.PRODUCT_QUALITY, ComplaintDepartment.SERVICE, 24 * 14,
          steps={"respond": 3, "propose": 22, "resolve": 47},
          feedback="更换密封条后未再渗水，客户认可。", satisfied=True,
          severity=ComplaintSeverity.CRITICAL, channel=ComplaintChannel.MANUFACTURER),
    # Reopened by the customer an hour ago: a new round.
    Story("雨刮器抖动", "更换雨刮后仍然抖动有噪音。",
          ComplaintCategory.AFTER_SALES, ComplaintDepartment.SERVICE, 24 * 5,
          steps={"respond": 0.5, "propose": 4, "resolve": 20},
          feedback="客户表示暂时没有问题。", satisfied=True, reopened_after=24 * 5 - 1),
)
# Each step's event kind and the complaint's field it stamps.
STEP_STAMPS = {
    "respond": (ComplaintEventKind.RESPONDED, "responded_at"),
    "propose": (ComplaintEventKind.PROPOSED, "proposed_at"),
    "resolve": (ComplaintEventKind.RESOLVED, "resolved_at"),
    "close": (ComplaintEventKind.CLOSED, "closed_at"),
}
TEXTS = {
    "respond": "已致电客户致歉，说明处理流程，约定跟进时间。",
    "propose": "提出处理方案：到店检查，问题属实则免费处理。",
    "resolution": "已按方案处理完毕，客户到店确认。",
    "cause": "零部件批次问题 / 服务流程遗漏。",
    "corrective": "同批次车辆排查；相关岗位培训并加入交车检查表。",
}


def seed(rng: random.Random, *, store: Store, scale: str) -> None:
    if Complaint.objects.filter(store=store).exists():
        return
    carer = (User.objects.filter(store=store, role=Role.CUSTOMER_CARE, is_active=True)
             .order_by("pk").first()
             or User.objects.filter(store=store, role=Role.MANAGER, is_active=True)
             .order_by("pk").first())
    customers = _customers(store)
    if carer is None or not customers:
        return
    now = timezone.now().replace(second=0, microsecond=0)
    with translation.override(LANGUAGE):
        # The oldest first, so the job runs at each moment over the history written so far.
        for story in sorted(STORIES, key=lambda story: -story.received):
            _play(story, actor=carer, customer=rng.choice(customers), now=now)
        escalate_complaints(now=now)


def _customers(store: Store) -> list[Customer]:
    """The store's owners (customers with a delivered contract), else any customers."""
    owners = list(Customer.objects.filter(
        pk__in=Contract.objects.filter(
            store=store, status__in=(ContractStatus.DELIVERED, ContractStatus.CLOSED))
        .values("customer_id")).order_by("pk")[:30])
    return owners or list(Customer.objects.filter(store=store, anonymised_at__isnull=True)
                          .order_by("pk")[:30])


def _stamp(complaint: Complaint, kind: str, at: dt.datetime, **fields) -> None:
    Complaint.objects.filter(pk=complaint.pk).update(**fields)
    ComplaintEvent.objects.filter(complaint=complaint, kind=kind).update(created_at=at)


def _play(story: Story, *, actor: User, customer: Customer, now: dt.datetime) -> None:
    """Record the story's complaint and play its steps at their moments; before each step
    the escalation job runs as it would have (a clock that ran out is caught then)."""
    received = now - HOUR * story.received
    contract = (Contract.objects.filter(customer=customer).exclude(number="")
                .order_by("-signed_at").first())
    # Recorded "now" (the service accepts the last 7 days), then moved back.
    complaint = services.complaint_create(
        actor=actor, customer=customer, channel=story.channel, category=story.category,
        severity=story.severity, department=story.department, summary=story.summary,
        description=story.description, received_at=now, contract=contract)
    _stamp(complaint, ComplaintEventKind.CREATED, received, received_at=received,
           clock_started_at=received, **services.complaint_dues(received))
    last = received
    for step, hours in story.steps.items():
        last = received + HOUR * hours
        escalate_complaints(now=last - MINUTE)
        complaint = _step(step, actor=actor, complaint=complaint)
        kind, field_name = STEP_STAMPS[step]
        # A later step stops the earlier clocks too: move those that it stamped with it.
        stopped = {name: last for name in ("responded_at", "proposed_at", "resolved_at")
                   if getattr(complaint, name) is not None
                   and getattr(complaint, name) > last}
        _stamp(complaint, kind, last, **({field_name: last} | stopped))
        complaint.refresh_from_db()
    if story.feedback:
        closed = last + 4 * HOUR
        complaint = services.complaint_close(actor=actor, complaint=complaint,
                                             customer_feedback=story.feedback,
                                             customer_satisfied=story.satisfied)
        _stamp(complaint, ComplaintEventKind.CLOSED, closed, closed_at=closed)
    if story.reopened_after is not None:
        reopened = received + HOUR * story.reopened_after
        complaint = services.complaint_reopen(actor=actor, complaint=complaint,
                                              customer_words="客户来电：问题又出现了。")
        _stamp(complaint, ComplaintEventKind.REOPENED, reopened, clock_started_at=reopened,
               **services.complaint_dues(reopened))


def _step(step: str, *, actor: User, complaint: Complaint) -> Complaint:
    if step == "respond":
        return services.complaint_respond(actor=actor, complaint=complaint,
                                          note=TEXTS["respond"])
    if step == "propose":
        return services.complaint_propose(actor=actor, complaint=complaint,
                                          proposal=TEXTS["propose"])
    return services.complaint_resolve(actor=actor, complaint=complaint,
                                      resolution=TEXTS["resolution"],
                                      cause_analysis=TEXTS["cause"],
                                      corrective_action=TEXTS["corrective"])
