"""Demo history of the leads stage: 90 days of leads, follow-ups and campaigns for DEMO.

Everything is built in memory per chunk of customers and written with bulk_create, so
`--scale large` (over a million leads) runs without one query per row. The first leads
of the store are a fixed showcase (fresh online leads, overdue leads, pending lost
requests, the pool, dormant leads with a reactivation task) so that every screen and
job has something to show even at `small`; the rest is drawn at random.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import reset_queries
from django.db.models import Count, F
from django.utils import timezone

from dealership.enums import Role
from dealership.models import Customer, Store, User
from leads.enums import (
    FUNNEL,
    ONLINE_CHANNELS,
    Channel,
    EventKind,
    Grade,
    LeadStatus,
    LostReason,
    LostRequestStatus,
    PurchaseWindow,
    TaskKind,
    TouchKind,
    TouchOutcome,
)
from leads.models import (
    Campaign,
    ConsultantRouting,
    Lead,
    LeadEvent,
    LeadPolicy,
    LostRequest,
    Notification,
    Task,
    Touch,
)

CHUNK = 5000
BATCH = 1000
CHANNELS = {Channel.WALK_IN: 25, Channel.PHONE: 10, Channel.WEBSITE: 12,
            Channel.VERTICAL_MEDIA: 20, Channel.SHORT_VIDEO: 15, Channel.REFERRAL: 8,
            Channel.PARTNER: 4, Channel.EVENT: 4, Channel.OTHER: 2}
OFFLINE = [c for c in CHANNELS if c not in ONLINE_CHANNELS]
GRADES = {Grade.A: 20, Grade.B: 45, Grade.C: 35}
WINDOW = {Grade.A: PurchaseWindow.DAYS_3, Grade.B: PurchaseWindow.MONTH_1,
          Grade.C: PurchaseWindow.LATER}
MODELS = {"凯美瑞": (150_000, 250_000), "卡罗拉": (100_000, 150_000),
          "RAV4荣放": (170_000, 280_000), "汉兰达": (260_000, 330_000),
          "bZ3": (140_000, 190_000), "L7": (300_000, 380_000)}
LOST_REASONS = {LostReason.BOUGHT_COMPETITOR: 30, LostReason.BOUGHT_ELSEWHERE: 12,
                LostReason.PRICE: 20, LostReason.BUDGET: 10, LostReason.POSTPONED: 12,
                LostReason.UNREACHABLE: 10, LostReason.NO_INTENTION: 6}
LOST_NOTES = {
    LostReason.BOUGHT_COMPETITOR: ["客户已在比亚迪店提车", "最终选了本田雅阁", "订了特斯拉Model Y"],
    LostReason.BOUGHT_ELSEWHERE: ["在广州的店拿到更低价格已提车", "朋友介绍去了别的4S店"],
    LostReason.PRICE: ["落地价比竞品贵一万五，客户放弃", "置换补贴不够，客户觉得不划算"],
    LostReason.BUDGET: ["贷款没批下来", "家里有其他开支，预算取消"],
    LostReason.POSTPONED: ["客户说明年再考虑", "工作调动，购车计划搁置"],
    LostReason.UNREACHABLE: ["连续两周电话不通，微信不回", "号码已停机"],
    LostReason.NO_INTENTION: ["只是帮朋友问价", "客户表示从未打算买车"],
}
NOTES = {
    TouchOutcome.REACHED: [
        "客户关注落地价，已发报价单", "介绍了双擎版油耗，客户比较满意",
        "客户在对比雅阁和凯美瑞，重点讲了保值率", "客户询问置换补贴政策，已说明流程",
        "已加微信，发送了车型配置表", "客户想等月底活动再定", "客户家人也想一起来看车",
        "确认贷款方案，首付三成，36期", "客户关心交车时间和颜色库存",
    ],
    TouchOutcome.NO_ANSWER: ["电话未接通，已发短信", "无人接听，稍后再打", "关机，明天再联系"],
    TouchOutcome.CALL_BACK: ["客户在开会，约明天下午再联系", "客户让晚上八点后再打"],
    TouchOutcome.APPOINTMENT: ["约好周六上午到店看车", "预约周日下午试驾", "约了明天来店谈价"],
    TouchOutcome.NOT_INTERESTED: ["客户表示暂时不考虑，三个月后再联系"],
}
VISIT_NOTES = {
    LeadStatus.VISITED: ["到店看车，重点看了内饰和空间", "客户带家人到店，看了两个颜色"],
    LeadStatus.TEST_DRIVEN: ["试驾了双擎版，客户对静音很满意", "试乘试驾RAV4荣放，走了高速段"],
    LeadStatus.NEGOTIATING: ["到店谈价，客户要求送贴膜和保养", "报了落地价，客户回去和家人商量"],
}
GRADE_REASONS = ["客户说下周就要提车", "预算已批，想尽快定", "客户改口说明年再买"]
CAMPAIGNS = [  # name, channel, starts (days ago), ends (days ago), budget
    ("懂车帝 春季留资", Channel.VERTICAL_MEDIA, 90, 0, "60000"),
    ("汽车之家 车型页投放", Channel.VERTICAL_MEDIA, 75, 10, "45000"),
    ("抖音直播 周末专场", Channel.SHORT_VIDEO, 60, 0, "30000"),
    ("官网 预约试驾", Channel.WEBSITE, 90, 0, "8000"),
    ("深圳国际车展", Channel.EVENT, 45, 38, "120000"),
    ("老带新 转介绍礼", Channel.REFERRAL, 90, 0, "10000"),
]
# The first leads of the store, each given to the first customer old enough for its
# story: something on every screen at any scale.
SHOWCASE = (["fresh"] * 5 + ["pending"] * 3 + ["overdue"] * 4 + ["overdue_new"] * 2
            + ["pool"] * 3 + ["task"] * 2 + ["dormant"] + ["returned"]
            + [s.value for s in FUNNEL[1:]] + ["won", "lost"])
# Days a lead must be old for its kind: dormant after 30 days, the pool 30 more, overdue
# past the longest cadence.
OLD_ENOUGH = {"overdue": 16, "overdue_new": 16, "dormant": 32, "task": 32, "pool": 62}


@dataclass
class Plan:
    """One lead with its rows that wait for the lead's id."""

    lead: Lead
    touches: list[Touch] = field(default_factory=list)
    # (kind, actor id, note, data, when, index of the touch it records or None)
    events: list[tuple] = field(default_factory=list)
    lost: LostRequest | None = None
    task: Task | None = None
    notifications: list[Notification] = field(default_factory=list)


