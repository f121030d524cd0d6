"""The objects the battery posts against, built lazily (each form asks for what it needs),
and the battery's table: every POST endpoint of the app, the role that may use it, the object
it acts on, and the page whose `<form>` gives its fields and valid values.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from contracts.enums import ContractStatus, PaymentKind
from contracts.models import Payment, RefundObligation
from contracts.services.contracts import contract_cancel
from dealership.demo import data
from dealership.enums import Role, Seniority, StockStatus
from delivery.enums import HANDOVER_CHECKLIST
from delivery.models import Allocation
from delivery.services.allocation import allocation_create
from delivery.services.finance import loan_submit
from delivery.services.handover import handover_schedule, handover_update
from delivery.services.inventory import stock_receive
from delivery.services.pdi import pdi_items_ensure, pdi_record
from leads.enums import LeadStatus
from leads.selectors.periods import store_today
from showroom.enums import TestDriveStatus
from tests.contracts.factories import (
    approved_quote,
    make_contract,
    make_quote,
    pay_the_balance,
    pending_approval,
)
from tests.factories import CustomerFactory, StoreFactory, TeamFactory, TrimFactory, UserFactory
from tests.leads.factories import CampaignFactory, LeadFactory, LostRequestFactory
from tests.showroom.factories import (
    DemoVehicleFactory,
    DutyShiftFactory,
    TalkTrackFactory,
    VisitFactory,
)
from tests.showroom.factories_invitations import InspectionItemFactory, InvitationFactory
from tests.showroom.factories_test_drives import DriveFactory


class World:
    """One store with a user of every role and one object of each kind, each in the state
    its form acts on. Only what a form asks for is built."""

    @cached_property
    def store(self):
        return StoreFactory(code="DEMO", name="示范店")

    @cached_property
    def other_store(self):
        return StoreFactory(code="OTHER", name="别的店")

    def _user(self, role: str, username: str, **kwargs):
        store = None if role in (Role.ADMIN, Role.GROUP_EXEC) else self.store
        if role == Role.ADMIN:
            kwargs.update(is_staff=True, is_superuser=True)
        return UserFactory(username=username, role=role, store=store, **kwargs)

    @cached_property
    def supervisor(self):
        return self._user(Role.SUPERVISOR, "sup", name="赵主管")

    @cached_property
    def team(self):
        return TeamFactory(store=self.store, name="销售一组", supervisor=self.supervisor)

    @cached_property
    def consultant(self):
        return self._user(Role.CONSULTANT, "con", name="王芳", team=self.team,
                          seniority=Seniority.SENIOR)

    @cached_property
    def teammate(self):
        return self._user(Role.CONSULTANT, "mate", name="李强", team=self.team,
                          seniority=Seniority.JUNIOR)

    @cached_property
    def manager(self):
        return self._user(Role.MANAGER, "mgr", name="周经理")

    @cached_property
    def receptionist(self):
        return self._user(Role.RECEPTIONIST, "rec", name="前台小刘")

    @cached_property
    def finance(self):
        return self._user(Role.FINANCE, "fin", name="钱会计")

    @cached_property
    def marketing(self):
        return self._user(Role.MARKETING, "mkt", name="市场小吴")

    @cached_property
    def admin(self):
        return self._user(Role.ADMIN, "adm", name="管理员")

    anonymous = None

    def customer_of_consultant(self, **kwargs):
        self.teammate  # noqa: B018 -- a second consultant to reassign to
        return CustomerFactory(store=self.store, owner=self.consultant, **kwargs)

    @cached_property
    def customer(self):
        return self.customer_of_consultant(name="张三丰", phone="+8613812345678",
                                           id_number="11010519491231002X")

    @cached_property
    def lead(self):
        return LeadFactory(store=self.store, owner=self.consultant, customer=self.customer,
                           status=LeadStatus.CONTACTED)

    @cached_property
    def pool_lead(self):
        self.consultant  # noqa: B018 -- someone to claim it and to assign it to
        return LeadFactory(store=self.store, owner=None)

    @cached_property
    def lost_request(self):
        lead = LeadFactory(store=self.store, owner=self.consultant)
        return LostRequestFactory(lead=lead)

    @cached_property
    def campaign(self):
        return CampaignFactory(store=self.store, name="春季车展")

    @cached_property
    def shift(self):
        return DutyShiftFactory(store=self.store, consultant=self.consultant)

    @cached_property
    def visit(self):
        return VisitFactory(store=self.store, consultant=self.consultant,
                            arrived_at=timezone.now() - dt.timedelta(minutes=30))

    @cached_property
    def talk_track(self):
        return TalkTrackFactory(store=self.store)

    @cached_property
    def demo_vehicle(self):
        return DemoVehicleFactory(store=self.store)

    def _drive(self, **kwargs):
        self.demo_vehicle  # noqa: B018 -- the booking form offers it
        customer = self.customer_of_consultant()
        return DriveFactory(store=self.store, consultant=self.consultant, customer=customer,
                            vehicle=DemoVehicleFactory(store=self.store), **kwargs)

    @cached_property
    def drive_booked(self):
        return self._drive(slot_start=timezone.now() - dt.timedelta(minutes=5))

    @cached_property
    def drive_on_the_road(self):
        return self._drive(slot_start=timezone.now() - dt.timedelta(minutes=30),
                           status=TestDriveStatus.IN_PROGRESS,
                           started_at=timezone.now() - dt.timedelta(minutes=25),
                           odometer_start=1200)

    @cached_property
    def drive_done(self):
        now = timezone.now()
        return self._drive(slot_start=now - dt.timedelta(hours=2), status=TestDriveStatus.DONE,
                           started_at=now - dt.timedelta(hours=2), odometer_start=1200,
                           finished_at=now - dt.timedelta(hours=1), odometer_end=1230)

    @cached_property
    def invitation(self):
        # Expected later today in the store's day (the desk lists today's only), even when
        # the suite runs in the store's last hour.
        _since, until = self.store.day_bounds(store_today(self.store))
        expected_at = min(timezone.now() + dt.timedelta(hours=1), until - dt.timedelta(minutes=1))
        return InvitationFactory(lead=self.lead, expected_at=expected_at)

    @cached_property
    def inspection_item(self):
        return InspectionItemFactory(store=self.store, text="展车清洁")

    @cached_property
    def trim(self):
        return TrimFactory()

    @cached_property
    def quote(self):
        self.demo_vehicle  # noqa: B018 -- stock the quote form may offer
        return make_quote(self.consultant, self.customer_of_consultant(), trim=self.trim)

    @cached_property
    def approval(self):
        self.supervisor  # noqa: B018
        return pending_approval(make_quote(self.consultant, self.customer_of_consultant(),
                                           discount=Decimal("5000"), trim=self.trim))

    @cached_property
    def approved_quote(self):
        return approved_quote(self.consultant, self.customer_of_consultant(),
                              discount=Decimal("0"), trim=self.trim)

    def contract(self, status: str):
        return make_contract(self.consultant, self.customer_of_consultant(),
                             manager=self.manager, status=status, trim=self.trim)

    @cached_property
    def draft(self):
        return self.contract(ContractStatus.DRAFT)

    @cached_property
    def in_review(self):
        return self.contract(ContractStatus.IN_REVIEW)

    @cached_property
    def approved(self):
        return self.contract(ContractStatus.APPROVED)

    @cached_property
    def signed(self):
        return self.contract(ContractStatus.SIGNED)

    @cached_property
    def delivered(self):
        return self.contract(ContractStatus.DELIVERED)

    @cached_property
    def deposit(self):
        return Payment.objects.get(contract=self.signed, kind=PaymentKind.DEPOSIT)

    @cached_property
    def refund(self):
        contract = self.contract(ContractStatus.SIGNED)
        contract_cancel(actor=self.manager, contract=contract, reason="客户放弃购买")
        return RefundObligation.objects.get(contract=contract)

    # --- delivery (issue 11): stock, orders with their car, the loan, the handover ---
    def _car(self, status: str = StockStatus.IN_STOCK, trim=None):
        """A car received into the store through the receiving service."""
        vehicle, _received = stock_receive(
            actor=self.manager, store=self.store, vin=data.vin(self._vins, wmi="LVG",
                                                               model_year=2025),
            trim=trim or self.trim, colour=None, cost=Decimal("180000.00"),
            list_price=Decimal("209800.00"), status=status,
            arrival_date=(self.store.today() - dt.timedelta(days=20)
                          if status == StockStatus.IN_STOCK else None),
            location="A区-03")
        return vehicle

    @cached_property
    def _vins(self):
        return random.Random(11)

    @cached_property
    def stock_car(self):
        """In stock and free: the demo switch's car, the allocation's candidate."""
        return self._car()

    @cached_property
    def stock_arriving(self):
        return self._car(StockStatus.IN_TRANSIT)

    @cached_property
    def import_trim(self):
        """The trim the stock CSV names (series 凯美瑞)."""
        return TrimFactory(series=self.trim.series, name="2.5 旗舰版")

    @cached_property
    def pdi_item(self):
        return pdi_items_ensure(store=self.store)[0]

    def _order(self):
        """A signed contract of the consultant's with a car allocated by the manager."""
        contract = self.contract(ContractStatus.SIGNED)
        allocation_create(actor=self.manager, contract=contract, vehicle=self._car())
        return contract

    @cached_property
    def order(self):
        """Allocated, the balance still due, no loan, the inspection and ceremony to do."""
        return self._order()

    @cached_property
    def allocation(self):
        return Allocation.objects.get(contract=self.order, released_at__isnull=True)

    @cached_property
    def loan(self):
        """A loan application sent to the lender, waiting for its answer."""
        contract = self.contract(ContractStatus.SIGNED)
        return loan_submit(actor=self.consultant, contract=contract, lender="招商银行",
                           amount=Decimal("100000.00"), term_months=36,
                           annual_rate=Decimal("3.50"))

    @cached_property
    def ready_order(self):
        """Everything done but the completion: car allocated, inspection passed, balance
        paid, every box of the ceremony ticked and the photo uploaded."""
        contract = self._order()
        items = pdi_items_ensure(store=self.store)
        pdi_record(actor=self.consultant, contract=contract,
                   results=[(item, True, "") for item in items])
        pay_the_balance(contract)
        handover_schedule(actor=self.consultant, contract=contract,
                          scheduled_at=timezone.now() + dt.timedelta(hours=2),
                          place="交车区1号")
        handover_update(actor=self.consultant, contract=contract,
                        photo=SimpleUploadedFile("customer.jpg", PHOTO_JPEG),
                        **{name: True for name, _label in HANDOVER_CHECKLIST})
        return contract


