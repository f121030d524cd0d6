"""Demo history of the showroom: 90 days of visits, invitations and test drives for DEMO,
today's duty roster, talk tracks and the inspection checklist.

Built from the leads the leads demo wrote (a lead that got as far as "visited" had a
visit, "test_driven" a test drive, "invited" an invitation), all with bulk inserts.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from dealership.enums import Role, StockStatus
from dealership.models import Series, StockVehicle, Store, User
from leads.enums import FUNNEL, LeadStatus
from leads.models import Lead
from showroom.enums import (
    CustomerType,
    DutyState,
    InvitationStatus,
    ObjectionType,
    Payment,
    TestDriveStatus,
    Usage,
    VisitOutcome,
)
from showroom.models import (
    DutyShift,
    InspectionCheck,
    InspectionItem,
    Invitation,
    Objection,
    TalkTrack,
    TestDrive,
    Visit,
)
from showroom.services import RoutedBy
from showroom.services.test_drives import AGREEMENT_VERSION

LICENCE_PREFIXES = ["4403", "4419", "4401", "4406", "4413"]
FOCUS = ["油耗", "空间", "安全配置", "智能座舱", "保值率", "售后保养成本", "动力", "外观"]
COMPETITORS = ["本田雅阁", "大众帕萨特", "日产天籁", "比亚迪汉", "特斯拉Model Y", "问界M7"]
DECIDERS = ["本人", "夫妻共同", "父母", "公司采购"]
FEEDBACK = ["加速平顺，隔音不错", "底盘扎实，过弯稳", "后排空间比预想大", "车机反应有点慢",
            "刹车偏软，需要适应", "整体满意，想看看落地价"]
OBJECTIONS = [
    (ObjectionType.PRICE, "优惠太少，隔壁店多给五千"),
    (ObjectionType.PRODUCT, "内饰塑料感偏强"),
    (ObjectionType.PRODUCT, "混动电池质保几年？"),
    (ObjectionType.SERVICE, "保养预约太难"),
    (ObjectionType.SALESPERSON, "上次来没人主动介绍"),
]
TALK_TRACKS = [
    (ObjectionType.PRICE, "价格异议：先价值后价格",
     "认同客户关注价格；对比同级车的配置与保值率，再介绍本月厂家补贴与金融方案，"
     "避免直接让价；超出权限的优惠按三级议价申请。"),
    (ObjectionType.PRODUCT, "内饰质感",
     "引导客户触摸常用区域的软质材料，说明耐用与环保标准，邀请试乘体验静谧性。"),
    (ObjectionType.PRODUCT, "混动电池质保",
     "说明混动电池首任车主终身质保政策与条件，展示保养手册中的相关条款。"),
    (ObjectionType.SERVICE, "保养预约",
     "介绍线上预约与专属服务顾问，首保免费并可代步车预约。"),
    (ObjectionType.SALESPERSON, "接待不周",
     "真诚致歉，说明已安排专属顾问全程跟进，并留下主管联系方式。"),
]
INSPECTION_ITEMS = ["展车清洁", "价格牌与配置表更新", "休息区饮品补充", "洗手间整洁",
                    "宣传物料摆放", "试驾车油电充足"]


def _slot(moment: dt.datetime, tz) -> dt.datetime:
    local = moment.astimezone(tz)
    minute = 0 if local.minute < 30 else 30
    return local.replace(minute=minute, second=0, microsecond=0)


def _licence(rng: random.Random) -> str:
    return rng.choice(LICENCE_PREFIXES) + "".join(str(rng.randrange(10)) for _ in range(14))


def _returns_and_no_shows(visits: list[Visit], *, now: dt.datetime,
                          tz) -> tuple[list[Visit], list[Invitation]]:
    """Customers who come back (a return visit a few days after their first, to negotiate)
    and invitations that were missed before a customer finally came: the meetings' return
    walk-ins and show rate need both. Their own random stream, so that adding them changes
    nothing else of the demo."""
    rng = random.Random(2026)  # noqa: S311 - demo data, no secret
    returns, missed = [], []
    for visit in visits:
        if visit.lead.status in (LeadStatus.NEGOTIATING, LeadStatus.WON) and rng.random() < 0.4:
            back = (visit.arrived_at + dt.timedelta(days=rng.randrange(2, 8))).astimezone(tz)
            back = back.replace(hour=rng.randrange(10, 18), minute=rng.randrange(0, 60))
            if back < now - dt.timedelta(hours=2):
                returns.append(Visit(
                    store=visit.store, customer=visit.customer, lead=visit.lead,
                    consultant=visit.consultant, arrived_at=back,
                    departed_at=back + dt.timedelta(minutes=rng.randrange(30, 90)),
                    party_size=visit.party_size, first_visit=False, routed_by=RoutedBy.QUEUE,
                    outcome=VisitOutcome.QUOTE))
        expected = visit.arrived_at - dt.timedelta(days=rng.randrange(1, 4))
        # Invited after the lead came in, expected a few days before the visit: not come.
        if rng.random() < 0.3 and expected > visit.lead.created_at:
            missed.append(Invitation(
                store=visit.store, lead=visit.lead, consultant=visit.consultant,
                status=InvitationStatus.NO_SHOW, expected_at=expected, purpose="看车",
                created_at=max(visit.lead.created_at, expected - dt.timedelta(days=1)),
                closed_at=expected))
    return returns, missed


def seed_showroom(rng: random.Random, *, store: Store, scale: str,
                  now: dt.datetime | None = None) -> None:
    """Visits, invitations and test drives following the store's lead history, all over
    by `now` (default: the current time); with `scale="history"`, the large group's five
    years for `store` (`seed_history`)."""
    if scale == "history":
        seed_history(rng, store=store)
        return
    tz = store.tzinfo
    now = now or timezone.now()
    today = timezone.localdate(now, tz)
    consultants = list(User.objects.filter(store=store, role=Role.CONSULTANT, is_active=True)
                       .order_by("username"))
    demo_cars = list(StockVehicle.objects.filter(store=store, status=StockStatus.DEMO))
    series = list(Series.objects.filter(trims__is_active=True).distinct())
    limit = 3000 if scale == "large" else None  # the showroom history needs no million rows
    leads = list(
        Lead.objects.filter(store=store).exclude(owner=None)
        .filter(status__in=[*FUNNEL[2:], LeadStatus.WON, LeadStatus.LOST])
        .select_related("customer").order_by("pk")[:limit]
    )
    visits, invitations, drives, objections = [], [], [], []
    taken: set[tuple[int, dt.datetime]] = set()
    funnel_rank = {status: i for i, status in enumerate(FUNNEL)}
    for lead in leads:
        rank = funnel_rank.get(lead.status, len(FUNNEL))  # won/lost went the whole way
        base = max(lead.created_at, now - dt.timedelta(days=89))
        arrive = base + dt.timedelta(days=rng.randrange(0, 5), hours=rng.randrange(1, 6))
        arrive = arrive.astimezone(tz).replace(hour=rng.randrange(9, 18),
                                               minute=rng.randrange(0, 60))
        # Checked after the opening-hours time is chosen (it moves the arrival within its
        # day): the visit came after the lead, and it and its test drive are over by now.
        if not lead.created_at <= arrive < now - dt.timedelta(hours=2):
            continue
        invited = rank >= funnel_rank[LeadStatus.INVITED] and rng.random() < 0.6
        if rank >= funnel_rank[LeadStatus.VISITED] or lead.status in (LeadStatus.WON,
                                                                      LeadStatus.LOST):
            visit = Visit(
                store=store, customer=lead.customer, lead=lead, consultant=lead.owner,
                arrived_at=arrive,
                departed_at=arrive + dt.timedelta(minutes=rng.randrange(20, 110)),
                party_size=rng.choice([1, 2, 2, 3, 4]), first_visit=True,
                routed_by=RoutedBy.QUEUE,
                usage=rng.choice(Usage.values), budget_min=rng.choice([100, 150, 200]) * 1000,
                budget_max=rng.choice([250, 300, 350]) * 1000, payment=rng.choice(Payment.values),
                trade_in=rng.random() < 0.3, decision_maker=rng.choice(DECIDERS),
                competitors=rng.choice(COMPETITORS), timing=lead.purchase_window,
                focus_points="、".join(rng.sample(FOCUS, 2)),
                customer_type=rng.choice(CustomerType.values),
                outcome=rng.choice([VisitOutcome.FOLLOW_UP, VisitOutcome.TEST_DRIVE,
                                    VisitOutcome.QUOTE]),
            )
            visits.append(visit)
            if invited:
                invitations.append(Invitation(
                    store=store, lead=lead, consultant=lead.owner, status=InvitationStatus.ARRIVED,
                    expected_at=arrive - dt.timedelta(minutes=rng.randrange(0, 40)),
                    purpose="看车", created_at=arrive - dt.timedelta(days=2), closed_at=arrive,
                    visit=visit,
                ))
            if rank >= funnel_rank[LeadStatus.TEST_DRIVEN] and demo_cars:
                slot = _slot(arrive + dt.timedelta(minutes=20), tz)
                car = rng.choice(demo_cars)
                if (car.pk, slot) not in taken:
                    taken.add((car.pk, slot))
                    start_km = rng.randrange(800, 9000)
                    drives.append(TestDrive(
                        store=store, vehicle=car, slot_start=slot, customer=lead.customer,
                        lead=lead, visit=visit, consultant=lead.owner,
                        status=TestDriveStatus.DONE, licence_number=_licence(rng),
                        licence_expires_on=today + dt.timedelta(days=rng.randrange(200, 3000)),
                        agreement_version=AGREEMENT_VERSION, agreement_accepted_at=slot,
                        started_at=slot, finished_at=slot + dt.timedelta(minutes=25),
                        odometer_start=start_km, odometer_end=start_km + rng.randrange(5, 15),
                        rating_overall=rng.randrange(3, 6), rating_handling=rng.randrange(3, 6),
                        rating_comfort=rng.randrange(3, 6), feedback=rng.choice(FEEDBACK),
                        created_at=slot - dt.timedelta(minutes=10),
                    ))
        elif lead.status == LeadStatus.INVITED:
            expected = (now + dt.timedelta(days=rng.randrange(0, 4))).astimezone(tz).replace(
                hour=rng.randrange(10, 18), minute=rng.choice([0, 30]), second=0, microsecond=0)
            no_show = expected < now and rng.random() < 0.5
            invitations.append(Invitation(
                store=store, lead=lead, consultant=lead.owner, expected_at=expected,
                status=InvitationStatus.NO_SHOW if no_show else InvitationStatus.SCHEDULED,
                purpose="试驾", created_at=now - dt.timedelta(days=1),
                closed_at=now if no_show else None,
            ))
    returns, missed = _returns_and_no_shows(visits, now=now, tz=tz)
    Visit.objects.bulk_create(visits, batch_size=1000)
    Visit.objects.bulk_create(returns, batch_size=1000)
    Invitation.objects.bulk_create(invitations + missed, batch_size=1000)
    TestDrive.objects.bulk_create(drives, batch_size=1000)
    for visit in visits[: max(1, len(visits) // 4)]:
        kind, note = rng.choice(OBJECTIONS)
        objections.append(Objection(store_id=visit.store_id, visit=visit, kind=kind, note=note,
                                    series=rng.choice(series) if series else None,
                                    created_at=visit.arrived_at))
    Objection.objects.bulk_create(objections, batch_size=1000)
    if series:
        through = Visit.models_presented.through
        through.objects.bulk_create(
            [through(visit_id=visit.pk, series_id=rng.choice(series).pk) for visit in visits],
            batch_size=1000, ignore_conflicts=True)
    _today(rng, store=store, consultants=consultants, now=now)
    TalkTrack.objects.bulk_create([
        TalkTrack(store=store, kind=kind, title=title, body=body)
        for kind, title, body in TALK_TRACKS
    ])
    items = InspectionItem.objects.bulk_create([
        InspectionItem(store=store, text=text, position=i)
        for i, text in enumerate(INSPECTION_ITEMS)
    ])
    manager = User.objects.filter(store=store, role=Role.MANAGER).first()
    if manager:
        yesterday = today - dt.timedelta(days=1)
        checked = dt.datetime.combine(yesterday, dt.time(15, 20), tzinfo=tz)
        InspectionCheck.objects.bulk_create([
            InspectionCheck(store=store, date=yesterday, item=item, ok=i != 2,
                            note="" if i != 2 else "矿泉水只剩半箱", checked_by=manager,
                            checked_at=checked + dt.timedelta(minutes=3 * i))
            for i, item in enumerate(items)
        ])


def _today(rng: random.Random, *, store: Store, consultants: list[User], now) -> None:
    """Today's roster: most consultants waiting, two with customers, one at lunch."""
    today = timezone.localdate(now, store.tzinfo)
    # Just after midnight, "an hour ago" is yesterday: today's floor starts at midnight.
    opened = store.day_bounds(today)[0]

    def ago(minutes: int) -> dt.datetime:
        return max(opened, now - dt.timedelta(minutes=minutes))

    states = [DutyState.AVAILABLE] * len(consultants)
    for index, state in zip(range(len(consultants)),
                            [DutyState.WITH_CUSTOMER, DutyState.WITH_CUSTOMER, DutyState.AWAY],
                            strict=False):
        states[index] = state
    DutyShift.objects.bulk_create([
        DutyShift(store=store, date=today, consultant=user, position=i + 1, state=states[i],
                  state_since=ago(rng.randrange(5, 90)))
        for i, user in enumerate(consultants)
    ])
    # Every active consultant is on the roster and none is off: lead routing, which knows
    # no roster until the desk saves one, routes to the same consultants.
    Visit.objects.bulk_create([
        Visit(store=store, consultant=user, arrived_at=ago(15 + 10 * i),
              party_size=2, first_visit=True, routed_by=RoutedBy.QUEUE,
              description=["一家三口，开白色SUV", "两位年轻人，看混动"][i])
        for i, user in enumerate(consultants[:2])
    ])


