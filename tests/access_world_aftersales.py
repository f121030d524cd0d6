"""The after-sales stage's objects of the access matrix's world (tests/test_access_matrix.py),
made through the after-sales (and delivery) services wherever one exists, so each row is
one the product could have written.

Kinds (each ownership's object belongs to the ownership's consultant, store and manager):

- per ownership: `owner` (a customer of the consultant whose car was handed over through
  delivery's services, so the `vehicle_delivered` hook started their care plan and sent
  the delivery survey; a points balance of 3,000), `owner_query` (the same, as
  `?customer=`), `prospect` (a customer of the consultant without a delivered car: only
  owners refer friends), `care_step_thank_you` (the plan's thank-you call, assigned to the
  consultant), `care_step_pool` (the plan's first-maintenance call, in customer care's
  pool), `care_task` (a follow-up assigned to the consultant), `appointment` (booked for
  tomorrow), `appointment_checked_in` (today's, the car at the workshop),
  `appointment_completed` (today's, done) and its `service_record`, `survey` (the
  delivery survey about the consultant, unanswered) and `survey_link` (its signed public
  link), `complaint` (open, owned by the sales department) and `complaint_service` (open,
  owned by the service department: what a service advisor reads);
- store-level (own and foreign only): `service_package` (offered for 1,500 points),
  `care_campaign` (a draft), `care_campaign_sent` (sent).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.test import TestCase
from django.urls import resolve
from django.utils import timezone

from aftersales.enums import (
    AppointmentType,
    CampaignKind,
    CareStepKind,
    CareTaskKind,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintDepartment,
    ComplaintSeverity,
    SurveyKind,
)
from aftersales.models import CareStep, Survey
from aftersales.selectors.service import SLOT_TIMES
from aftersales.services.campaigns import campaign_create, campaign_send
from aftersales.services.care_tasks import care_task_open
from aftersales.services.complaints import complaint_create
from aftersales.services.loyalty import package_create, points_adjust
from aftersales.services.service import (
    appointment_book,
    appointment_check_in,
    appointment_complete,
)
from aftersales.services.surveys import survey_link
from contracts.enums import ContractStatus
from dealership.demo import data
from dealership.enums import ConsentSource, Role, StockStatus
from delivery.models import Handover
from delivery.services.allocation import allocation_create
from delivery.services.handover import CHECKLIST_FIELDS, handover_complete, handover_update
from delivery.services.inventory import stock_receive
from delivery.services.pdi import pdi_items_ensure, pdi_record
from tests.contracts.factories import make_contract, pay_the_balance
from tests.factories import CustomerFactory, TrimFactory, UserFactory
from tests.leads.factories import LeadFactory

_rng = random.Random(20261212)
# The handover photo's stored name (the matrix never serves it from this world).
HANDOVER_PHOTO = "handovers/matrix/aftersales-owner.jpg"


def _vin() -> str:
    return data.vin(_rng, wmi="LFV", model_year=2025)


def deliver_owner(*, shop, seller, boss, trim):
    """A customer of `seller` and their car, handed over through delivery's services: the
    contract signed and paid, the car received and allocated, the inspection passed, the
    ceremony ticked (the photo's stored name set directly: no file is written), then
    `handover_complete`, whose after-commit hook starts the care plan and sends the
    delivery survey. Returns (customer, contract, vehicle)."""
    customer = CustomerFactory(store=shop, owner=seller, marketing_consent=True,
                               consent_at=timezone.now(),
                               consent_source=ConsentSource.SHOWROOM_FORM)
    lead = LeadFactory(store=shop, owner=seller, customer=customer)
    contract = make_contract(seller, customer, manager=boss, status=ContractStatus.SIGNED,
                             trim=trim, lead=lead)
    pay_the_balance(contract)
    vehicle, received = stock_receive(
        actor=boss, store=shop, vin=_vin(), trim=trim, colour=None,
        cost=Decimal("180000.00"), list_price=Decimal("209800.00"),
        status=StockStatus.IN_STOCK, arrival_date=shop.today() - dt.timedelta(days=10),
        location="B区-02")
    assert received
    allocation_create(actor=boss, contract=contract, vehicle=vehicle)
    pdi_record(actor=seller, contract=contract,
               results=[(item, True, "") for item in pdi_items_ensure(store=shop)
                        if item.active])
    handover_update(actor=seller, contract=contract,
                    **dict.fromkeys(CHECKLIST_FIELDS, True))
    Handover.objects.filter(contract=contract).update(photo=HANDOVER_PHOTO)
    with TestCase.captureOnCommitCallbacks(execute=True):
        handover_complete(actor=seller, contract=contract)
    vehicle.refresh_from_db()
    assert vehicle.status == StockStatus.DELIVERED
    return customer, contract, vehicle


def build(put, owners: dict, *, store_level: tuple[str, ...]) -> None:
    """Add the after-sales kinds to the world through `put(kind, ownership, instance,
    kwargs=None, query="")`. `owners` maps each ownership to (store, consultant, manager);
    `store_level` names the ownerships store-level kinds are made for."""
    trim = TrimFactory()
    advisors: dict[int, object] = {}
    now = timezone.now()
    for ownership, (shop, seller, boss) in owners.items():
        # The store's service advisor, who books, checks in and completes the visits (not
        # one of the matrix's principals: the world's objects are the store's anyway).
        if shop.pk not in advisors:
            advisors[shop.pk] = UserFactory(username=f"mx-as-advisor-{shop.code}",
                                            role=Role.SERVICE_ADVISOR, store=shop)
        advisor = advisors[shop.pk]
        customer, contract, vehicle = deliver_owner(shop=shop, seller=seller, boss=boss, trim=trim)
        put("owner", ownership, customer)
        put("owner_query", ownership, customer, {}, f"?customer={customer.pk}")
        put("prospect", ownership, CustomerFactory(store=shop, owner=seller))

        # The care plan the hook started: the consultant's call and the pool's call.
        steps = {step.kind: step for step in CareStep.objects.filter(plan__contract=contract)}
        assert steps[CareStepKind.THANK_YOU_CALL].assignee_id == seller.pk
        assert steps[CareStepKind.FIRST_MAINTENANCE].assignee_id is None
        put("care_step_thank_you", ownership, steps[CareStepKind.THANK_YOU_CALL])
        put("care_step_pool", ownership, steps[CareStepKind.FIRST_MAINTENANCE])
        put("care_task", ownership, care_task_open(
            customer=customer, kind=CareTaskKind.OTHER, title="回访：确认导航已激活",
            due_on=shop.today(), actor=boss, assignee=seller))

        # The workshop: a visit done today (its record written, the service survey sent
        # after the commit), one at the workshop now, one booked for tomorrow.
        today = shop.today()

        def book(day, appointment_type, slot, customer=customer, vehicle=vehicle,
                 advisor=advisor):
            return appointment_book(actor=advisor, customer=customer, vehicle=vehicle,
                                    appointment_type=appointment_type, day=day,
                                    slot=SLOT_TIMES[slot], note="客户自带机油")

        done = book(today, AppointmentType.FIRST_MAINTENANCE, 0)
        done = appointment_check_in(actor=advisor, appointment=done, mileage=3100)
        with TestCase.captureOnCommitCallbacks(execute=True):
            record = appointment_complete(
                actor=advisor, appointment=done, mileage=3120,
                items=[("首保：机油机滤更换", Decimal("0.00")),
                       ("空调滤芯", Decimal("128.00"))])
        done.refresh_from_db()
        put("appointment_completed", ownership, done)
        put("service_record", ownership, record)
        at_workshop = book(today, AppointmentType.REPAIR, 2)
        put("appointment_checked_in", ownership,
            appointment_check_in(actor=advisor, appointment=at_workshop, mileage=3150))
        put("appointment", ownership,
            book(today + dt.timedelta(days=1), AppointmentType.MAINTENANCE, 1))

        # The delivery survey the hook sent, about the consultant, and its public link.
        survey = Survey.objects.get(contract=contract, kind=SurveyKind.DELIVERY)
        assert survey.staff_id == seller.pk and survey.answered_at is None
        put("survey", ownership, survey)
        put("survey_link", ownership, survey, resolve(survey_link(survey)).kwargs)

        # Complaints, recorded by the store's manager an hour after they came in.
        def complaint(department, summary, boss=boss, customer=customer,
                      contract=contract):
            return complaint_create(
                actor=boss, customer=customer, channel=ComplaintChannel.PHONE,
                category=ComplaintCategory.AFTER_SALES, severity=ComplaintSeverity.MEDIUM,
                department=department, summary=summary,
                description="客户来电反映问题，要求尽快处理。",
                received_at=now - dt.timedelta(hours=1), contract=contract)

        put("complaint", ownership, complaint(ComplaintDepartment.SALES, "交车时承诺的脚垫未给"))
        put("complaint_service", ownership,
            complaint(ComplaintDepartment.SERVICE, "首保后空调异响"))

        # Points: a balance the desk may redeem.
        points_adjust(actor=boss, customer=customer, points=3000, reason="车主活动赠送积分")

        if ownership not in store_level:
            continue
        put("service_package", ownership, package_create(
            actor=boss, store=shop, name="基础保养套餐", points=1500,
            description="机油机滤更换一次"))
        put("care_campaign", ownership, campaign_create(
            actor=boss, store=shop, name="免费检测周", kind=CampaignKind.FREE_INSPECTION,
            template="{name}您好，{store}本周为车主提供免费检测。",
            segment={"value": [], "need": [], "loyalty": []}))
        sent = campaign_create(
            actor=boss, store=shop, name="中秋问候", kind=CampaignKind.HOLIDAY_GREETING,
            template="{name}您好，{store}祝您中秋快乐！",
            segment={"value": [], "need": [], "loyalty": []})
        put("care_campaign_sent", ownership, campaign_send(actor=boss, campaign=sent, now=now))
