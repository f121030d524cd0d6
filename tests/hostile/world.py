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
from django.urls import resolve, reverse
from django.utils import timezone
from PIL import Image

from aftersales.enums import CareStepKind, CareTaskKind
from aftersales.models import CareStep, Survey
from aftersales.selectors.service import SLOT_TIMES
from aftersales.services.campaigns import campaign_create
from aftersales.services.care_tasks import care_task_open
from aftersales.services.complaints import complaint_create, complaint_resolve
from aftersales.services.loyalty import package_create, points_adjust
from aftersales.services.service import appointment_book, appointment_check_in
from aftersales.services.surveys import QUESTIONS, survey_link
from contracts.enums import ContractStatus, PackageKind, PaymentKind
from contracts.models import Payment, RefundObligation
from contracts.services.catalogue import accessory_create
from contracts.services.catalogue import package_create as value_package_create
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
from leads.models import ImportBatch, OutboundMessage
from leads.selectors.periods import store_today
from reports.services.kiosk import kiosk_link_create
from reports.services.meetings import meeting_note_add
from reports.services.targets import closed_day_add
from showroom.enums import TestDriveStatus
from tests.access_world_aftersales import deliver_owner
from tests.contracts.factories import (
    approved_quote,
    make_contract,
    make_quote,
    pay_the_balance,
    pending_approval,
)
from tests.factories import (
    ColourFactory,
    CustomerFactory,
    StoreFactory,
    TeamFactory,
    TrimFactory,
    UserFactory,
)
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

    # --- after-sales (issue 12): owners, care, the workshop, surveys, complaints, points ---
    @cached_property
    def service_advisor(self):
        return self._user(Role.SERVICE_ADVISOR, "sa", name="孙顾问")

    @cached_property
    def customer_care(self):
        return self._user(Role.CUSTOMER_CARE, "cc", name="客服小陈")

    def _delivered(self):
        """(customer, contract, car): a car of the consultant's customer handed over
        through delivery's services; the hook started the care plan, sent the survey."""
        return deliver_owner(shop=self.store, seller=self.consultant, boss=self.manager,
                             trim=self.trim)

    @cached_property
    def owner_delivery(self):
        return self._delivered()

    @cached_property
    def owner(self):
        return self.owner_delivery[0]

    def _care_step(self, kind: str):
        return CareStep.objects.get(plan__contract=self.owner_delivery[1], kind=kind)

    @cached_property
    def care_step_thank_you(self):
        return self._care_step(CareStepKind.THANK_YOU_CALL)

    @cached_property
    def care_step_pool(self):
        return self._care_step(CareStepKind.FIRST_MAINTENANCE)

    @cached_property
    def care_task(self):
        return care_task_open(customer=self.owner, kind=CareTaskKind.OTHER,
                              title="回访：确认导航已激活", due_on=self.store.today(),
                              actor=self.manager)

    def _book(self, delivery, *, appointment_type: str, slot: int):
        customer, _contract, car = delivery
        return appointment_book(actor=self.service_advisor, customer=customer, vehicle=car,
                                appointment_type=appointment_type, day=self.store.today(),
                                slot=SLOT_TIMES[slot], note="客户自带机油")

    @cached_property
    def appointment_today(self):
        """Booked for today: to check in, cancel, or mark as a no-show."""
        return self._book(self.owner_delivery, appointment_type="maintenance", slot=1)

    @cached_property
    def appointment_at_workshop(self):
        """Checked in today (another owner's car): to complete."""
        booked = self._book(self._delivered(), appointment_type="repair", slot=2)
        return appointment_check_in(actor=self.service_advisor, appointment=booked,
                                    mileage=3100)

    @cached_property
    def survey(self):
        return Survey.objects.get(contract=self.owner_delivery[1])

    def _complaint(self, summary: str):
        return complaint_create(
            actor=self.customer_care, customer=self.owner, channel="phone",
            category="after_sales", severity="medium", department="service",
            summary=summary, description="客户来电反映问题，要求尽快处理。",
            received_at=timezone.now() - dt.timedelta(hours=1))

    @cached_property
    def complaint(self):
        self.supervisor  # noqa: B018 -- someone to hand it over to
        return self._complaint("首保后空调异响")

    @cached_property
    def complaint_resolved(self):
        return complaint_resolve(actor=self.customer_care,
                                 complaint=self._complaint("交车时承诺的脚垫未给"),
                                 resolution="已补送脚垫", cause_analysis="交车清单漏项",
                                 corrective_action="交车清单加入赠品核对")

    @cached_property
    def service_package(self):
        return package_create(actor=self.manager, store=self.store, name="基础保养套餐",
                              points=1500, description="机油机滤更换一次")

    @cached_property
    def points_owner(self):
        """An owner with 3,000 points and a package the desk may redeem."""
        self.service_package  # noqa: B018
        points_adjust(actor=self.manager, customer=self.owner, points=3000,
                      reason="车主活动赠送积分")
        return self.owner

    @cached_property
    def care_campaign(self):
        return campaign_create(actor=self.marketing, store=self.store, name="免费检测周",
                               kind="free_inspection",
                               template="{name}您好，{store}本周为车主提供免费检测。",
                               segment={"value": [], "need": [], "loyalty": []})

    # --- reports (issue 13): the calendar, meeting notes, wall-screen links ---
    @cached_property
    def group_exec(self):
        return self._user(Role.GROUP_EXEC, "gx", name="集团总监",
                          dealer_group=self.store.group)

    @cached_property
    def closed_day(self):
        return closed_day_add(store=self.store, day=self.store.today() + dt.timedelta(days=7),
                              note="门店盘点", actor=self.manager)

    @cached_property
    def meeting_note(self):
        return meeting_note_add(store=self.store, day=self.store.today(), meeting="morning",
                                topic="plan", body="今天重点跟进上周试驾的客户。",
                                actor=self.manager)

    @cached_property
    def kiosk_link(self):
        return kiosk_link_create(store=self.store, label="展厅大屏", actor=self.manager)[0]

    # --- issue 14: the catalogue, a stuck import and message, a customer who waits ---
    @cached_property
    def colour(self):
        return ColourFactory(series=self.trim.series, name="珍珠白")

    @cached_property
    def accessory(self):
        return accessory_create(actor=self.manager, store=self.store, code="MAT-01",
                                name="全车脚垫", price=Decimal("800.00"))

    @cached_property
    def value_package(self):
        return value_package_create(actor=self.manager, store=self.store, name="首保套餐",
                                    kind=PackageKind.MAINTENANCE, price=Decimal("0.00"))

    @cached_property
    def import_batch(self):
        """A finished import: its retry is refused (409) whatever is sent."""
        return ImportBatch.objects.create(store=self.store, filename="leads.csv",
                                          uploaded_by=self.marketing)

    @cached_property
    def outbound_message(self):
        """Queued a moment ago, not stuck in "sending": settling it is refused (409)."""
        return OutboundMessage.objects.create(store=self.store, customer=self.customer,
                                              purpose="care", body="您好",
                                              dedupe_key="hostile-1")

    @cached_property
    def visit_waiting(self):
        """A returning customer waiting for their own consultant (with someone else); a
        teammate waits in the queue to take them over."""
        DutyShiftFactory(store=self.store, consultant=self.teammate, date=self.store.today())
        return VisitFactory(store=self.store, consultant=None, waiting_for=self.consultant,
                            arrived_at=timezone.now() - dt.timedelta(minutes=10))


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