# --- The large group's five years (seed_demo --scale large, dealership.demo.group) ---------
# Chance that a lead of each status had a first visit and a test drive.
HISTORY_VISIT = {LeadStatus.VISITED: (1, 0), LeadStatus.TEST_DRIVEN: (1, 1),
                 LeadStatus.NEGOTIATING: (1, 0.8), LeadStatus.WON: (1, 0.75),
                 LeadStatus.LOST: (0.4, 0.2), LeadStatus.DORMANT: (0.1, 0.03)}


def seed_history(rng: random.Random, *, store: Store) -> None:
    """A visit (and often a test drive in one of the store's demo cars) for the history's
    leads that got that far, in bulk (dealership.demo.bulk)."""
    from dealership.demo import bulk
    from dealership.demo import group as shape

    tz, now = store.tzinfo, timezone.now()
    floor = shape.current().lead_floor.get(store.pk, 0)
    cars = list(StockVehicle.objects.filter(store=store, status=StockStatus.DEMO)
                .order_by("pk").values_list("pk", flat=True))
    visits, drives = bulk.TableWriter(Visit), bulk.TableWriter(TestDrive)
    taken = set(TestDrive.objects.filter(store=store).values_list("vehicle_id", "slot_start"))
    leads = Lead.objects.filter(store=store, pk__gte=floor, status__in=list(HISTORY_VISIT))
    for pk, customer, owner, status, created, closed, window in bulk.stream(
            leads, "pk", "customer_id", "owner_id", "status", "created_at", "closed_at",
            "purchase_window"):
        visit_p, drive_p = HISTORY_VISIT[status]
        if owner is None or rng.random() >= visit_p:
            continue
        latest = min(closed or now, now - dt.timedelta(hours=3))
        if latest <= created:
            continue
        arrive = (created + (latest - created) * rng.random() * 0.7).astimezone(tz)
        arrive = arrive.replace(hour=rng.randrange(9, 18), minute=rng.randrange(0, 60))
        if not created <= arrive < latest:
            continue
        visit = visits.add(
            store_id=store.pk, customer_id=customer, lead_id=pk, consultant_id=owner,
            arrived_at=arrive, departed_at=arrive + dt.timedelta(minutes=rng.randrange(20, 110)),
            party_size=rng.choice((1, 2, 2, 3, 4)), first_visit=True, routed_by=RoutedBy.QUEUE,
            usage=rng.choice(Usage.values), payment=rng.choice(Payment.values),
            budget_min=rng.choice((100, 150, 200)) * 1000,
            budget_max=rng.choice((250, 300, 350)) * 1000, trade_in=rng.random() < 0.3,
            decision_maker=rng.choice(DECIDERS), competitors=rng.choice(COMPETITORS),
            timing=window, focus_points="、".join(rng.sample(FOCUS, 2)),
            customer_type=rng.choice(CustomerType.values),
            outcome=VisitOutcome.TEST_DRIVE if status != LeadStatus.VISITED
            else VisitOutcome.FOLLOW_UP)
        if not cars or rng.random() >= drive_p:
            continue
        slot = _slot(arrive + dt.timedelta(minutes=20), tz)
        car = cars[rng.randrange(len(cars))]
        if (car, slot) in taken or slot + dt.timedelta(minutes=30) > now:
            continue
        taken.add((car, slot))
        start_km = rng.randrange(800, 30000)
        drives.add(
            store_id=store.pk, vehicle_id=car, slot_start=slot, customer_id=customer,
            lead_id=pk, visit_id=visit, consultant_id=owner, status=TestDriveStatus.DONE,
            licence_number=_licence(rng),
            licence_expires_on=slot.date() + dt.timedelta(days=rng.randrange(200, 3000)),
            agreement_version=AGREEMENT_VERSION, agreement_accepted_at=slot, started_at=slot,
            finished_at=slot + dt.timedelta(minutes=25), odometer_start=start_km,
            odometer_end=start_km + rng.randrange(5, 15), rating_overall=rng.randrange(3, 6),
            rating_handling=rng.randrange(3, 6), rating_comfort=rng.randrange(3, 6),
            feedback=rng.choice(FEEDBACK), created_at=slot - dt.timedelta(minutes=10))
    visits.close()
    drives.close()
