"""Demo history of the delivery stage for DEMO: stock received with a realistic age spread
(slow cars, cars in transit, a new demo car), and every signed contract of the money
stage's demo played on from its signing: finance confirms the deposit, a car of the
contract's trim and colour is allocated (from stock, or ordered and arriving later), the
loan is applied for and approved, the balance paid, the car inspected, insured, and
handed over with the ceremony's checklist, a photo and its plate; about half of the
delivered contracts are closed. The contracts signed in the last weeks are left at every
stage of the order board (awaiting the car, car arrived, inspection with a failed item,
ready with an appointment), some with the balance overdue and one at risk.

Every row is written by the delivery and ledger services, so no contract is delivered or
closed without a delivered car allocated to it, a passed inspection and a zero balance.
As in the money stage's demo, the services stamp `timezone.now()`: after each step the
rows it wrote are moved back to the moment it happened, in the store's business hours
(contracts.demo.clock.Clock), and dates a service accepts only from today on (an
appointment, an insurance start) are moved back with them.

The size is fixed (about 20 cars received, the money stage's 18 signed contracts): the
benchmark scales measure the core's stock, not this history.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Exists, Model, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contracts.demo import delivery_targets
from contracts.demo.clock import DAY, Clock
from contracts.enums import ContractStatus as C
from contracts.enums import PaymentChannel, PaymentKind
from contracts.models import Contract, ContractEvent, Payment
from contracts.selectors.ledger import balance_due
from contracts.services.contracts import contract_close
from contracts.services.ledger import payment_confirm
from dealership.demo import data
from dealership.enums import Powertrain, Role
from dealership.enums import StockStatus as S
from dealership.models import Colour, StockVehicle, Store, Trim, User
from dealership.models.audit import AuditEntry
from delivery.demo.stories import (
    BALANCE_CHANNELS,
    DEMO_CAR_AGE,
    IN_TRANSIT_CARS,
    INSURERS,
    LANGUAGE,
    LENDERS,
    LOCATIONS,
    PDI_FAULTS,
    PLACES,
    PLATE_LETTERS,
    STOCK_AGES,
    in_progress_plans,
)
from delivery.enums import HANDOVER_CHECKLIST, InsuranceKind, LoanDocument, LoanStatus
from delivery.models import (
    Allocation,
    Handover,
    InsurancePolicy,
    LoanApplication,
    PdiCheck,
    PdiItem,
)
from delivery.services.allocation import allocation_create
from delivery.services.finance import insurance_add, loan_decide, loan_submit, payment_collect
from delivery.services.handover import handover_complete, handover_schedule, handover_update
from delivery.services.inventory import (
    can_edit_stock,
    stock_arrive,
    stock_receive,
    stock_set_demo,
    vehicle_move,
)
from delivery.services.pdi import pdi_items_ensure, pdi_record
from leads.models import LeadEvent, Notification

NEW_ENERGY = (Powertrain.EV, Powertrain.PHEV, Powertrain.EREV)
DONE = (C.DELIVERED, C.CLOSED)
# Without the money stage's plan (its seeder did not run in this process), a contract
# signed this long ago is meant to be delivered, and closed when signed twice as long ago.
DELIVERED_AFTER_DAYS = 19


@dataclass
class Order:
    """One signed contract on its way to the customer, and where its story has got to."""

    contract: Contract
    plan: str  # delivered / closed / an IN_PROGRESS plan
    at: float  # business minutes of its latest step
    vehicle: StockVehicle | None = None
    loan: LoanApplication | None = None


class DeliveryDemo:
    def __init__(self, rng: random.Random, store: Store) -> None:
        self.rng, self.store = rng, store
        # Every row a service writes from here on is stamped after this moment.
        self.now = timezone.now()
        self.clock = Clock(store, self.now)
        self.tz = store.tzinfo
        self.today = store.today()
        staff = User.objects.filter(store=store, is_active=True)
        self.manager = staff.filter(role=Role.MANAGER).order_by("pk").first()
        self.finance = staff.filter(role=Role.FINANCE).order_by("pk").first()
        self.stock_actor = (self.manager if self.manager is not None
                            and can_edit_stock(self.manager) else None)
        self.trims = list(Trim.objects.filter(is_active=True).select_related("series")
                          .prefetch_related("series__colours").order_by("msrp", "pk"))
        self.wmi: dict[int, str] = {}
        for brand, vin in (StockVehicle.objects.order_by("pk")
                           .values_list("trim__series__brand_id", "vin")[:500]):
            self.wmi.setdefault(brand, vin[:3])
        self.vins = set(StockVehicle.objects.values_list("vin", flat=True))
        self.plates = set(Handover.objects.filter(store=store).exclude(plate_number="")
                          .values_list("plate_number", flat=True))
        self.receipts = 0
        self.policies = 0
        self.photo = handover_photo(rng)
        self.items: list[PdiItem] = []

    # --- time -----------------------------------------------------------------------------
    def at(self, order: Order, low: float, high: float) -> dt.datetime:
        """The order's next step, low–high business minutes after its last one (never
        after the last business minute before now)."""
        order.at = min(order.at + self.rng.uniform(low, high), self.clock.latest)
        return self.clock.moment(order.at)

    def until(self, order: Order, minutes: float) -> dt.datetime:
        order.at = min(max(order.at, minutes), self.clock.latest)
        return self.clock.moment(order.at)

    def on_day(self, day: dt.date) -> float:
        """A business minute of `day` (before now)."""
        start = (day - self.clock.epoch).days * DAY
        return min(start + self.rng.uniform(30, DAY - 60), self.clock.latest)

    def day(self, minutes: float) -> dt.date:
        return timezone.localdate(self.clock.moment(minutes), self.tz)

    def stamp(self, moment: dt.datetime, contract: Contract | None = None) -> None:
        """Give the rows the step wrote (stamped after `self.now`) the step's moment. Each
        filter stays on an index or on the store's few demo rows."""

        def since(model: type[Model], name: str, **where) -> None:
            model.objects.filter(**where, **{f"{name}__gte": self.now}).update(
                **{name: moment})

        since(AuditEntry, "created_at", store=self.store)
        since(StockVehicle, "created_at", store=self.store)
        since(StockVehicle, "updated_at", store=self.store)
        if contract is None:
            return
        for name in ("updated_at", "delivered_at", "closed_at"):
            since(Contract, name, pk=contract.pk)
        since(ContractEvent, "created_at", contract=contract)
        since(Payment, "confirmed_at", contract=contract)
        since(Allocation, "allocated_at", contract=contract)
        since(PdiCheck, "checked_at", contract=contract)
        for name in ("submitted_at", "decided_at", "updated_at"):
            since(LoanApplication, name, contract=contract)
        since(InsurancePolicy, "created_at", contract=contract)
        for name in ("created_at", "updated_at", "completed_at", "override_at"):
            since(Handover, name, contract=contract)
        if contract.lead_id:
            since(LeadEvent, "created_at", lead_id=contract.lead_id)
        since(Notification, "created_at", user_id=contract.consultant_id)

    def retell(self, instance: Model, **values) -> None:
        """Dates a service takes only from today on, moved back to the story's: on the
        row and in the audit entry the service just wrote about it."""
        type(instance).objects.filter(pk=instance.pk).update(**values)
        entries = AuditEntry.objects.of(instance).filter(created_at__gte=self.now)
        for entry in entries:
            for name, value in values.items():
                if isinstance(entry.changes.get(name), list):
                    entry.changes[name][-1] = value.isoformat()
            entry.save(update_fields=["changes"])

    # --- stock ----------------------------------------------------------------------------
    def new_vin(self, trim: Trim) -> str:
        wmi = self.wmi.get(trim.series.brand_id, "LVG")
        vin = data.vin(self.rng, wmi=wmi, model_year=trim.model_year)
        while vin in self.vins:
            vin = data.vin(self.rng, wmi=wmi, model_year=trim.model_year)
        self.vins.add(vin)
        return vin

    def location(self) -> str:
        return f"{self.rng.choice(LOCATIONS)}-{self.rng.randrange(1, 60):02d}"

    def receive(self, trim: Trim, colour: Colour | None, *, minutes: float,
                in_transit: bool = False, contract: Contract | None = None) -> StockVehicle:
        """A car received at `minutes`: in stock that day, or in transit from the factory."""
        moment = self.clock.moment(min(minutes, self.clock.latest))
        discount = Decimal(self.rng.randrange(0, 8)) * 1000
        vehicle, _created = stock_receive(
            actor=self.stock_actor, store=self.store, vin=self.new_vin(trim), trim=trim,
            colour=colour, cost=(trim.msrp * Decimal("0.88") - discount).quantize(Decimal("1")),
            list_price=trim.msrp, status=S.IN_TRANSIT if in_transit else S.IN_STOCK,
            arrival_date=None if in_transit else timezone.localdate(moment, self.tz),
            location="" if in_transit else self.location())
        self.stamp(moment, contract)
        return vehicle

    def tidy(self) -> None:
        """The core's bulk stock may hold cars reserved or sold for no contract; without an
        allocation such a car is back in stock (through the inventory service, audited)."""
        stray = (StockVehicle.objects.filter(store=self.store, status__in=(S.RESERVED, S.SOLD))
                 .exclude(Exists(Allocation.objects.filter(vehicle=OuterRef("pk"),
                                                           released_at__isnull=True)))
                 .order_by("arrival_date", "pk"))
        for car in stray:
            minutes = self.on_day(min(car.arrival_date + dt.timedelta(
                days=self.rng.randrange(3, 20)), self.today))
            vehicle_move(actor=self.stock_actor, vehicle=car, to=S.IN_STOCK,
                         reason=_("Reservation lapsed without a contract"))
            self.stamp(self.clock.moment(minutes))

    def stock(self) -> None:
        """Cars for stock of their own: every aging bucket, a few slow, some in transit,
        one made a demo car. None of the trim and colour a signed contract still waits
        for: those are the shortage the board flags."""
        rng = self.rng
        waiting = set(Contract.objects.filter(store=self.store, status=C.SIGNED).exclude(
            Exists(Allocation.objects.filter(contract=OuterRef("pk"),
                                             released_at__isnull=True)))
            .values_list("trim_id", "colour_name"))
        choices = [(trim, colour) for trim in self.trims
                   for colour in (list(trim.series.colours.all()) or [None])
                   if (trim.pk, colour.name if colour else "") not in waiting]
        for age in STOCK_AGES:
            trim, colour = rng.choice(choices)
            arrival = self.today - dt.timedelta(days=age)
            car = self.receive(trim, colour, minutes=self.on_day(arrival))
            if age == DEMO_CAR_AGE:
                moment = self.clock.moment(self.on_day(arrival + dt.timedelta(days=2)))
                stock_set_demo(actor=self.stock_actor, vehicle=car, demo=True)
                self.stamp(moment)
        for _n in range(IN_TRANSIT_CARS):
            trim, colour = rng.choice(choices)
            self.receive(trim, colour, in_transit=True, minutes=self.on_day(
                self.today - dt.timedelta(days=rng.randrange(1, 12))))

    # --- the orders -----------------------------------------------------------------------
    def plans(self) -> list[Order]:
        signed = list(Contract.objects.filter(store=self.store, status=C.SIGNED)
                      .select_related("store", "trim__series", "consultant", "lead",
                                      "customer__owner")
                      .order_by("signed_at", "pk"))
        targets = delivery_targets(self.store)
        if not targets:  # the money stage's plan is not known: by the age of the signing
            for contract in signed:
                days = (self.now - contract.signed_at).days
                targets[contract.pk] = (C.CLOSED if days > 2 * DELIVERED_AFTER_DAYS else
                                        C.DELIVERED if days > DELIVERED_AFTER_DAYS else C.SIGNED)
        waiting = [contract for contract in signed if targets.get(contract.pk) not in DONE]
        plans = dict(zip([c.pk for c in waiting], in_progress_plans(len(waiting)),
                         strict=True))
        return [Order(contract, plans.get(contract.pk) or targets[contract.pk],
                      at=self.clock.minutes(contract.signed_at)) for contract in signed]

    def promise(self, order: Order, *, delivery: dt.date | None = None,
                payment: dt.date | None = None) -> None:
        """The dates agreed at the signing: the delivery (when the story needs another
        than the money stage's) and the day the balance is due."""
        values = {"promised_payment_date": payment}
        if delivery is not None:
            values["promised_delivery_date"] = delivery
        Contract.objects.filter(pk=order.contract.pk).update(**values)

    def confirm_deposit(self, order: Order) -> None:
        moment = self.at(order, 30, 300)
        for payment in Payment.objects.filter(contract=order.contract,
                                              confirmed_at__isnull=True):
            payment_confirm(actor=self.finance, payment=payment)
        self.stamp(moment, order.contract)

    def colour_of(self, contract: Contract) -> Colour | None:
        colours = contract.trim.series.colours.all()
        return next((c for c in colours if c.name == contract.colour_name), None)

    def allocate(self, order: Order, *, ordered: bool) -> None:
        """A car of the contract's trim and colour: the oldest free one in stock when the
        contract was signed (or one received for it before), else ordered from the
        factory (received in transit; it arrives in a later step)."""
        contract = order.contract
        colour = self.colour_of(contract)
        if ordered:
            car = self.receive(contract.trim, colour, in_transit=True, contract=contract,
                               minutes=order.at + self.rng.uniform(60, 400))
            order.at = min(order.at + 400, self.clock.latest)
        else:
            signed_on = self.day(order.at)
            free = (StockVehicle.objects.filter(
                store=self.store, trim=contract.trim, status=S.IN_STOCK,
                arrival_date__lte=signed_on, colour=colour)
                .exclude(Exists(Allocation.objects.filter(vehicle=OuterRef("pk"),
                                                          released_at__isnull=True)))
                .order_by("arrival_date", "pk"))
            car = free.first() or self.receive(
                contract.trim, colour, contract=contract, minutes=self.on_day(
                    signed_on - dt.timedelta(days=self.rng.randrange(3, 40))))
        moment = self.at(order, 20, 240)
        allocation_create(actor=self.manager, contract=contract, vehicle=car)
        self.stamp(moment, contract)
        order.vehicle = StockVehicle.objects.get(pk=car.pk)

    def arrive(self, order: Order, low: float, high: float) -> None:
        moment = self.at(order, low, high)
        stock_arrive(actor=self.stock_actor, vehicle=order.vehicle,
                     arrival_date=timezone.localdate(moment, self.tz), location=self.location())
        self.stamp(moment, order.contract)

    def apply_for_loan(self, order: Order, *, approve: bool) -> None:
        contract = order.contract
        principal = contract.loan_principal
        if contract.payment_plan != "loan" or not 0 < principal <= contract.amount_due:
            return
        moment = self.at(order, 60, DAY)
        order.loan = loan_submit(
            actor=contract.consultant, contract=contract, lender=self.rng.choice(LENDERS),
            amount=contract.loan_principal, term_months=contract.loan_term_months or 36,
            annual_rate=contract.loan_annual_rate or Decimal("0"),
            documents={value: True for value in LoanDocument.values})
        self.stamp(moment, contract)
        if approve:
            moment = self.at(order, DAY, 3 * DAY)
            order.loan = loan_decide(actor=self.finance, loan=order.loan,
                                     status=LoanStatus.APPROVED, note="审批通过")
            self.stamp(moment, contract)

    def pay(self, order: Order, kind: str, amount: Decimal, moment: dt.datetime) -> None:
        self.receipts += 1
        prefix = "DK" if kind == PaymentKind.LOAN else "SK"
        payment_collect(
            actor=self.finance, contract=order.contract, kind=kind,
            channel=(PaymentChannel.TRANSFER if kind == PaymentKind.LOAN
                     else self.rng.choice(BALANCE_CHANNELS)),
            amount=amount, receipt_number=f"{prefix}{self.store.code}{self.receipts:05d}",
            received_at=moment)
        self.stamp(moment, order.contract)

    def customer_part(self, order: Order) -> Decimal:
        """What the customer pays themselves: the balance less the loan applied for."""
        loan = order.loan.amount if order.loan is not None else Decimal("0")
        return balance_due(contract=order.contract) - loan

    def pay_balance(self, order: Order, *, share: Decimal | None = None) -> dt.date | None:
        """The customer's part in one payment (or a `share` of it, in whole yuan)."""
        amount = self.customer_part(order)
        if share is not None:
            amount = (amount * share).quantize(Decimal("1"))
        if amount <= 0:
            return None
        moment = self.at(order, DAY, 4 * DAY)
        self.pay(order, PaymentKind.BALANCE, amount, moment)
        return timezone.localdate(moment, self.tz)

    def inspect(self, order: Order, *, fault: bool = False, fixed: bool = True) -> None:
        """The inspection of the allocated car: every item passed, or one failed with a
        note (and, when `fixed`, passed again at a later check)."""
        contract = order.contract
        failed = self.rng.choice(self.items) if fault else None
        note = self.rng.choice(PDI_FAULTS)
        moment = self.at(order, 0.3 * DAY, 1.5 * DAY)
        pdi_record(actor=contract.consultant, contract=contract,
                   results=[(item, item != failed, note if item == failed else "")
                            for item in self.items])
        self.stamp(moment, contract)
        if failed is not None and fixed:
            moment = self.at(order, 0.5 * DAY, 2 * DAY)
            pdi_record(actor=contract.consultant, contract=contract,
                       results=[(failed, True, "")])
            self.stamp(moment, contract)

    def insure(self, order: Order, starts_on: dt.date) -> None:
        """The compulsory and the commercial policy, from the delivery day for a year."""
        contract = order.contract
        moment = self.clock.moment(order.at)
        seats = contract.trim.seats or 5
        for kind, premium in (
                (InsuranceKind.COMPULSORY, Decimal("950") if seats < 6 else Decimal("1100")),
                (InsuranceKind.COMMERCIAL, (contract.total_price * Decimal("0.021")
                                            + 900).quantize(Decimal("10")))):
            self.policies += 1
            start = max(starts_on, self.today - dt.timedelta(days=30))
            policy = insurance_add(
                actor=self.finance, contract=contract, insurer=self.rng.choice(INSURERS),
                kind=kind, premium=premium, starts_on=start, ends_on=year_later(start),
                policy_number=f"P{'JQX' if kind == InsuranceKind.COMPULSORY else 'SYX'}"
                              f"{starts_on:%Y}{self.store.pk:03d}{self.policies:07d}")
            if start != starts_on:
                self.retell(policy, starts_on=starts_on, ends_on=year_later(starts_on))
            self.stamp(moment, contract)

    def appoint(self, order: Order, when: dt.datetime) -> None:
        """The appointment, made at the order's latest step for `when` (moved back when
        it was in the past)."""
        moment = self.clock.moment(order.at)
        first_today = self.store.day_bounds(self.today)[0]
        handover = handover_schedule(actor=order.contract.consultant, contract=order.contract,
                                     scheduled_at=max(when, first_today),
                                     place=self.rng.choice(PLACES))
        if when < first_today:
            self.retell(handover, scheduled_at=when)
        self.stamp(moment, order.contract)

    def plate(self, contract: Contract) -> str:
        while True:
            if contract.trim.powertrain in NEW_ENERGY:
                plate = f"粤B{self.rng.choice('DF')}{self.rng.randrange(10**5):05d}"
            else:
                plate = f"粤B{self.rng.choice(PLATE_LETTERS)}{self.rng.randrange(10**4):04d}"
            if plate not in self.plates:
                self.plates.add(plate)
                return plate

    def hand_over(self, order: Order, day: float) -> None:
        """The ceremony at the appointment, and its completion through the gate."""
        contract = order.contract
        moment = self.until(order, day)
        handover_update(
            actor=contract.consultant, contract=contract,
            photo=SimpleUploadedFile("handover.jpg", self.photo, content_type="image/jpeg"),
            plate_number=self.plate(contract),
            plate_registered_on=max(self.day(order.at) - dt.timedelta(
                days=self.rng.randrange(0, 3)), timezone.localdate(contract.signed_at, self.tz)),
            **{name: True for name, _label in HANDOVER_CHECKLIST})
        self.stamp(moment, contract)
        moment = self.at(order, 15, 60)
        handover_complete(actor=contract.consultant, contract=contract)
        self.stamp(moment, contract)

    def deliver(self, order: Order) -> None:
        """From the signing to the keys in the customer's hands (and the contract closed)."""
        contract, rng = order.contract, self.rng
        closing = order.plan == C.CLOSED
        self.confirm_deposit(order)
        ordered = rng.random() < 0.5
        self.allocate(order, ordered=ordered)
        self.apply_for_loan(order, approve=True)
        paid_on = self.pay_balance(order)
        if ordered:
            self.arrive(order, 2 * DAY, 6 * DAY)
        self.inspect(order, fault=rng.random() < 0.3)
        # The handover on (or a little before) the promised day, after everything else.
        goal = self.clock.minutes(dt.datetime.combine(
            contract.promised_delivery_date, dt.time(9), tzinfo=self.tz)) + rng.uniform(
            60, 480) - rng.choice([0, 0, DAY, 2 * DAY])
        latest = self.clock.latest - (12 * DAY if closing else 60)
        day = max(min(goal, latest), order.at + rng.uniform(1, 3) * DAY)
        self.at(order, 30, 240)
        when = self.clock.moment(min(day, self.clock.latest))
        self.appoint(order, when)
        self.until(order, day - rng.uniform(0.5, 1.5) * DAY)
        self.insure(order, timezone.localdate(when, self.tz))
        if order.loan is not None:
            moment = self.until(order, day - rng.uniform(0.2, 0.8) * DAY)
            self.pay(order, PaymentKind.LOAN, order.loan.amount, moment)
        self.promise(order, payment=paid_on or timezone.localdate(when, self.tz))
        self.hand_over(order, day)
        if closing:
            moment = self.at(order, 3 * DAY, 10 * DAY)
            contract_close(actor=rng.choice([self.manager, self.finance]),
                           contract=Contract.objects.get(pk=contract.pk))
            self.stamp(moment, contract)

    def progress(self, order: Order) -> None:
        """A signed contract left at its plan's stage of the order board."""
        plan, rng, contract = order.plan, self.rng, order.contract
        signed_on = timezone.localdate(contract.signed_at, self.tz)
        tomorrow = self.today + dt.timedelta(days=1)
        if (self.now - contract.signed_at).days >= 2:  # the newest wait for finance
            self.confirm_deposit(order)
        if plan in ("at_risk", "far"):
            days = rng.randrange(5, 10) if plan == "at_risk" else rng.randrange(24, 36)
            self.apply_for_loan(order, approve=False)
            self.promise(order, delivery=self.today + dt.timedelta(days=days),
                         payment=self.today + dt.timedelta(days=days - 2))
            return
        ordered = plan in ("in_transit", "arrived_overdue")
        self.allocate(order, ordered=ordered)
        if plan == "arrived_overdue":  # it came in a day or two ago
            self.until(order, self.clock.latest - rng.uniform(0.5, 2) * DAY)
            self.arrive(order, 0, 60)
        self.apply_for_loan(order, approve=plan not in ("in_transit", "arrived"))
        overdue = min(signed_on + dt.timedelta(days=rng.randrange(4, 8)),
                      self.today - dt.timedelta(days=1))
        if plan == "ready_tomorrow":
            self.pay_balance(order)
            self.inspect(order)
            self.at(order, 30, 240)
            self.appoint(order, dt.datetime.combine(tomorrow, dt.time(rng.choice([10, 14])),
                                                    tzinfo=self.tz))
            self.insure(order, tomorrow)
            self.promise(order, delivery=max(contract.promised_delivery_date, tomorrow),
                         payment=tomorrow)
        elif plan == "ready_later":
            self.inspect(order, fault=True)
            self.at(order, 30, 240)
            visit = self.today + dt.timedelta(days=rng.randrange(3, 6))
            self.appoint(order, dt.datetime.combine(visit, dt.time(rng.choice([10, 15])),
                                                    tzinfo=self.tz))
            self.promise(order, delivery=max(contract.promised_delivery_date, visit),
                         payment=visit)
        elif plan == "pdi_failed":
            self.pay_balance(order, share=Decimal("0.5"))
            self.inspect(order, fault=True, fixed=False)
            self.promise(order, payment=overdue)
        elif plan == "arrived_overdue":
            self.promise(order, payment=overdue)
        else:  # in_transit, arrived: the balance is due with the car
            self.promise(order, payment=contract.promised_delivery_date)

    def play(self, order: Order) -> None:
        if order.plan in DONE:
            self.deliver(order)
        else:
            self.progress(order)


