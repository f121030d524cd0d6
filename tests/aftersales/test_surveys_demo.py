"""The surveys demo (aftersales.demo.surveys.seed): a delivery survey for every delivered
contract dated at its delivery, answered high and low (the low ones with their care task),
some unanswered, one expired; a second seeding changes nothing."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from aftersales.demo.surveys import seed
from aftersales.enums import LOW_SCORE_MAX, CareTaskKind
from aftersales.models import CareTask, Survey, SurveyAnswer
from contracts.enums import ContractStatus
from contracts.models import Contract
from tests.aftersales.factories_surveys import consenting_customer
from tests.contracts.factories import make_contract

pytestmark = pytest.mark.django_db

DAYS_AGO = (40, 31, 20, 12, 8, 5, 3, 1)


@pytest.fixture
def delivered_history(store, consultant, manager):
    contracts = []
    for days in DAYS_AGO:
        contract = make_contract(consultant, consenting_customer(store, consultant),
                                 manager=manager, status=ContractStatus.DELIVERED)
        Contract.objects.filter(pk=contract.pk).update(
            delivered_at=timezone.now() - dt.timedelta(days=days))
        contracts.append(contract)
    return contracts


def test_demo_surveys_every_delivered_contract_in_every_state(store, delivered_history):
    seed(random.Random(7), store=store, scale="small")

    surveys = list(Survey.objects.select_related("contract"))
    assert {s.contract_id for s in surveys} == {c.pk for c in delivered_history}
    assert all(s.created_at == s.contract.delivered_at for s in surveys)
    answered = [s for s in surveys if s.answered_at]
    low = [s for s in answered if s.lowest_score <= LOW_SCORE_MAX]
    now = timezone.now()
    assert len(answered) >= 4
    assert 1 <= len(low) < len(answered)
    assert any(s.answered_at is None and s.expires_at <= now for s in surveys)
    assert any(s.answered_at is None and s.expires_at > now for s in surveys)
    assert set(CareTask.objects.values_list("survey_id", "kind")) == {
        (s.pk, CareTaskKind.LOW_SCORE) for s in low}
    assert all(s.answered_at < now for s in answered)


def test_demo_seeded_twice_changes_nothing(store, delivered_history):
    seed(random.Random(7), store=store, scale="small")
    before = list(Survey.objects.order_by("pk").values())
    answers = SurveyAnswer.objects.count()

    seed(random.Random(8), store=store, scale="small")

    assert list(Survey.objects.order_by("pk").values()) == before
    assert SurveyAnswer.objects.count() == answers