@dataclass(frozen=True)
class Entry:
    """One POST endpoint in the battery.

    `obj` names the World attribute the URL's pk is taken from, `page` builds the URL of the
    page that shows the form (None: the endpoint's own page), `extra` fills or overrides
    fields (a form shown only in some states, a submit button's value). `roundtrip` checks
    an accepted request's stored values.
    """

    url: str
    actor: str
    obj: str | None = None
    page: Callable[[World], str] | None = None
    extra: dict[str, str | Callable[[World], str]] = field(default_factory=dict)
    url_kwargs: Callable[[World], dict[str, Any]] | None = None
    # The query string the endpoint reads its object from (?lead=, ?customer=).
    query: Callable[[World], dict[str, Any]] | None = None
    roundtrip: Callable[[World, dict[str, list[str]]], None] | None = None
    # A valid upload for each file field: {field: (file name, content)}.
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    # Fields read from the page are enough; this endpoint's form is known to have none.
    fieldless: bool = False

    @property
    def id(self) -> str:
        return f"{self.url}-as-{self.actor}"


def _day(offset: int) -> str:
    """An ISO date `offset` days from today (Shanghai, the test store's zone)."""
    today = timezone.localdate(timezone=dt.timezone(dt.timedelta(hours=8)))
    return (today + dt.timedelta(days=offset)).isoformat()