class Builder:
    """One store's lead history, built in memory as Plans for `write` to insert."""

    def __init__(self, rng: random.Random, store: Store, *, lean: bool = False) -> None:
        # lean: only the funnel's touches and status events (for a million leads)
        self.rng, self.store, self.tz, self.lean = rng, store, store.tzinfo, lean
        self.now = timezone.now()
        self.policy, _ = LeadPolicy.objects.get_or_create(store=store)
        consultants = list(User.objects.filter(store=store, role=Role.CONSULTANT,
                                               is_active=True)
                           .annotate(sup=F("team__supervisor")).order_by("pk"))
        self.consultants = [u.pk for u in consultants]
        fallback = (User.objects.filter(store=store, role=Role.SUPERVISOR)
                    .values_list("pk", flat=True).first())
        self.supervisor_of = {u.pk: u.sup or fallback for u in consultants}
        self.showcase = list(SHOWCASE)
        self.campaigns: list[Campaign] = []
        # Business hours with a margin, so that "a few minutes later" stays inside them.
        self.first = (dt.datetime.combine(dt.date.min, store.opens_at)
                      + dt.timedelta(minutes=30)).time()
        self.last = (dt.datetime.combine(dt.date.min, store.closes_at)
                     - dt.timedelta(minutes=60)).time()

    # --- time helpers ---------------------------------------------------------------------
    def hours(self, moment: dt.datetime) -> dt.datetime:
        """`moment`, or the end of the last business day before it if outside hours."""
        local = moment.astimezone(self.tz)
        day = local.date()
        if local.time() < self.first:
            day -= dt.timedelta(days=1)
        elif local.time() <= self.last:
            return local
        end = dt.datetime.combine(day, self.last, tzinfo=self.tz)
        return end - dt.timedelta(minutes=self.rng.randrange(0, 150))

    def opening(self, moment: dt.datetime) -> dt.datetime:
        """`moment`, or the next business morning if outside hours (never in the future)."""
        local = moment.astimezone(self.tz)
        day = local.date()
        if local.time() > self.last:
            day += dt.timedelta(days=1)
        elif local.time() >= self.first:
            return local
        start = dt.datetime.combine(day, self.first, tzinfo=self.tz)
        start += dt.timedelta(minutes=self.rng.randrange(0, 150))
        return start if start <= self.now else self.hours(moment)

    def between(self, lo: dt.datetime, hi: dt.datetime) -> dt.datetime:
        """A moment in business hours from `lo` to `hi` (`lo` if the range is empty)."""
        lo = self.opening(lo)
        if hi <= lo:
            return lo
        span = (hi - lo).total_seconds()
        return max(self.hours(lo + dt.timedelta(seconds=self.rng.random() * span)), lo)

    def pick(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    # --- setup ----------------------------------------------------------------------------
    def setup(self) -> None:
        today = timezone.localdate(self.now, self.tz)
        self.campaigns = Campaign.objects.bulk_create([
            Campaign(store=self.store, name=name, channel=channel, budget=Decimal(budget),
                     starts_on=today - dt.timedelta(days=start),
                     ends_on=today - dt.timedelta(days=end))
            for name, channel, start, end, budget in CAMPAIGNS
        ])
        ConsultantRouting.objects.bulk_create([
            ConsultantRouting(user_id=pk, store=self.store, on_duty=True,
                              last_assigned_at=self.now - dt.timedelta(minutes=7 * i + 3))
            for i, pk in enumerate(self.consultants)
        ], ignore_conflicts=True)

    # --- one customer's leads -------------------------------------------------------------
    def plans_for(self, customer_id: int, owner_id: int | None,
                  joined: dt.datetime) -> list[Plan]:
        roll = self.rng.random()
        if roll < 0.10 and not self.showcase:
            return []
        owner_id = owner_id or self.rng.choice(self.consultants)
        created = self.opening(joined)
        if created < joined:  # joined after the last closing time: tonight's web enquiry
            return [self.plan(customer_id, owner_id, joined, "night")]
        age = (self.now - created).days
        for index, kind in enumerate(self.showcase):
            if age >= OLD_ENOUGH.get(kind, 0):
                return [self.plan(customer_id, owner_id, created, self.showcase.pop(index))]
        if roll > 0.90 and age > 20:  # an earlier, closed enquiry, then a new one
            first = self.plan(customer_id, owner_id, created, self.rng.choice(["won", "lost"]))
            again = self.hours(first.lead.closed_at + dt.timedelta(
                days=self.rng.randrange(5, 40)))
            if again >= self.now - dt.timedelta(days=1):
                return [first]
            return [first, self.plan(customer_id, owner_id, again, self.kind_for(again),
                                     duplicate=True)]
        return [self.plan(customer_id, owner_id, created, self.kind_for(created))]

    def kind_for(self, created: dt.datetime) -> str:
        age = (self.now - created).days
        if age < 1:
            weights = {"new": 55, "contacted": 45}
        elif age < 7:
            weights = {"new": 6, "contacted": 35, "invited": 20, "visited": 15,
                       "test_driven": 10, "negotiating": 6, "won": 4, "lost": 2, "pending": 2}
        elif age < OLD_ENOUGH["dormant"]:
            weights = {"contacted": 20, "invited": 12, "visited": 12, "test_driven": 12,
                       "negotiating": 12, "won": 14, "lost": 14, "pending": 2, "returned": 2}
        else:
            weights = {"contacted": 8, "invited": 4, "visited": 5, "test_driven": 5,
                       "negotiating": 5, "won": 20, "lost": 23, "dormant": 18, "pool": 10,
                       "pending": 1, "returned": 1}
            if age < OLD_ENOUGH["pool"]:
                weights["dormant"] += weights.pop("pool")
        return self.pick(weights)

    def plan(self, customer_id: int, owner_id: int | None, created: dt.datetime, kind: str,
             *, duplicate: bool = False) -> Plan:
        rng, now = self.rng, self.now
        # Online enquiries arrive at any hour: fresh and tonight's leads are the only rows
        # outside business hours, so the first-contact escalation has work right now.
        if kind == "fresh":
            created = max(now - dt.timedelta(minutes=rng.randrange(5, 170)), created)
        if kind in ("fresh", "night"):
            channel = rng.choice(ONLINE_CHANNELS)
        elif kind in ("new", "overdue_new"):
            channel = rng.choice(OFFLINE)
        else:
            channel = self.pick(CHANNELS)
        grade = self.pick(GRADES)
        model = rng.choice(list(MODELS))
        low, high = MODELS[model]
        campaign = next((c for c in self.campaigns if c.channel == channel
                         and c.starts_on <= created.astimezone(self.tz).date() <= c.ends_on),
                        None)
        lead = Lead(
            store=self.store, customer_id=customer_id, owner_id=owner_id, channel=channel,
            campaign=campaign if rng.random() < 0.8 else None, grade=grade,
            purchase_window=WINDOW[grade] if rng.random() < 0.85 else "",
            model_interest=model, budget_min=low if rng.random() < 0.6 else None,
            budget_max=high if rng.random() < 0.6 else None, status=LeadStatus.NEW,
            created_at=created, assigned_at=created,
        )
        if not lead.purchase_window and grade != Grade.C:
            lead.grade_overridden = True
        plan = Plan(lead=lead)
        plan.events.append((EventKind.CREATED, None, "", {
            "channel": channel, "grade": grade, "duplicate": duplicate}, created, None))
        if not self.lean:
            plan.events.append((EventKind.ASSIGNED, None, "", {
                "to_owner": owner_id, "reason": "customer" if duplicate else "routing"},
                created, None))
        if lead.grade_overridden:
            plan.events.append((EventKind.GRADE, owner_id, rng.choice(GRADE_REASONS),
                                {"from": "C", "to": grade}, created, None))
        self.history(plan, kind)
        return plan

    def history(self, plan: Plan, kind: str) -> None:
        rng, now, lead = self.rng, self.now, plan.lead
        cadence = self.policy.cadence(lead.grade)
        if kind in ("fresh", "night", "new", "overdue_new"):
            if lead.is_online:
                lead.follow_up_due_at = lead.created_at + dt.timedelta(
                    minutes=self.policy.first_contact_minutes)
            else:
                lead.follow_up_due_at = lead.created_at + cadence
            if kind in ("fresh", "night"):
                plan.notifications.append(Notification(
                    store=self.store, user_id=lead.owner_id, kind=EventKind.ASSIGNED,
                    created_at=lead.created_at))
            return
        step = {"won": rng.randrange(3, 6), "lost": rng.randrange(1, 6),
                "dormant": rng.randrange(1, 4), "pool": rng.randrange(1, 4),
                "task": rng.randrange(1, 3)}.get(kind)
        if step is None:
            step = FUNNEL.index(kind) if kind in FUNNEL else rng.randrange(1, 5)
        soon = lead.created_at + dt.timedelta(minutes=10)
        if kind in ("won", "lost"):
            span = max(min((now - lead.created_at).days - 1, 45), 1)
            end = self.between(soon, lead.created_at + dt.timedelta(days=rng.uniform(1, span)))
        elif kind in ("dormant", "pool", "task"):
            latest = now - dt.timedelta(days=self.policy.dormant_after_days + 1)
            if kind == "pool":
                latest -= dt.timedelta(days=self.policy.pool_after_days)
            end = self.between(soon, latest)
        elif kind == "overdue":
            end = self.between(soon, now - cadence - dt.timedelta(hours=rng.randrange(2, 72)))
        else:
            end = self.between(max(soon, now - cadence * 0.8), now)
        end = min(end, now)
        self.touches(plan, step, soon, end)
        last = lead.last_touch_at
        if kind == "won":
            lead.closed_at = max(min(self.between(last + dt.timedelta(minutes=5), end), now),
                                 last)
            self.status(plan, LeadStatus.WON, None, lead.closed_at)
        elif kind == "lost":
            self.lost(plan, end, LostRequestStatus.APPROVED)
        elif kind in ("dormant", "pool", "task"):
            lead.dormant_at = self.hours(last + dt.timedelta(
                days=self.policy.dormant_after_days))
            self.status(plan, LeadStatus.DORMANT, None, lead.dormant_at, event=False)
            plan.events.append((EventKind.DORMANT, None, "", {}, lead.dormant_at, None))
            if kind == "pool":
                lead.pooled_at = self.hours(lead.dormant_at + dt.timedelta(
                    days=self.policy.pool_after_days))
                plan.events.append((EventKind.POOLED, None, "",
                                    {"from_owner": lead.owner_id}, lead.pooled_at, None))
                lead.owner_id = None
            if kind == "task":
                plan.task = Task(store=self.store, assignee_id=lead.owner_id,
                                 kind=TaskKind.REACTIVATE, due_on=timezone.localdate(now, self.tz),
                                 created_at=self.hours(now))
        elif kind in ("pending", "returned"):
            when = max(min(self.between(last + dt.timedelta(minutes=5), now), now), last)
            status = (LostRequestStatus.PENDING if kind == "pending"
                      else LostRequestStatus.RETURNED)
            self.lost(plan, when, status)

    def touches(self, plan: Plan, step: int, start: dt.datetime, end: dt.datetime) -> None:
        """`step` funnel steps, one per touch, then a few more follow-ups, up to `end`."""
        rng, lead = self.rng, plan.lead
        count = step + (0 if self.lean else rng.randrange(0, 3))
        if lead.is_online and rng.random() < 0.85:  # first touch within the SLA
            first = lead.created_at + dt.timedelta(minutes=rng.randrange(3, 55))
        else:
            first = self.between(start, min(end, lead.created_at + dt.timedelta(days=1)))
        first = min(first, end)
        middle = sorted(self.between(first, end) for _ in range(count - 2))
        moments = [end] if count == 1 else [first, *middle, end]
        status = LeadStatus.NEW
        for index, at in enumerate(moments[:count]):
            target = FUNNEL[index + 1] if index < step else None
            if target in VISIT_NOTES:
                how, outcome, note = (TouchKind.VISIT, TouchOutcome.REACHED,
                                      rng.choice(VISIT_NOTES[target]))
            else:
                outcome = (TouchOutcome.APPOINTMENT if target == LeadStatus.INVITED
                           else rng.choice([TouchOutcome.REACHED] * 4 + [
                               TouchOutcome.NO_ANSWER, TouchOutcome.CALL_BACK]))
                how = rng.choice([TouchKind.CALL] * 5 + [TouchKind.WECHAT] * 3
                                 + [TouchKind.SMS])
                note = rng.choice(NOTES[outcome])
            plan.touches.append(Touch(kind=how, outcome=outcome, note=note,
                                      by_id=lead.owner_id, created_at=at))
            if not self.lean:
                plan.events.append((EventKind.TOUCH, lead.owner_id, note,
                                    {"how": how, "outcome": outcome}, at, index))
            if target is not None:
                self.status(plan, target, lead.owner_id, at)
                status = target
        lead.first_touch_at, lead.last_touch_at = moments[0], moments[count - 1]
        lead.status = status
        agreed = None
        if plan.touches[-1].outcome == TouchOutcome.APPOINTMENT:
            agreed = lead.last_touch_at.astimezone(self.tz).date() + dt.timedelta(
                days=rng.randrange(1, 5))
            plan.touches[-1].next_follow_up_on = lead.next_follow_up_on = agreed
        due = lead.last_touch_at + self.policy.cadence(lead.grade)
        if agreed:
            due = min(due, dt.datetime.combine(agreed, dt.time(23, 59), tzinfo=self.tz))
        lead.follow_up_due_at = due

    def status(self, plan: Plan, to: str, actor: int | None, at: dt.datetime, *,
               event: bool = True) -> None:
        if event:
            plan.events.append((EventKind.STATUS, actor, "",
                                {"from": plan.lead.status, "to": to}, at, None))
        plan.lead.status = to

    def lost(self, plan: Plan, at: dt.datetime, decision: str) -> None:
        rng, lead = self.rng, plan.lead
        reason = self.pick(LOST_REASONS)
        note = rng.choice(LOST_NOTES[reason])
        supervisor = self.supervisor_of.get(lead.owner_id)
        asked = self.between(lead.last_touch_at, at)
        plan.lost = LostRequest(reason=reason, note=note, requested_by_id=lead.owner_id,
                                requested_at=asked, status=decision)
        plan.events.append((EventKind.LOST_REQUESTED, lead.owner_id, note,
                            {"reason": reason}, asked, None))
        if decision == LostRequestStatus.PENDING:
            plan.notifications.append(Notification(
                store=self.store, user_id=supervisor, kind=EventKind.LOST_REQUESTED,
                created_at=asked))
            return
        plan.lost.decided_by_id, plan.lost.decided_at = supervisor, at
        if decision == LostRequestStatus.RETURNED:
            plan.lost.decision_note = "再跟进一周，约客户到店试驾"
            plan.events.append((EventKind.LOST_RETURNED, supervisor,
                                plan.lost.decision_note, {}, at, None))
            return
        plan.lost.decision_note = "同意"
        self.status(plan, LeadStatus.LOST, supervisor, at)
        lead.lost_reason, lead.closed_at = reason, at
        plan.events.append((EventKind.LOST_APPROVED, supervisor, "同意", {"reason": reason},
                            at, None))


def write(plans: list[Plan]) -> None:
    """Insert the chunk's rows: leads first, then everything that points at them.

    A customer whose lead went to the pool leaves their consultant, as the pool job does,
    unless another of their leads still ties them (a customer's leads share a chunk)."""
    Lead.objects.bulk_create([p.lead for p in plans], batch_size=BATCH)
    pooled = {p.lead.customer_id for p in plans if p.lead.pooled_at}
    tied = {p.lead.customer_id for p in plans
            if p.lead.owner_id and p.lead.status != LeadStatus.LOST}
    if pooled - tied:
        Customer.objects.filter(pk__in=pooled - tied).update(owner=None)
    touches, lost, tasks, notes = [], [], [], []
    for plan in plans:
        for touch in plan.touches:
            touch.store_id, touch.lead_id = plan.lead.store_id, plan.lead.pk
        touches.extend(plan.touches)
        if plan.lost:
            plan.lost.store_id, plan.lost.lead_id = plan.lead.store_id, plan.lead.pk
            lost.append(plan.lost)
        if plan.task:
            plan.task.lead_id = plan.lead.pk
            tasks.append(plan.task)
        for note in plan.notifications:
            note.lead_id = plan.lead.pk
            notes.append(note)
    Touch.objects.bulk_create(touches, batch_size=BATCH)
    events = []
    for plan in plans:
        for kind, actor, note, data, at, touch in plan.events:
            if touch is not None:
                data = {"touch": plan.touches[touch].pk, **data}
            events.append(LeadEvent(store_id=plan.lead.store_id, lead_id=plan.lead.pk,
                                    kind=kind, actor_id=actor,
                                    note=note, data=data, created_at=at))
    LeadEvent.objects.bulk_create(events, batch_size=BATCH)
    LostRequest.objects.bulk_create(lost, batch_size=BATCH)
    Task.objects.bulk_create(tasks, batch_size=BATCH)
    Notification.objects.bulk_create(notes, batch_size=BATCH)


def seed_leads(rng: random.Random, *, store: Store, scale: str) -> None:
    """90 days of leads, touches and campaigns for the demo store, chunk by chunk (or, with
    `scale="history"`, the large group's five years for `store`: `seed_history`)."""
    if scale == "history":
        seed_history(rng, store=store)
        return
    builder = Builder(rng, store, lean=scale == "large")
    builder.setup()
    customers = Customer.objects.filter(store=store).order_by("pk")
    last = 0
    while True:
        chunk = list(customers.filter(pk__gt=last)
                     .values_list("pk", "owner_id", "created_at")[:CHUNK])
        if not chunk:
            break
        last = chunk[-1][0]
        plans = [plan for pk, owner, joined in chunk
                 for plan in builder.plans_for(pk, owner, joined)]
        write(plans)
        reset_queries()  # with DEBUG on, Django keeps every statement: a million rows' worth



# --- The large group's five years (seed_demo --scale large, dealership.demo.group) ---------
# Status by the lead's age in days: only the last weeks are still being worked; older
# leads were won, lost, or went dormant (some of those to the pool).
AGES = [
    (1, {"new": 55, "contacted": 45}),
    (7, {"new": 5, "contacted": 35, "invited": 18, "visited": 14, "test_driven": 10,
         "negotiating": 6, "won": 6, "lost": 6}),
    (30, {"contacted": 18, "invited": 10, "visited": 10, "test_driven": 10, "negotiating": 10,
          "won": 16, "lost": 26}),
    (90, {"contacted": 3, "negotiating": 3, "won": 14, "lost": 55, "dormant": 25}),
    (365, {"won": 13, "lost": 72, "dormant": 15}),
    (None, {"won": 13, "lost": 87}),
]
HISTORY_NOTES = [note for notes in NOTES.values() for note in notes]


def _status_for(rng: random.Random, age: int) -> str:
    for limit, weights in AGES:
        if limit is None or age < limit:
            return rng.choices(list(weights), weights=list(weights.values()))[0]
    raise AssertionError  # pragma: no cover - the last row has no limit


def seed_history(rng: random.Random, *, store: Store) -> None:
    """The store's five years of customers, leads, touches and timeline events, written
    with dealership.demo.bulk (COPY on PostgreSQL); then each consultant's open-lead load."""
    from dealership.demo import bulk, data
    from dealership.demo import group as shape

    history = shape.current()
    tz, now = store.tzinfo, timezone.now()
    policy, _ = LeadPolicy.objects.get_or_create(store=store)
    consultants = list(User.objects.filter(store=store, role=Role.CONSULTANT, is_active=True)
                       .order_by("pk").values_list("pk", flat=True))
    supervisors = list(User.objects.filter(store=store, role=Role.SUPERVISOR)
                       .order_by("pk").values_list("pk", flat=True))
    ConsultantRouting.objects.bulk_create([
        ConsultantRouting(user_id=pk, store=store, on_duty=True,
                          last_assigned_at=now - dt.timedelta(minutes=5 * i + 2))
        for i, pk in enumerate(consultants)], ignore_conflicts=True)
    phones = set(Customer.objects.filter(store=store).values_list("phone", flat=True))
    customers, leads = bulk.TableWriter(Customer), bulk.TableWriter(Lead)
    touches, events = bulk.TableWriter(Touch), bulk.TableWriter(LeadEvent)
    history.lead_floor[store.pk] = leads.next_id
    channels, channel_weights = list(CHANNELS), list(CHANNELS.values())
    grades, grade_weights = list(GRADES), list(GRADES.values())
    models_ = list(MODELS)
    funnel = list(FUNNEL)
    recent: list[tuple[int, int]] = []  # (customer, consultant) who may come back
    serial = rng.randrange(10**7)
    lost_reasons, lost_weights = list(LOST_REASONS), list(LOST_REASONS.values())
    days = shape.daily_counts(rng, total=history.leads[store.code], first=history.first_day,
                              days=history.days)
    for day, count in days:
        age = (history.today - day).days
        opening = dt.datetime.combine(day, dt.time(9, 0), tzinfo=tz)
        for _ in range(count):
            channel = rng.choices(channels, weights=channel_weights)[0]
            if channel in ONLINE_CHANNELS:
                created = opening + dt.timedelta(minutes=rng.randrange(-120, 14 * 60))
            else:
                created = opening + dt.timedelta(minutes=rng.randrange(0, 11 * 60))
            if created > now - dt.timedelta(minutes=5):
                created = now - dt.timedelta(minutes=rng.randrange(5, 600))
            if recent and rng.random() < 0.1:  # a customer back with a new enquiry
                customer, owner = recent[rng.randrange(len(recent))]
            else:
                owner = consultants[rng.randrange(len(consultants))]
                phone = data.mobile(rng)
                while phone in phones:
                    serial += 1
                    phone = f"+86{rng.choice(data.MOBILE_PREFIXES)}{serial % 10**8:08d}"
                phones.add(phone)
                consent = rng.random() < 0.6
                customer = customers.add(
                    store_id=store.pk, name=data.chinese_name(rng), phone=phone,
                    gender=rng.choice(("female", "male", "")),
                    city=rng.choice(data.CITIES), marketing_consent=consent,
                    consent_at=created if consent else None,
                    consent_source="showroom_form" if consent else "", owner_id=owner,
                    created_at=created, updated_at=created)
                recent.append((customer, owner))
                if len(recent) > 2000:
                    recent = recent[1000:]
            status = _status_for(rng, age)
            grade = rng.choices(grades, weights=grade_weights)[0]
            model = models_[rng.randrange(len(models_))]
            low, high = MODELS[model]
            if status in (LeadStatus.WON, "negotiating"):
                reached = 5
            elif status in funnel:
                reached = funnel.index(status)
            elif status == LeadStatus.LOST:
                reached = rng.choice((1, 1, 1, 2, 2, 3, 3, 4, 5))
            else:  # dormant
                reached = rng.choice((1, 1, 2))
            span = {"won": 30, "lost": 40, "dormant": 20}.get(status, max(age, 0) + 1)
            end = min(created + dt.timedelta(hours=rng.uniform(2, 24 * span)), now)
            moments = sorted(created + (end - created) * rng.random() for _ in range(reached))
            lead = dict(
                store_id=store.pk, customer_id=customer, owner_id=owner, channel=channel,
                grade=grade, purchase_window=WINDOW[grade], model_interest=model,
                budget_min=low if rng.random() < 0.6 else None,
                budget_max=high if rng.random() < 0.6 else None,
                status=status, created_at=created, assigned_at=created)
            if moments:
                lead["first_touch_at"], lead["last_touch_at"] = moments[0], moments[-1]
            last = moments[-1] if moments else created
            if status == LeadStatus.WON:
                lead["closed_at"] = end
            elif status == LeadStatus.LOST:
                lead["closed_at"] = end
                lead["lost_reason"] = rng.choices(lost_reasons, weights=lost_weights)[0]
            elif status == LeadStatus.DORMANT:
                lead["dormant_at"] = min(last + dt.timedelta(days=policy.dormant_after_days),
                                         now - dt.timedelta(hours=1))
                if age > 90 and rng.random() < 0.5:
                    lead["pooled_at"] = lead["dormant_at"] + dt.timedelta(
                        days=policy.pool_after_days)
                    lead["owner_id"] = None
            else:
                lead["follow_up_due_at"] = last + policy.cadence(grade)
            lead_id = leads.add(**lead)
            events.add(store_id=store.pk, lead_id=lead_id, kind=EventKind.CREATED, actor_id=None,
                       note="",
                       data={"channel": channel, "grade": grade}, created_at=created)
            for index, at in enumerate(moments):
                outcome = (TouchOutcome.APPOINTMENT if funnel[index + 1] == "invited"
                           else TouchOutcome.REACHED)
                how = TouchKind.VISIT if funnel[index + 1] in VISIT_NOTES else TouchKind.CALL
                touches.add(store_id=store.pk, lead_id=lead_id, kind=how, outcome=outcome,
                            note=HISTORY_NOTES[rng.randrange(len(HISTORY_NOTES))],
                            by_id=owner, created_at=at)
            if status != LeadStatus.NEW:
                actor = (supervisors[0] if status == LeadStatus.LOST and supervisors
                         else owner if status in funnel or status == LeadStatus.WON else None)
                events.add(store_id=store.pk, lead_id=lead_id, kind=EventKind.STATUS,
                           actor_id=actor, note="",
                           data={"from": funnel[min(reached, 5)] if reached else "new",
                                 "to": status},
                           created_at=lead.get("closed_at") or lead.get("dormant_at") or last)
        reset_queries()
    for writer in (customers, leads, touches, events):
        writer.close()
    # The routing's maintained load: each consultant's open leads, as the services keep it.
    loads = dict(Lead.objects.filter(store=store, open=True, owner__isnull=False)
                 .values("owner").annotate(n=Count("pk")).values_list("owner", "n"))
    routings = list(ConsultantRouting.objects.filter(store=store))
    for routing in routings:
        routing.open_leads = loads.get(routing.user_id, 0)
    ConsultantRouting.objects.bulk_update(routings, ["open_leads"])