def year_later(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day + dt.timedelta(days=365)


def handover_photo(rng: random.Random) -> bytes:
    """A small JPEG standing in for the photo with the customer: a car before the
    delivery bay's backdrop."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (64, 48), (rng.randrange(180, 240), 40, 40))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 34, 63, 47), fill=(90, 90, 90))
    body = tuple(rng.randrange(20, 230) for _n in range(3))
    draw.rounded_rectangle((10, 20, 54, 36), radius=4, fill=body)
    draw.rectangle((18, 14, 44, 22), fill=body)
    for x in (18, 46):
        draw.ellipse((x - 4, 32, x + 4, 40), fill=(20, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def seed_delivery(rng: random.Random, *, store: Store, scale: str) -> None:
    """The delivery stage of the demo store; the same size at every scale (with
    `scale="history"`, the large group's five years for `store`: delivery.demo.history)."""
    if scale == "history":
        from delivery.demo.history import seed_history

        seed_history(rng, store=store)
        return
    with translation.override(LANGUAGE):
        demo = DeliveryDemo(rng, store)
        if demo.manager is None or demo.finance is None:
            return
        demo.tidy()
        demo.items = pdi_items_ensure(store=store)
        for order in demo.plans():
            demo.play(order)
        demo.stock()


__all__ = ["seed_delivery"]
