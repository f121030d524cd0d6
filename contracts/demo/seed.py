"""Demo history of the money stage for DEMO: the discount policy, the accessories and
value-added packages, quotes in every state (with their negotiations and the approvals
of both tiers) and contracts up to signing (or cancelled) over the last 90 days, the
signed ones with their stored PDFs.

This stage stops at the signing: a contract is delivered only through the delivery
stage's handover (a car allocated, the inspection passed, the balance settled), so the
stories meant to end delivered or closed are signed here and the delivery stage's demo
(delivery.demo, run after this one) plays the rest. `delivery_targets(store)` tells it
where each signed story is meant to end.

Every quote and contract is written by the real services, so every row is one the
product could have written. The services stamp `timezone.now()`; a demo whose deals all
happened this second would leave the month filters and "deals in the period" empty, so
after each service call the rows it wrote are moved back to the moment its story
happened (in the store's opening hours). Signed contracts are stories of leads the leads
demo already closed as won, signed when the lead was won; the two signed in the last day
win their open lead through the signing itself.

The size is fixed (about 35 stories, 16 PDFs): at `--scale large` the money stage is not
what the benchmark measures.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, QuerySet
from django.utils import timezone, translation

from contracts.demo.clock import DAY, Clock
from contracts.demo.finish import render_documents, renumber
from contracts.demo.stories import (
    ACCESSORIES,
    APPRAISERS,
    CANCEL_REASONS,
    CHANNELS,
    COMMENTS,
    EXTRA_TERMS,
    FIRST_NOTES,
    FLOOR_REASON,
    LANGUAGE,
    NEW_ENERGY,
    PACKAGES,
    REVISION_NOTES,
    SENT_BACK,
    STORIES,
    TRADE_INS,
    WITHDRAW_REASONS,
    Story,
)
from contracts.enums import ContractStatus as C
from contracts.models import (
    Accessory,
    ApprovalRequest,
    Contract,
    ContractDocument,
    ContractEvent,
    DiscountPolicy,
    Payment,
    Quote,
    QuoteVersion,
    RefundObligation,
    ValuePackage,
)
from contracts.services import contracts as contract_services
from contracts.services import pricing
from contracts.services import quotes as quote_services
from contracts.services.quotes import QuoteInput
from dealership.demo import data
from dealership.enums import Role, StockStatus
from dealership.models import Customer, StockVehicle, Store, Trim, User
from dealership.models.audit import AuditEntry
from leads.enums import LeadStatus, LostRequestStatus
from leads.models import Lead, LeadEvent

OPEN_LEAD_STATUSES = (LeadStatus.VISITED, LeadStatus.TEST_DRIVEN, LeadStatus.NEGOTIATING)
CANDIDATES = 3000  # leads read per kind: enough to choose from at any scale
QUOTE_STEPS = ("create", "revise", "decide")
# The contract's own moments each step sets (besides updated_at).
CONTRACT_STAMPS = {
    "draft": ("created_at",), "complete": (), "submit": ("submitted_at",),
    "reject": ("reviewed_at",), "approve": ("reviewed_at",), "sign": ("signed_at",),
    "cancel": ("cancelled_at",),
}
# Where each store's signed stories are meant to end ({contract id: signed / delivered /
# closed}), for the delivery stage's demo, which runs next in the same process.
_TARGETS: dict[int, dict[int, str]] = {}


def delivery_targets(store: Store) -> dict[int, str]:
    """{contract id: the state its story ends in} for the store's signed, not cancelled,
    demo contracts (empty when this process did not seed the store)."""
    return dict(_TARGETS.get(store.pk, {}))


@dataclass
class Party:
    """Who a story is about, and when it may start and end."""

    customer: Customer
    consultant: User
    lead: Lead | None
    earliest: float  # business minutes
    anchor: float  # the signing, or the last step of an unsigned story
    quote: Quote | None = None
    contract: Contract | None = None


class MoneyDemo:
    """Plays the stories of one store through the services, then moves them back in time."""

    def __init__(self, rng: random.Random, store: Store) -> None:
        self.rng, self.store = rng, store
        # Every row a service writes from here on is stamped after this moment; every
        # story happens before it.
        self.now = timezone.now()
        self.clock = Clock(store, self.now)
        staff = User.objects.filter(store=store, is_active=True)
        self.consultants = list(staff.filter(role=Role.CONSULTANT).order_by("username"))
        self.supervisor = staff.filter(role=Role.SUPERVISOR).order_by("pk").first()
        self.manager = staff.filter(role=Role.MANAGER).order_by("pk").first()
        # A store in China: its quotes show the vehicle purchase tax (车辆购置税).
        self.policy, _created = DiscountPolicy.objects.get_or_create(
            store=store, defaults={"show_purchase_tax": True})
        self.trims = list(Trim.objects.filter(is_active=True).select_related("series")
                          .prefetch_related("series__colours").order_by("msrp", "pk"))
        self.used: set[int] = set()
        self.receipts = 0
        self.targets: dict[int, str] = {}

    # --- catalogue ------------------------------------------------------------------------
    def catalogue(self) -> None:
        Accessory.objects.bulk_create([
            Accessory(store=self.store, code=code, name=name, price=Decimal(price),
                      is_active=active)
            for code, name, price, active in ACCESSORIES])
        ValuePackage.objects.bulk_create([
            ValuePackage(store=self.store, name=name, kind=kind, price=Decimal(price),
                         description=description)
            for name, kind, price, description in PACKAGES])
        self.known_catalogue()

    def known_catalogue(self) -> None:
        """The store's accessories and value packages the quotes choose from (a later
        stage's demo playing a story of its own reads them here)."""
        self.accessories = list(Accessory.objects.filter(store=self.store, is_active=True)
                                .order_by("pk"))
        self.packages = list(ValuePackage.objects.filter(store=self.store).order_by("pk"))

    # --- who ------------------------------------------------------------------------------
    def pools(self) -> None:
        """Candidate leads by consultant: won ones (for signed contracts) and open ones."""
        mine = Lead.objects.filter(store=self.store, owner__isnull=False,
                                   customer__owner=F("owner"))
        since = self.now - dt.timedelta(days=89)
        won = mine.filter(status=LeadStatus.WON, closed_at__gte=since).filter(
            closed_at__gte=F("created_at") + dt.timedelta(days=1))
        open_ = (mine.filter(status__in=OPEN_LEAD_STATUSES,
                             created_at__lte=self.now - dt.timedelta(days=1))
                 .exclude(lost_requests__status=LostRequestStatus.PENDING))
        self.won = self._by_owner(won)
        self.open = self._by_owner(open_)
        customers = (Customer.objects.filter(store=self.store, owner__isnull=False,
                                             created_at__lte=self.now - dt.timedelta(days=2))
                     .select_related("owner").order_by("pk")[:CANDIDATES])
        self.customers = defaultdict(list)
        for customer in customers:
            self.customers[customer.owner_id].append(customer)

    def _by_owner(self, leads: QuerySet[Lead]) -> dict[int, list[Lead]]:
        pools: dict[int, list[Lead]] = defaultdict(list)
        for lead in leads.select_related("customer__owner").order_by("pk")[:CANDIDATES]:
            pools[lead.owner_id].append(lead)
        for pool in pools.values():
            self.rng.shuffle(pool)
        return pools

    def _first(self, pools: dict, consultant: User, fits, *, own: bool) -> object | None:
        # Only this consultant's customers (own), or the next consultants' in turn.
        start = self.consultants.index(consultant)
        order = ([consultant.pk] if own else
                 [u.pk for u in self.consultants[start + 1:] + self.consultants[:start]])
        for owner in order:
            for item in pools.get(owner, []):
                customer_id = item.customer_id if isinstance(item, Lead) else item.pk
                if customer_id not in self.used and fits(item):
                    self.used.add(customer_id)
                    return item
        return None

    def party(self, story: Story, consultant: User) -> Party | None:
        """The customer (with their lead, when one fits) and the moments of the story:
        a won lead signs when the leads demo closed it; an open one ends after its last
        touch; a customer without a fitting lead is the fallback. The consultant's own
        leads and customers come first, so every consultant who has a customer gets a
        story; only then the next consultants'."""
        clock = self.clock
        lo, hi = story.days
        newest = min(clock.minutes(self.now - dt.timedelta(days=lo)), clock.latest)
        oldest = clock.minutes(self.now - dt.timedelta(days=hi))
        anchor = self.rng.uniform(oldest, newest)
        for own in (True, False):
            party = self._party(story, consultant, own=own, span=(oldest, newest),
                                anchor=anchor)
            if party is not None:
                return party
        return None

    def _party(self, story: Story, consultant: User, *, own: bool, span: tuple[float, float],
               anchor: float) -> Party | None:
        clock = self.clock
        oldest, newest = span
        if story.signed and "open" not in story.extras:
            # Signed when the leads demo closed the lead as won.
            lead = self._first(self.won, consultant, lambda lead: oldest <= clock.minutes(
                lead.closed_at) <= newest, own=own)
            if lead is not None:
                return Party(lead.customer, lead.customer.owner, lead,
                             clock.minutes(lead.created_at + dt.timedelta(hours=1)),
                             clock.minutes(lead.closed_at))
        else:
            lead = self._first(self.open, consultant, lambda lead: clock.minutes(
                max(lead.created_at, lead.last_touch_at or lead.created_at)) + 60 < anchor,
                own=own)
            if lead is not None:
                return Party(lead.customer, lead.customer.owner, lead,
                             clock.minutes(lead.created_at + dt.timedelta(hours=1)), anchor)
        customer = self._first(self.customers, consultant,
                               lambda c: clock.minutes(c.created_at) + DAY < anchor, own=own)
        if customer is None:
            return None
        return Party(customer, customer.owner, None,
                     clock.minutes(customer.created_at + dt.timedelta(hours=1)), anchor)

    # --- what the consultant offers -------------------------------------------------------
    def offer(self, story: Story, party: Party) -> QuoteInput:
        rng = self.rng
        need = Decimal(max(story.discounts))
        floor = "floor" in story.extras
        trims = [t for t in self.trims
                 if (pricing.floor_amount(self.policy, t.msrp) < need) == floor]
        interest = party.lead.model_interest if party.lead else ""
        trim = rng.choice([t for t in trims if t.series.name == interest] or trims)
        vehicle = None
        if "vehicle" in story.extras:
            vehicle = (StockVehicle.objects.filter(store=self.store, trim=trim,
                                                   status=StockStatus.IN_STOCK)
                       .order_by("arrival_date", "pk").first())
        colours = [c for c in trim.series.colours.all() if not floor or not c.surcharge]
        colour = vehicle.colour if vehicle and vehicle.colour else (
            rng.choice(colours) if colours else None)
        pool = [a for a in self.accessories
                if a.code != "WALLBOX" or trim.powertrain in NEW_ENERGY]
        accessories = [(item, 1) for item in rng.sample(pool, rng.choice([0, 1, 2, 2, 3]))]
        packages = [self.packages[0], *rng.sample(self.packages[1:], rng.choice([0, 1, 2]))]
        price = trim.msrp + (colour.surcharge if colour else 0) - need
        tax = Decimal("0.05") if trim.powertrain in NEW_ENERGY else Decimal("0.10")
        data_ = QuoteInput(
            trim=trim, colour=colour, vehicle=vehicle, accessories=accessories,
            packages=packages, insurance_estimate=(price * Decimal("0.028") + 950).quantize(
                Decimal("10")),
            fees=(price / Decimal("1.13") * tax).quantize(Decimal("1")) + 500,
            floor_reason=FLOOR_REASON if floor else "", note=rng.choice(FIRST_NOTES))
        if "trade_in" in story.extras:
            make, model, year, km, condition, value = rng.choice(TRADE_INS)
            data_.trade_in_make, data_.trade_in_model, data_.trade_in_year = make, model, year
            data_.trade_in_mileage_km, data_.trade_in_condition = km, condition
            data_.trade_in_value = Decimal(value)
            data_.trade_in_appraiser = rng.choice(APPRAISERS)
        if "loan" in story.extras:
            due = price + data_.insurance_estimate + data_.fees - data_.trade_in_value
            data_.payment_plan = "loan"
            data_.down_payment = (due * Decimal("0.3") / 1000).quantize(Decimal("1")) * 1000
            data_.loan_term_months = rng.choice([24, 36, 36, 60])
            data_.loan_annual_rate = (Decimal("0") if data_.loan_term_months == 24
                                      else Decimal(rng.choice(["2.99", "3.49", "3.99"])))
        return data_

    # --- one story ------------------------------------------------------------------------
    def script(self, story: Story) -> list[tuple[str, float]]:
        """The story's steps with the business minutes since the step before."""
        u = self.rng.uniform
        steps = [("create", 0.0)]
        steps += [("revise", u(300, 1500)) for _ in story.discounts[1:]]
        if story.decision:
            steps.append(("decide", u(15, 180)))
        if not story.contract:
            return steps
        steps += [("draft", u(10, 120)), ("complete", u(5, 40))]
        reached = (story.cancelled_from if story.contract == C.CANCELLED else story.contract)
        if "sent_back" in story.extras:
            steps += [("submit", u(5, 30)), ("reject", u(30, 240))]
        elif reached != C.DRAFT:
            steps.append(("submit", u(5, 30)))
        if reached not in (C.DRAFT, C.IN_REVIEW):
            steps.append(("approve", u(20, 240)))
        if story.signed:
            steps.append(("sign", u(60, 900)))
        # Delivering and closing are the delivery stage's (delivery.demo).
        if story.contract == C.CANCELLED:
            steps.append(("cancel", u(2, 6) * DAY if story.signed else u(60, 2 * DAY)))
        return steps

    def timeline(self, story: Story, party: Party) -> list[tuple[str, dt.datetime]]:
        """Moments for the steps: up to the anchor (the signing, or the last step) they are
        squeezed into the time since the lead came in; after the signing they follow it."""
        steps = self.script(story)
        names = [name for name, _gap in steps]
        cut = names.index("sign") + 1 if "sign" in names else len(steps)
        before = sum(gap for _name, gap in steps[1:cut])
        scale = min(1.0, max(party.anchor - party.earliest, 0) / before) if before else 1.0
        at = party.anchor - before * scale
        minutes = []
        for index, (_name, gap) in enumerate(steps):
            at += gap * scale if index < cut else gap
            minutes.append(min(at, self.clock.latest - (len(steps) - index)))
        return [(name, self.clock.moment(m)) for name, m in zip(names, minutes, strict=True)]

    def play(self, story: Story, party: Party) -> None:
        versions = iter(story.discounts)
        data_ = self.offer(story, party)
        consultant, rng = party.consultant, self.rng
        for name, moment in self.timeline(story, party):
            if name == "create":
                data_.discount = Decimal(next(versions))
                party.quote = quote_services.quote_create(
                    actor=consultant, customer=party.customer, data=data_, lead=party.lead)
            elif name == "revise":
                data_.discount = Decimal(next(versions))
                data_.note = rng.choice(REVISION_NOTES)
                quote_services.quote_revise(actor=consultant, quote=party.quote, data=data_)
            elif name == "decide":
                self.decide(story, party)
            elif name == "draft":
                party.contract = contract_services.contract_draft(actor=consultant,
                                                                  quote=party.quote)
            else:
                self.contract_step(name, story, party)
            self.stamp(moment, party, step=name)
        self.settle(story, party)

    def decide(self, story: Story, party: Party) -> None:
        quote = party.quote
        if story.decision == "withdraw":
            quote_services.quote_withdraw(actor=party.consultant, quote=quote,
                                          reason=self.rng.choice(WITHDRAW_REASONS))
            return
        approval = ApprovalRequest.objects.select_related("quote__consultant__team").get(
            quote=quote, status="pending")
        approver = self.manager if approval.tier == "manager" else self.supervisor
        quote_services.approval_decide(
            actor=approver, approval=approval, decision=story.decision,
            comment=self.rng.choice(COMMENTS[story.decision]),
            counter_discount=Decimal(story.counter) if story.counter else None)

    def contract_step(self, name: str, story: Story, party: Party) -> None:
        contract, consultant, rng = party.contract, party.consultant, self.rng
        services = contract_services
        if name == "complete":
            customer = party.customer
            deposit = min(Decimal(rng.choice([5000, 10000, 10000, 20000])),
                          (contract.total_price * Decimal("0.2")).quantize(Decimal("1000")))
            party.contract = services.contract_update(
                actor=consultant, contract=contract,
                buyer_id_number=customer.id_number or data.id_number(
                    rng, today=self.store.today()),
                buyer_address=customer.address or data.address(rng, customer.city or "深圳"),
                deposit_amount=deposit, extra_terms=rng.choice(EXTRA_TERMS),
                promised_delivery_date=self.store.today() + dt.timedelta(days=30))
        elif name == "submit":
            party.contract = services.contract_submit(actor=consultant, contract=contract)
        elif name == "reject":
            party.contract = services.contract_reject(actor=self.manager, contract=contract,
                                                      reason=SENT_BACK)
        elif name == "approve":
            party.contract = services.contract_approve(
                actor=self.manager, contract=contract, comment=rng.choice(["", "资料齐全，同意"]))
        elif name == "sign":
            self.receipts += 1
            party.contract = services.contract_sign(
                actor=consultant, contract=contract, customer_signed=True,
                deposit_channel=rng.choice(CHANNELS), language=LANGUAGE,
                receipt_number=f"DJ{self.store.code}{self.receipts:05d}")
        elif name == "cancel":
            actor = self.manager if contract.status == C.SIGNED else consultant
            party.contract = services.contract_cancel(
                actor=actor, contract=contract, reason=CANCEL_REASONS[story.cancelled_from])
        else:
            raise ValueError(name)

    # --- moving a story back to when it happened --------------------------------------------
    def stamp(self, moment: dt.datetime, party: Party, *, step: str) -> None:
        """Give the rows the step's service call wrote (stamped after `self.now`) the moment
        the step happened. Each step touches only the tables its service writes."""
        lead, quote, contract = party.lead, party.quote, party.contract

        def since(model, name: str, **where) -> None:
            model.objects.filter(**where, **{f"{name}__gte": self.now}).update(**{name: moment})

        since(AuditEntry, "created_at", store=self.store)
        if lead is not None and step in (*QUOTE_STEPS, "sign"):
            since(LeadEvent, "created_at", lead=lead)
        if step in (*QUOTE_STEPS, "draft", "cancel"):
            created = {"created_at": moment} if step == "create" else {}
            Quote.objects.filter(pk=quote.pk).update(updated_at=moment, **created)
        if step in QUOTE_STEPS:
            since(QuoteVersion, "created_at", quote=quote)
            since(ApprovalRequest, "requested_at", quote=quote)
            since(ApprovalRequest, "decided_at", quote=quote)
            return
        stamped = CONTRACT_STAMPS[step]
        Contract.objects.filter(pk=contract.pk).update(updated_at=moment, **{
            name: moment for name in stamped})
        since(ContractEvent, "created_at", contract=contract)
        if step == "sign":
            if lead is not None:
                since(Lead, "closed_at", pk=lead.pk)
            Payment.objects.filter(contract=contract).update(received_at=moment)
            ContractDocument.objects.filter(contract=contract).update(created_at=moment)
        elif step == "cancel":
            RefundObligation.objects.filter(contract=contract).update(created_at=moment)

    def settle(self, story: Story, party: Party) -> None:
        """The dates that follow from the story's times: how long the quote was valid, and
        the delivery date promised in the contract (a story meant to be delivered was
        promised for two to four weeks after its signing; the delivery demo keeps to it)."""
        version = QuoteVersion.objects.filter(quote=party.quote).order_by("-number").first()
        Quote.objects.filter(pk=party.quote.pk).update(valid_until=timezone.localdate(
            version.created_at, self.clock.tz) + dt.timedelta(days=self.policy.quote_valid_days))
        if party.contract is None:
            return
        contract = Contract.objects.get(pk=party.contract.pk)
        start = contract.signed_at or contract.created_at
        promised = timezone.localdate(start, self.clock.tz) + dt.timedelta(
            days=self.rng.randrange(14, 31))
        if story.contract == C.SIGNED:  # still to deliver: promised for the days ahead
            promised = max(promised, self.store.today() + dt.timedelta(
                days=self.rng.randrange(2, 8)))
        Contract.objects.filter(pk=contract.pk).update(promised_delivery_date=promised)
        if contract.status == C.SIGNED:
            self.targets[contract.pk] = story.contract


def seed_contracts(rng: random.Random, *, store: Store, scale: str) -> None:
    """The money stage of the demo store; the same size at every scale (with
    `scale="history"`, the large group's five years for `store`: contracts.demo.history)."""
    if scale == "history":
        from contracts.demo.history import seed_history

        seed_history(rng, store=store)
        return
    with translation.override(LANGUAGE):
        demo = MoneyDemo(rng, store)
        if not demo.consultants or demo.supervisor is None or demo.manager is None:
            return
        demo.catalogue()
        demo.pools()
        planned = []
        for index, story in enumerate(STORIES):
            party = demo.party(story, demo.consultants[index % len(demo.consultants)])
            if party is not None:
                planned.append((story, party))
        # Signings in the order they happened, so the numbers follow the dates.
        planned.sort(key=lambda item: item[1].anchor if item[0].signed else 0)
        for story, party in planned:
            demo.play(story, party)
        _TARGETS[store.pk] = demo.targets
        renumber(store)
        render_documents(store, rng)


__all__ = ["delivery_targets", "renumber", "seed_contracts"]