def _next_month(world: World) -> str:
    """The first of the store's next month, ISO (the scheme's `valid_from` choice)."""
    first = world.store.today().replace(day=1)
    return (first + dt.timedelta(days=32)).replace(day=1).isoformat()


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

# The survey page's questions (a delivery's and a service visit's are the same five).
SURVEY_QUESTIONS = tuple(dict.fromkeys(q for questions in QUESTIONS.values() for q in questions))

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
    # Issue 14: the import's retry and a stuck message settled by hand (the world's are
    # not retryable nor stuck: refused, 409, whatever is sent); the call from the lead.
    Entry("leads:import_retry", "marketing", obj="import_batch",
          page=_url("leads:import_detail", "import_batch"), fieldless=True),
    Entry("leads:message_mark_sent", "manager", obj="outbound_message",
          page=_static("/leads/messages/"), extra={"next": "/leads/messages/"}),
    Entry("leads:message_requeue", "marketing", obj="outbound_message",
          page=_static("/leads/messages/"), extra={"next": "/leads/messages/"}),
    Entry("leads:call", "consultant", obj="lead", page=_detail("lead"), fieldless=True),
    # --- showroom ---
    Entry("showroom:duty_state", "receptionist", obj="shift", page=_static("/showroom/desk/")),
    Entry("showroom:roster", "receptionist"),
    Entry("showroom:walk_in", "receptionist",
          extra={"description": "白衣服的夫妻", "name": "刘先生", "phone": "13600001111",
                 "consultant": lambda w: str(w.consultant.pk)}),
    # Issue 14: a returning customer found by name at the desk, whose consultant is busy.
    Entry("showroom:walk_in", "manager",
          extra={"first_visit": "return", "customer": lambda w: str(w.customer.pk),
                 "owner_busy": "wait"}),
    Entry("showroom:visit_hand_over", "receptionist", obj="visit_waiting",
          page=_static("/showroom/desk/"), fieldless=True),
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
    # The store's catalogue (issue 14): its manager adds, edits, retires.
    Entry("contracts:accessory_create", "manager",
          extra={"code": "FILM-02", "name": "隔热膜", "price": "2800.00"}),
    Entry("contracts:accessory_detail", "manager", obj="accessory",
          extra={"price": "880.00"}),
    Entry("contracts:accessory_active", "manager", obj="accessory",
          page=_url("contracts:accessory_detail", "accessory"), extra={"is_active": "0"}),
    Entry("contracts:package_create", "manager",
          extra={"name": "延保两年", "kind": "warranty", "price": "3600.00",
                 "description": "原厂延保"}),
    Entry("contracts:package_detail", "manager", obj="value_package",
          extra={"price": "100.00"}),
    Entry("contracts:package_active", "manager", obj="value_package",
          page=_url("contracts:package_detail", "value_package"), extra={"is_active": "0"}),
    # The group's trims and colours (issue 14): the administrator's.
    Entry("catalogue:trim_create", "admin",
          extra={"series": lambda w: str(w.trim.series_id), "name": "2.5 豪华版",
                 "model_year": "2026", "powertrain": "hev", "msrp": "229800.00",
                 "seats": "5"}),
    Entry("catalogue:trim_detail", "admin", obj="trim", extra={"msrp": "215800.00"}),
    Entry("catalogue:trim_active", "admin", obj="trim",
          page=_url("catalogue:trim_detail", "trim"), extra={"is_active": "0"}),
    Entry("catalogue:colour_create", "admin",
          extra={"series": lambda w: str(w.trim.series_id), "name": "星空灰",
                 "hex_code": "#3A3F44", "surcharge": "3000.00"}),
    Entry("catalogue:colour_detail", "admin", obj="colour", extra={"surcharge": "1500.00"}),
    Entry("catalogue:colour_active", "admin", obj="colour",
          page=_url("catalogue:colour_detail", "colour"), extra={"is_active": "0"}),
    # --- delivery ---
    # The confirmation step (issue 14): its own page; the button sends confirm=received.
    Entry("delivery:payment_confirm", "finance", obj="deposit",
          extra={"confirm": "received"}),
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
    # --- after-sales (issue 12) ---
    # Care: customer care closes a call or a follow-up from its desk.
    Entry("aftersales:care_step_done", "customer_care", obj="care_step_thank_you",
          page=_static("/aftersales/care/"), extra={"outcome": "已致电，客户很满意"}),
    Entry("aftersales:care_step_skipped", "customer_care", obj="care_step_pool",
          page=_static("/aftersales/care/"), extra={"outcome": "客户要求不要来电"}),
    Entry("aftersales:care_task_done", "customer_care", obj="care_task",
          page=_static("/aftersales/care/"), extra={"outcome": "已回访，导航已激活"}),
    Entry("aftersales:care_settings", "manager"),
    # The workshop: capacity, booking, check-in, completion, cancellation, no-show.
    Entry("aftersales:service_capacity", "manager"),
    Entry("aftersales:appointment_book", "customer_care",
          query=lambda w: {"customer": w.owner.pk},
          extra={"appointment_type": "maintenance", "day": lambda w: _day(2),
                 "slot": "10:30", "note": "客户希望上午"}),
    Entry("aftersales:appointment_check_in", "service_advisor", obj="appointment_today",
          page=_url("aftersales:appointment_detail", "appointment_today"),
          extra={"a{pk}-mileage": "3100"}),
    Entry("aftersales:appointment_complete", "service_advisor", obj="appointment_at_workshop",
          extra={"mileage": "3150", "item_0": "机油机滤更换", "amount_0": "480.00",
                 "note": "下次保养提醒客户"}),
    Entry("aftersales:appointment_cancel", "customer_care", obj="appointment_today",
          page=_url("aftersales:appointment_detail", "appointment_today"),
          extra={"reason": "客户临时出差"}),
    Entry("aftersales:appointment_no_show", "service_advisor", obj="appointment_today",
          page=_url("aftersales:appointment_detail", "appointment_today"), fieldless=True),
    # The customer's survey page: anonymous, through the signed link.
    Entry("survey:answer", "anonymous",
          url_kwargs=lambda w: resolve(survey_link(w.survey)).kwargs,
          extra={**dict.fromkeys(SURVEY_QUESTIONS, "9"), "comment": "交车很顺利"}),
    # Complaints: customer care takes one in and works it.
    Entry("aftersales:complaint_create", "customer_care",
          query=lambda w: {"customer": w.owner.pk},
          extra={"summary": "保养后异响", "description": "客户说保养后底盘有异响。"}),
    Entry("aftersales:complaint_respond", "customer_care", obj="complaint",
          page=_url("aftersales:complaint_detail", "complaint"),
          extra={"note": "已致电客户，约定到店检查。"}),
    Entry("aftersales:complaint_propose", "customer_care", obj="complaint",
          page=_url("aftersales:complaint_detail", "complaint"),
          extra={"proposal": "免费更换鼓风机。"}),
    Entry("aftersales:complaint_resolve", "customer_care", obj="complaint",
          page=_url("aftersales:complaint_detail", "complaint"),
          extra={"resolution": "已更换鼓风机。", "cause_analysis": "鼓风机轴承批次缺陷。",
                 "corrective_action": "同批次库存车全检。"}),
    Entry("aftersales:complaint_close", "customer_care", obj="complaint_resolved",
          page=_url("aftersales:complaint_detail", "complaint_resolved"),
          extra={"customer_feedback": "满意。", "customer_satisfied": "yes"}),
    Entry("aftersales:complaint_reopen", "customer_care", obj="complaint_resolved",
          page=_url("aftersales:complaint_detail", "complaint_resolved"),
          extra={"customer_words": "又响了。"}),
    Entry("aftersales:complaint_assign", "customer_care", obj="complaint",
          page=_url("aftersales:complaint_detail", "complaint"),
          extra={"handler": lambda w: str(w.supervisor.pk)}),
    Entry("aftersales:complaint_note", "customer_care", obj="complaint",
          page=_url("aftersales:complaint_detail", "complaint"),
          extra={"note": "客户要求周末回电。"}),
    # Referrals, points, packages.
    Entry("aftersales:referral_create", "consultant", obj="owner",
          extra={"phone": "13700004444", "name": "钱朋友", "model_interest": "凯美瑞"}),
    Entry("aftersales:loyalty_redeem", "service_advisor", obj="points_owner",
          page=_url("aftersales:loyalty_ledger", "points_owner"),
          extra={"package": lambda w: str(w.service_package.pk)}),
    Entry("aftersales:loyalty_adjust", "manager", obj="points_owner",
          page=_url("aftersales:loyalty_ledger", "points_owner"),
          extra={"points": "200", "reason": "补录积分"}),
    Entry("aftersales:package_create", "manager",
          extra={"name": "深度保养", "points": "2000", "description": "含空调清洗"}),
    Entry("aftersales:package_edit", "manager", obj="service_package"),
    # Segments and care campaigns.
    Entry("aftersales:campaign_create", "marketing",
          extra={"name": "车主节", "kind": "owners_event",
                 "template": "{name}您好，{store}邀请您参加车主节。"}),
    Entry("aftersales:campaign_edit", "marketing", obj="care_campaign"),
    Entry("aftersales:campaign_delete", "marketing", obj="care_campaign",
          page=_url("aftersales:campaign_detail", "care_campaign"), fieldless=True),
    Entry("aftersales:campaign_send", "marketing", obj="care_campaign",
          page=_url("aftersales:campaign_detail", "care_campaign"), extra={"confirm": "on"}),
    # --- reports (issue 13): what the manager sets ---
    # Targets: the grid (its cells read off the page), copying last month, the calendar.
    Entry("reports:targets", "manager",
          extra={"month": lambda w: f"{w.store.today():%Y-%m}", "t_store_deals": "30",
                 "t_store_value_added": "150000.00"}),
    Entry("reports:target_copy", "manager", page=_static("/reports/targets/"),
          extra={"month": lambda w: f"{w.store.today():%Y-%m}"}),
    Entry("reports:target_calendar", "manager",
          extra={"daily_report_at": "20:30"}),
    Entry("reports:closed_day_create", "manager", page=_static("/reports/targets/calendar/"),
          extra={"day": lambda w: _day(10), "note": "国庆节"}),
    Entry("reports:closed_day_delete", "manager", obj="closed_day",
          page=_static("/reports/targets/calendar/"), fieldless=True),
    # The meetings' notes.
    Entry("reports:meeting_note_add", "manager", url_kwargs=lambda w: {"meeting": "morning"},
          page=_static("/reports/meetings/morning/"),
          extra={"day": lambda w: _day(0), "topic": "problem", "body": "试驾车电量不足"}),
    Entry("reports:meeting_note_remove", "manager", obj="meeting_note",
          page=_static("/reports/meetings/morning/"), fieldless=True),
    # Wall-screen links: a new one's label, a revocation.
    Entry("reports:kiosk_links", "manager", extra={"label": "会议室电视"}),
    Entry("reports:kiosk_link_revoke", "manager", obj="kiosk_link",
          page=_static("/reports/wall-links/"), fieldless=True),
    # The daily report: make a day again.
    Entry("reports:daily_report_make", "manager", page=_static("/reports/daily/"),
          extra={"day": lambda w: _day(-1)}),
    # The commission scheme: a version from next month with two tiers.
    Entry("reports:commission_scheme", "manager",
          extra={"valid_from": lambda w: _next_month(w), "value_added_percent": "3.00",
                 "finance_percent": "1.00", "insurance_percent": "2.00", "note": "新方案",
                 "tiers-0-min_units": "1", "tiers-0-amount_per_unit": "300.00",
                 "tiers-1-min_units": "10", "tiers-1-amount_per_unit": "500.00"}),
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
