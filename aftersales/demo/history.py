"""The large group's five years of after-sales (seed_demo --scale large): for each
delivered contract of the history a care plan with its three steps (done, or scheduled
when still ahead), a delivery survey (most answered), and for a few a complaint, closed
unless it is recent. Written in bulk (dealership.demo.bulk)."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from aftersales.enums import (
    CareChannel,
    CareStepKind,
    CareStepStatus,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintDepartment,
    ComplaintSeverity,
    ComplaintStatus,
    SurveyKind,
)
from aftersales.models import CarePlan, CareStep, Complaint, Survey, SurveyAnswer
from aftersales.services.surveys import QUESTIONS
from contracts.enums import ContractStatus
from contracts.models import Contract
from dealership.enums import Role
from dealership.models import Store, User

STEPS = [(CareStepKind.THANK_YOU_CALL, CareChannel.CALL, 1, "客户对交车很满意"),
         (CareStepKind.USAGE_TIPS, CareChannel.MESSAGE, 7, ""),
         (CareStepKind.FIRST_MAINTENANCE, CareChannel.MESSAGE, 30, "")]
COMPLAINTS = [
    (ComplaintCategory.PRODUCT_QUALITY, ComplaintDepartment.SERVICE, "车机偶发黑屏",
     "客户反映车机在启动后偶尔黑屏，需要重启车辆才能恢复。"),
    (ComplaintCategory.SALES_SERVICE, ComplaintDepartment.SALES, "交车时间延误",
     "合同约定的交车日期推迟了一周，客户对沟通不及时不满。"),
    (ComplaintCategory.PRICE, ComplaintDepartment.FINANCE, "精品价格与报价不符",
     "客户认为结算时精品价格比报价单上的高。"),
    (ComplaintCategory.AFTER_SALES, ComplaintDepartment.SERVICE, "首保等待时间过长",
     "首保预约后到店仍等待了两个多小时。"),
]


def seed_history(rng: random.Random, *, store: Store) -> None:
    from dealership.demo import bulk

    tz, now = store.tzinfo, timezone.now()
    today = timezone.localdate(now, tz)
    carer = (User.objects.filter(store=store, role=Role.CUSTOMER_CARE)
             .order_by("pk").values_list("pk", flat=True).first())
    if carer is None:
        return
    numbers = {}
    for number in Complaint.objects.filter(store=store).values_list("number", flat=True):
        prefix, _sep, tail = number.rpartition("-")
        if tail.isdigit():
            numbers[prefix] = max(numbers.get(prefix, 0), int(tail))
    plans, steps = bulk.TableWriter(CarePlan), bulk.TableWriter(CareStep)
    surveys, answers = bulk.TableWriter(Survey), bulk.TableWriter(SurveyAnswer)
    complaints = bulk.TableWriter(Complaint)
    questions = QUESTIONS[SurveyKind.DELIVERY]
    contracts = Contract.objects.filter(
        store=store, status__in=[ContractStatus.DELIVERED, ContractStatus.CLOSED],
        care_plan__isnull=True)
    for pk, customer, consultant, delivered in bulk.stream(
            contracts, "pk", "customer_id", "consultant_id", "delivered_at"):
        delivered_on = delivered.astimezone(tz).date()
        plan = plans.add(store_id=store.pk, contract_id=pk, customer_id=customer,
                         consultant_id=consultant, delivered_at=delivered,
                         delivered_on=delivered_on, created_at=delivered)
        for kind, channel, days, outcome in STEPS:
            due = delivered_on + dt.timedelta(days=days)
            done = due < today
            done_at = dt.datetime.combine(due, dt.time(rng.randrange(10, 17)), tzinfo=tz)
            steps.add(store_id=store.pk, plan_id=plan, customer_id=customer, kind=kind,
                      channel=channel, due_on=due, assignee_id=carer,
                      status=CareStepStatus.DONE if done else (
                          CareStepStatus.DUE if due == today else CareStepStatus.SCHEDULED),
                      outcome=outcome if done else "", done_at=done_at if done else None,
                      done_by_id=carer if done else None, created_at=delivered)
        sent = delivered + dt.timedelta(days=1)
        if sent < now:
            answered = sent + dt.timedelta(hours=rng.uniform(1, 72))
            answered = answered if answered < now and rng.random() < 0.65 else None
            scores = [rng.choice((7, 8, 9, 9, 10, 10, 10)) for _ in questions]
            if answered and rng.random() < 0.05:
                scores[0] = rng.randrange(2, 6)
            survey = surveys.add(
                store_id=store.pk, customer_id=customer, kind=SurveyKind.DELIVERY,
                contract_id=pk, staff_id=consultant, token=f"{rng.getrandbits(192):048x}",
                created_at=sent, expires_at=sent + dt.timedelta(days=14),
                answered_at=answered, lowest_score=min(scores) if answered else None)
            if answered:
                for question, score in zip(questions, scores, strict=True):
                    answers.add(store_id=store.pk, survey_id=survey, question=question,
                                score=score)
        if rng.random() < 0.03:
            received = delivered + dt.timedelta(days=rng.randrange(2, 120))
            if received >= now:
                continue
            category, department, summary, description = rng.choice(COMPLAINTS)
            prefix = f"{store.code}-TS{received.astimezone(tz).year}"
            numbers[prefix] = numbers.get(prefix, 0) + 1
            old = received < now - dt.timedelta(days=20)
            complaints.add(
                store_id=store.pk, number=f"{prefix}-{numbers[prefix]:04d}",
                customer_id=customer, contract_id=pk, channel=rng.choice(
                    [ComplaintChannel.PHONE, ComplaintChannel.WECHAT,
                     ComplaintChannel.WALK_IN]),
                category=category, severity=rng.choice(
                    [ComplaintSeverity.LOW, ComplaintSeverity.MEDIUM,
                     ComplaintSeverity.MEDIUM, ComplaintSeverity.HIGH]),
                department=department, summary=summary, description=description,
                status=ComplaintStatus.CLOSED if old else ComplaintStatus.RESPONDED,
                handler_id=carer, received_at=received, clock_started_at=received,
                response_due_at=received + dt.timedelta(hours=24),
                proposal_due_at=received + dt.timedelta(days=3),
                resolution_due_at=received + dt.timedelta(days=7),
                responded_at=received + dt.timedelta(hours=rng.randrange(1, 20)),
                proposed_at=received + dt.timedelta(days=2) if old else None,
                resolved_at=received + dt.timedelta(days=5) if old else None,
                closed_at=received + dt.timedelta(days=6) if old else None,
                response_note="已致电客户致歉并了解情况",
                proposal="安排技术人员检查并给予保养券补偿" if old else "",
                resolution="问题已处理，客户认可" if old else "",
                customer_feedback="满意" if old else "", customer_satisfied=True if old else None,
                created_by_id=carer, updated_at=received + dt.timedelta(days=6 if old else 0))
    for writer in (plans, steps, surveys, answers, complaints):
        writer.close()