def _detail(name: str) -> Callable[[World], str]:
    def page(world: World) -> str:
        return getattr(world, name).get_absolute_url()
    return page


def _static(path: str) -> Callable[[World], str]:
    return lambda world: path


def _only_string(values: dict[str, list[str]], name: str) -> str | None:
    """The one value sent for a field, or None when it was missing or repeated."""
    sent = values.get(name)
    return sent[0] if sent and len(sent) == 1 else None


def _customer_roundtrip(world: World, values: dict[str, list[str]]) -> None:
    world.customer.refresh_from_db()
    for name in ("name", "city"):
        sent = _only_string(values, name)
        if sent is not None:
            assert getattr(world.customer, name) == sent.strip(), name


def _talk_track_roundtrip(world: World, values: dict[str, list[str]]) -> None:
    world.talk_track.refresh_from_db()
    sent = _only_string(values, "title")
    if sent is not None:
        assert world.talk_track.title == sent.strip()


def _campaign_roundtrip(world: World, values: dict[str, list[str]]) -> None:
    world.campaign.refresh_from_db()
    sent = _only_string(values, "name")
    if sent is not None:
        assert world.campaign.name == sent.strip()


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


# A real picture: the handover's photo must be one Pillow can open.
PHOTO_JPEG = _jpeg()


