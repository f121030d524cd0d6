"""After-sales demo data: referrals and loyalty points, written through the real services.

The store's service packages; a few owners (customers whose car delivery's demo handed
over) refer a friend each: two friends sign a contract (the owner is credited), one signs
and then cancels (credited, then reversed), the others are still leads; one owner redeems
a package with the points. The same size at every scale."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import translation

from aftersales.enums import PointsEntryKind
from aftersales.models import PointsEntry, Referral, ServicePackage
from aftersales.services.loyalty import (
    OWNED_STATUSES,
    package_create,
    points_redeem,
    referral_create,
)
from contracts.demo.clock import DAY
from contracts.demo.finish import render_documents, renumber
from contracts.demo.seed import MoneyDemo, Party
from contracts.demo.stories import Story
from contracts.enums import ContractStatus
from contracts.models import Contract
from dealership.demo import data
from dealership.enums import Role
from dealership.models import AuditEntry, Customer, Store, User
from leads.models import Lead, LeadEvent

LANGUAGE = "zh-hans"
PACKAGES = [
    ("精洗一次", "内外精洗、打蜡", 800),
    ("常规保养", "机油、机滤更换及 30 项检查", 2000),
    ("四轮定位", "四轮定位与动平衡", 1200),
    ("全年洗车卡", "一年内不限次普洗", 5000),
]
MODELS = ["凯美瑞", "RAV4", "汉兰达", "卡罗拉", ""]
NOTES = ["朋友刚换工作，想买第一台车", "周末想来试驾", "家里添了二胎，想换大车", ""]
REFERRALS = 5
SIGNED = (0, 1, 2)  # the friends of these owners sign a contract
CANCELLED = 2  # ... and this one cancels it again


def _first(store: Store, role: str) -> User | None:
    return (User.objects.filter(store=store, role=role, is_active=True)
            .order_by("pk").first())


def _free_phone(rng: random.Random, store: Store) -> str:
    while True:
        phone = data.mobile(rng)
        if not Customer.objects.filter(store=store, phone=phone).exists():
            return phone


def _back_date_referral(demo: MoneyDemo, referral: Referral, moment: dt.datetime) -> None:
    """The referral (and the friend's lead the capture service wrote just now) happened at
    `moment`: the services stamp the present, the demo's stories happened in the past."""
    lead = referral.lead
    Lead.objects.filter(pk=lead.pk).update(created_at=moment, assigned_at=moment,
                                           follow_up_due_at=moment + dt.timedelta(days=1))
    LeadEvent.objects.filter(lead=lead, created_at__gte=demo.now).update(created_at=moment)
    Referral.objects.filter(pk=referral.pk).update(created_at=moment)
    AuditEntry.objects.filter(store=demo.store, created_at__gte=demo.now).update(
        created_at=moment)


def _play_purchase(demo: MoneyDemo, referral: Referral, *, cancelled: bool) -> None:
    """The friend buys, played through the money stage's services by its demo (quote,
    contract, approval, signing, and a cancellation for one of them) at business hours
    after the referral, then the points the hooks wrote follow the contract's moments."""
    lead = Lead.objects.select_related("customer", "owner").get(pk=referral.lead_id)
    clock = demo.clock
    delivered = (Contract.objects.filter(customer_id=referral.referrer_id,
                                         delivered_at__isnull=False)
                 .order_by("delivered_at").values_list("delivered_at", flat=True).first())
    earliest = max(clock.minutes(delivered) + 60 if delivered else 0, clock.latest - 8 * DAY)
    anchor = min(earliest + demo.rng.uniform(1, 3) * DAY, clock.latest - 240)
    earliest = min(earliest, anchor - 120)
    _back_date_referral(demo, referral, clock.moment(earliest))
    story = Story(discounts=(0,), contract=ContractStatus.CANCELLED if cancelled
                  else ContractStatus.SIGNED, cancelled_from=ContractStatus.SIGNED)
    party = Party(lead.customer, lead.owner, lead, earliest + 30, anchor)
    demo.play(story, party)
    contract = Contract.objects.get(pk=party.contract.pk)
    PointsEntry.objects.filter(referral=referral, kind=PointsEntryKind.REFERRAL_CREDIT).update(
        created_at=contract.signed_at)
    if contract.cancelled_at is not None:
        PointsEntry.objects.filter(referral=referral,
                                   kind=PointsEntryKind.REFERRAL_REVERSAL).update(
            created_at=contract.cancelled_at)


def seed(rng: random.Random, *, store: Store, scale: str) -> None:
    manager = _first(store, Role.MANAGER)
    if manager is None:
        return
    carer = _first(store, Role.CUSTOMER_CARE) or manager
    desk = _first(store, Role.SERVICE_ADVISOR) or carer
    with translation.override(LANGUAGE):
        if not ServicePackage.objects.filter(store=store).exists():
            for name, description, points in PACKAGES:
                package_create(actor=manager, store=store, name=name, points=points,
                               description=description)
        owners = list(Customer.objects.filter(
            store=store, contracts__status__in=OWNED_STATUSES, owner__is_active=True,
            owner__role=Role.CONSULTANT, referrals_made__isnull=True,
            anonymised_at__isnull=True).distinct().order_by("pk")[:REFERRALS])
        demo = MoneyDemo(rng, store)
        demo.known_catalogue()
        # Deposit receipts numbered after the money stage's (DJ<store>00001…).
        demo.receipts = 9000
        credited = None
        for index, referrer in enumerate(owners):
            referral = referral_create(
                actor=carer if index % 2 else referrer.owner, referrer=referrer,
                name=data.chinese_name(rng), phone=_free_phone(rng, store),
                model_interest=rng.choice(MODELS), note=rng.choice(NOTES),
                marketing_consent=rng.random() < 0.6)
            if (index not in SIGNED or referral.lead.owner is None or not demo.trims
                    or not demo.packages):
                _back_date_referral(demo, referral, demo.clock.moment(
                    demo.clock.latest - rng.uniform(1, 5) * DAY))
                continue
            _play_purchase(demo, referral, cancelled=index == CANCELLED)
            if index != CANCELLED and credited is None:
                credited = referrer
        if any(index in SIGNED for index in range(len(owners))):
            # Numbers follow the signing dates, and the new contracts have their PDFs.
            renumber(store)
            render_documents(store, rng)
        if credited is not None:
            cheapest = (ServicePackage.objects.filter(store=store, active=True)
                        .order_by("points", "pk").first())
            if cheapest is not None:
                points_redeem(actor=desk, customer=credited, package=cheapest)
