"""Builders of the chart reports' tests: rows of the lower stages placed at chosen store
times (the reports only read them). Contracts and quotes go through the real services and
are then moved to the moment the test needs."""

from __future__ import annotations

import datetime as dt
import itertools

from aftersales.enums import AppointmentType, SurveyKind, SurveyQuestion
from aftersales.models import ServiceRecord, Survey, SurveyAnswer
from contracts.enums import ContractStatus
from contracts.models import Contract, Quote
from leads.models import Lead
from tests.contracts.factories import make_contract, make_quote
from tests.factories import CustomerFactory

_tokens = itertools.count(1)


def local(store, day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An aware instant at the store's wall-clock time."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=store.tzinfo)


def quote_at(lead: Lead, moment: dt.datetime, *, named: bool = True) -> Quote:
    """A quote for the lead's customer made at `moment` (naming the lead, or not)."""
    quote = make_quote(lead.owner, lead.customer, lead=lead if named else None)
    Quote.objects.filter(pk=quote.pk).update(created_at=moment)
    return quote


def contract_at(consultant, customer, manager, *, signed_at: dt.datetime,
                delivered_at: dt.datetime | None = None, lead: Lead | None = None,
                quoted_at: dt.datetime | None = None) -> Contract:
    """A contract signed through the real transitions, then placed at `signed_at` (and
    `delivered_at`); its quote at `quoted_at` (default: the signing)."""
    contract = make_contract(consultant, customer, manager=manager,
                             status=ContractStatus.SIGNED)
    Contract.objects.filter(pk=contract.pk).update(
        lead=lead, signed_at=signed_at, delivered_at=delivered_at,
        status=ContractStatus.DELIVERED if delivered_at else ContractStatus.SIGNED)
    Quote.objects.filter(pk=contract.quote_id).update(lead=lead,
                                                       created_at=quoted_at or signed_at)
    contract.refresh_from_db()
    return contract


def answered_survey(staff, *, answered_at: dt.datetime, scores: dict[str, int],
                    customer=None, store=None) -> Survey:
    """A service survey about `staff`, answered at `answered_at` with `scores` (question →
    score). The answers are the customer's (the outside world): written as stored."""
    store = store or staff.store
    customer = customer or CustomerFactory(store=store)
    record = ServiceRecord.objects.create(
        store=store, customer=customer, advisor=staff,
        appointment_type=AppointmentType.MAINTENANCE,
        serviced_on=answered_at.astimezone(store.tzinfo).date(), mileage=5200)
    survey = Survey.objects.create(
        store=store, customer=customer, kind=SurveyKind.SERVICE, service_record=record,
        staff=staff, token=f"charts-{next(_tokens)}", created_at=answered_at,
        expires_at=answered_at + dt.timedelta(days=7), answered_at=answered_at,
        lowest_score=min(scores.values()))
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(store=store, survey=survey, question=SurveyQuestion(question),
                     score=score)
        for question, score in scores.items())
    return survey


def delivery_survey_answered(consultant, manager, *, answered_at: dt.datetime,
                             scores: dict[str, int]) -> Survey:
    """A delivery survey about `consultant`'s contract, answered at `answered_at`."""
    customer = CustomerFactory(store=consultant.store, owner=consultant)
    contract = make_contract(consultant, customer, manager=manager,
                             status=ContractStatus.SIGNED)
    survey = Survey.objects.create(
        store=consultant.store, customer=customer, kind=SurveyKind.DELIVERY,
        contract=contract, staff=consultant, token=f"charts-{next(_tokens)}",
        created_at=answered_at, expires_at=answered_at + dt.timedelta(days=7),
        answered_at=answered_at, lowest_score=min(scores.values()))
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(store=consultant.store, survey=survey,
                     question=SurveyQuestion(question), score=score)
        for question, score in scores.items())
    return survey