def _url(name: str, obj: str) -> Callable[[World], str]:
    """The delivery page of `name` for the world's `obj` (its pk)."""
    return lambda world: reverse(name, args=[getattr(world, obj).pk])


STOCK_CSV = ("vin,series,trim,colour,status,arrival_date,cost,list_price,location\n"
             "LVGBE40K5SG000019,凯美瑞,2.5 旗舰版,,in_transit,,182000,219800,在途\n"
             "LVGBE40K5SG000019,凯美瑞,2.5 旗舰版,,in_transit,,182000,219800,在途\n"
             "NOT-A-VIN,凯美瑞,2.5 旗舰版,,in_stock,2026-01-05,182000,219800,A区\n"
             ).encode()

IMPORT_CSV = ("name,phone,channel,model_interest,purchase_window,budget_min,budget_max,city,note\n"
              "韩梅梅,13700003333,website,凯美瑞,1m,150000,200000,深圳,想试驾\n").encode()

ENTRIES: list[Entry] = [
    # --- core: accounts and customers ---
    Entry("login", "anonymous", extra={"username": "con", "password": "test-pass-2026"}),
    Entry("logout", "consultant", page=_static("/"), fieldless=True),
    Entry("password_change", "consultant",
          extra={"old_password": "test-pass-2026", "new_password1": "Zq!8hostile-pass",
                 "new_password2": "Zq!8hostile-pass"}),
    Entry("language_set", "consultant", page=_static("/account/")),
    Entry("set_language", "consultant", page=_static("/account/"),
          extra={"language": "en", "next": "/"}),
    Entry("customers:create", "consultant", extra={"name": "李四", "phone": "13700001111"}),
    Entry("customers:edit", "consultant", obj="customer", roundtrip=_customer_roundtrip),
    Entry("customers:reveal", "consultant", obj="customer", page=_detail("customer"),
          fieldless=True),
    Entry("customers:export", "manager", obj="customer", page=_detail("customer"),
          extra={"format": "csv"}),
    Entry("customers:erase", "manager", obj="customer", extra={"confirmation": "张三丰"}),
    # --- leads ---
    Entry("leads:create", "consultant",
          extra={"name": "李雷", "phone": "13900001111", "channel": "walk_in",
                 "purchase_window": "1m", "budget_min": "100000", "budget_max": "200000"}),
    Entry("leads:touch", "consultant", obj="lead", page=_detail("lead"),
          extra={"note": "客户说周末来", "next_follow_up_on": lambda w: _day(3)}),
    Entry("leads:grade", "consultant", obj="lead", page=_detail("lead"),
          extra={"grade": "A", "reason": "客户说本周订车"}),
    Entry("leads:request_lost", "consultant", obj="lead", page=_detail("lead"),
          extra={"reason": "bought_competitor", "note": "已在别家提车"}),
    Entry("leads:reassign", "supervisor", obj="lead", page=_detail("lead"),
          extra={"to": lambda w: str(w.teammate.pk), "reason": "调整负责人"}),
    Entry("leads:notifications_read", "consultant", page=_static("/my-day/"), fieldless=True),
    Entry("leads:claim", "consultant", obj="pool_lead", page=_static("/leads/pool/"),
          fieldless=True),
    Entry("leads:pool_assign", "supervisor", obj="pool_lead", page=_static("/leads/pool/")),
    Entry("leads:decide_lost", "supervisor", obj="lost_request", page=_static("/leads/board/"),
          extra={"note": "同意"}),
    Entry("leads:campaign_create", "marketing",
          extra={"name": "双十二", "channel": "vertical_media", "budget": "30000",
                 "starts_on": lambda w: _day(0), "ends_on": lambda w: _day(30)}),
    Entry("leads:campaign_edit", "marketing", obj="campaign", roundtrip=_campaign_roundtrip,
          extra={"starts_on": lambda w: _day(-30), "ends_on": lambda w: _day(30)}),
    Entry("leads:set_on_duty", "manager", obj="teammate", page=_static("/leads/team/")),
    Entry("leads:reassign_book", "manager", obj="teammate",
          extra={"to_user": lambda w: str(w.consultant.pk)}),
    Entry("leads:policy", "manager"),
    Entry("leads:import", "marketing", files={"file": ("leads.csv", IMPORT_CSV)}),
    Entry("leads:customer_opt_out", "consultant", obj="customer", page=_detail("customer"),
          extra={"note": "客户回复TD", "next": "/customers/"}),
    # --- showroom ---
    Entry("showroom:duty_state", "receptionist", obj="shift", page=_static("/showroom/desk/")),
    Entry("showroom:roster", "receptionist"),
    Entry("showroom:walk_in", "receptionist",
          extra={"description": "白衣服的夫妻", "name": "刘先生", "phone": "13600001111",
                 "consultant": lambda w: str(w.consultant.pk)}),
    Entry("showroom:visit_close", "consultant", obj="visit", page=_detail("visit"),
          extra={"outcome": "follow_up", "note": "周末再来"}),
    Entry("showroom:visit_add_phone", "consultant", obj="visit", page=_detail("visit"),
          extra={"phone": "13600002222", "name": "赵六"}),
    Entry("showroom:objection_add", "consultant", obj="visit", page=_detail("visit"),
          extra={"note": "比别家贵"}),
    Entry("showroom:talk_track_new", "manager",
          extra={"kind": "price", "title": "价格异议", "body": "我们的价格包含三年保养。"}),
    Entry("showroom:talk_track_edit", "manager", obj="talk_track",
          roundtrip=_talk_track_roundtrip),
    Entry("showroom:test_drive_book", "consultant",
          page=lambda w: (w.demo_vehicle, "/showroom/test-drives/new/")[1],
          extra={"vehicle": lambda w: str(w.demo_vehicle.pk), "day": lambda w: _day(1),
                 "time": "10:00", "phone": "13812345678", "licence_number": "440301199001011234",
                 "licence_expires_on": lambda w: _day(700)}),
    Entry("showroom:test_drive_reveal", "consultant", obj="drive_booked",
          page=_detail("drive_booked"), fieldless=True),
    Entry("showroom:test_drive_start", "consultant", obj="drive_booked",
          page=_detail("drive_booked"), extra={"odometer_start": "1200"}),
    Entry("showroom:test_drive_finish", "consultant", obj="drive_on_the_road",
          page=_detail("drive_on_the_road"), extra={"odometer_end": "1260"}),
    Entry("showroom:test_drive_feedback", "consultant", obj="drive_done",
          page=_detail("drive_done"),
          extra={"rating_overall": "5", "rating_handling": "4", "rating_comfort": "4",
                 "feedback": "很满意"}),
    Entry("showroom:test_drive_cancel", "consultant", obj="drive_booked",
          page=_detail("drive_booked"), extra={"reason": "客户临时有事"}),
    Entry("showroom:invitation_create", "consultant", query=lambda w: {"lead": w.lead.pk},
          extra={"expected_at": lambda w: _day(1) + "T10:00", "purpose": "试驾"}),
    Entry("showroom:invitation_arrived", "receptionist", obj="invitation",
          page=_static("/showroom/desk/")),
    Entry("showroom:invitation_cancel", "consultant", obj="invitation",
          extra={"reason": "客户改期"}),
    Entry("showroom:inspection_items", "manager",
          page=lambda w: (w.inspection_item, "/showroom/inspection/items/")[1]),
    Entry("showroom:inspection_check", "manager", obj="inspection_item",
          page=_static("/showroom/inspection/")),
    # --- quotes, approvals, contracts ---
    Entry("contracts:quote_create", "consultant",
          query=lambda w: {"customer": w.customer.pk, "lead": w.lead.pk},
          extra={"trim": lambda w: str(w.trim.pk), "shown_trim": lambda w: str(w.trim.pk)}),
    Entry("contracts:quote_calculate", "consultant",
          page=lambda w: f"/contracts/quotes/new/?customer={w.customer.pk}",
          extra={"trim": lambda w: str(w.trim.pk), "shown_trim": lambda w: str(w.trim.pk)}),
    Entry("contracts:quote_revise", "consultant", obj="quote"),
    Entry("contracts:quote_withdraw", "consultant", obj="quote", page=_detail("quote"),
          extra={"reason": "客户放弃"}),
    Entry("contracts:approval_decide", "supervisor", obj="approval",
          page=lambda w: f"/contracts/approvals/{w.approval.pk}/"),
    Entry("contracts:discount_policy", "admin",
          query=lambda w: {"store": w.store.code}),
    Entry("contracts:contract_create", "consultant", obj="approved_quote",
          page=_detail("approved_quote")),
    Entry("contracts:contract_edit", "consultant", obj="draft"),
    Entry("contracts:contract_reveal", "consultant", obj="draft", page=_detail("draft"),
          fieldless=True),
    Entry("contracts:contract_submit", "consultant", obj="draft", page=_detail("draft")),
    Entry("contracts:contract_approve", "manager", obj="in_review", page=_detail("in_review")),
    Entry("contracts:contract_reject", "manager", obj="in_review", page=_detail("in_review"),
          extra={"reason": "价格有误"}),
    Entry("contracts:contract_sign", "consultant", obj="approved", page=_detail("approved"),
          extra={"deposit_channel": "wechat_pay", "receipt_number": "R000123"}),
    Entry("contracts:contract_close", "manager", obj="delivered", page=_detail("delivered")),
    Entry("contracts:contract_cancel", "consultant", obj="draft", page=_detail("draft"),
          extra={"reason": "客户改变主意"}),
    # --- delivery ---
    Entry("delivery:payment_confirm", "finance", obj="deposit",
          page=_static("/delivery/finance/"), fieldless=True),
    Entry("delivery:refund_settle", "finance", obj="refund", page=_static("/delivery/finance/"),
          extra={"refund-{pk}-receipt_number": "TK-0001"}),
    # Inventory: the manager receives, imports, marks arrivals and demo cars.
    Entry("delivery:stock_receive", "manager",
          page=lambda w: (w.trim, "/delivery/stock/receive/")[1],
          extra={"vin": "LVGBE40K8SG000015", "trim": lambda w: str(w.trim.pk),
                 "status": "in_stock", "arrival_date": lambda w: _day(-2),
                 "cost": "178000", "list_price": "209800", "location": "B区-07"}),
    Entry("delivery:stock_import", "manager",
          page=lambda w: (w.import_trim, "/delivery/stock/import/")[1],
          files={"file": ("到货清单.csv", STOCK_CSV)}),
    Entry("delivery:stock_arrive", "manager", obj="stock_arriving",
          page=_url("delivery:stock_detail", "stock_arriving"),
          extra={"arrival_date": lambda w: _day(0), "location": "A区-05"}),
    Entry("delivery:stock_demo", "manager", obj="stock_car",
          page=_url("delivery:stock_detail", "stock_car"), extra={"demo": "1"}),
    Entry("delivery:settings", "manager", extra={"slow_stock_days": "45", "at_risk_days": "10"}),
    # Orders: allocating a car to a signed contract, releasing it.
    Entry("delivery:allocation_create", "consultant", obj="signed",
          page=lambda w: (w.stock_car, reverse("delivery:allocation_create",
                                               args=[w.signed.pk]))[1],
          extra={"vehicle": lambda w: str(w.stock_car.pk)}),
    Entry("delivery:allocation_release", "consultant", obj="allocation",
          page=_url("delivery:order_detail", "order"), extra={"reason": "客户改选颜色"}),
    # Money: finance records the balance; the loan and the insurance.
    Entry("delivery:payment_record", "finance", obj="order",
          extra={"kind": "balance", "channel": "transfer", "amount": "20000",
                 "receipt_number": "ZZ-2026-0042"}),
    Entry("delivery:payment_date_set", "finance", obj="order",
          extra={"promised_payment_date": lambda w: _day(10)}),
    Entry("delivery:loan_edit", "consultant", obj="order",
          extra={"lender": "平安银行", "amount": "120000", "term_months": "36",
                 "annual_rate": "3.85", "note": "客户首付三成"}),
    Entry("delivery:loan_decide", "finance", obj="loan",
          page=lambda w: reverse("delivery:loan_edit", args=[w.loan.contract_id]),
          extra={"status": "approved", "note": "银行已批"}),
    Entry("delivery:insurance_create", "consultant", obj="order",
          extra={"insurer": "中国人保", "kind": "commercial", "premium": "5200",
                 "policy_number": "PICC-2026-000123", "starts_on": lambda w: _day(1),
                 "ends_on": lambda w: _day(366)}),
    # Inspection, appointment, handover (phone-first: the consultant next to the car).
    Entry("delivery:pdi_items", "manager", extra={"label": "胎压检查"}),
    Entry("delivery:pdi_item_edit", "manager", obj="pdi_item",
          page=_static("/delivery/inspection/items/"),
          extra={"item-{pk}-label": "外观漆面", "item-{pk}-order": "5",
                 "item-{pk}-active": "on"}),
    Entry("delivery:pdi", "consultant", obj="order"),
    Entry("delivery:appointment", "consultant", obj="order",
          extra={"scheduled_at": lambda w: _day(2) + "T10:30", "place": "交车区2号"}),
    Entry("delivery:handover", "consultant", obj="order",
          files={"photo": ("with-the-customer.jpg", PHOTO_JPEG)},
          extra={"plate_number": "粤B12345", "plate_registered_on": lambda w: _day(0),
                 **{name: "on" for name, _label in HANDOVER_CHECKLIST}}),
    Entry("delivery:handover_complete", "consultant", obj="ready_order",
          page=_url("delivery:handover", "ready_order")),
]

# POST endpoints deliberately outside this battery, each with the reason.
EXCLUDED = {
    # Django's own admin: staff-only, its forms are Django's and tested by Django.
    "admin:*",
    # JSON, not a form: tests/hostile/test_api.py and test_openapi.py.
    "api:leads",
    # The SMS gateway's signed webhook, not a form: tests/hostile/test_api.py.
    "api:sms_inbound",
    # A RedirectView (old "my day" bookmarks): answers every method with a redirect,
    # reads no field and writes nothing.
    "leads:<unnamed /leads/my-day/>",
}
