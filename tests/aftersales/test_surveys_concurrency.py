"""Two taps at once on PostgreSQL (one connection per thread, as two web workers): a
survey is answered once and a low score opens exactly one care task; one contract gets
one survey and one message even when its hook runs twice at once."""

from __future__ import annotations

import pytest
from django.utils import timezone

from aftersales.enums import SurveyKind, SurveyQuestion
from aftersales.models import CareTask, Survey, SurveyAnswer
from aftersales.services.surveys import (
    QUESTIONS,
    SurveyAlreadyAnswered,
    survey_answer,
    survey_send,
)
from contracts.enums import ContractStatus
from leads.models import OutboundMessage
from tests.aftersales.factories_surveys import consenting_customer, delivery_survey
from tests.concurrency import race, require_postgres
from tests.contracts.factories import make_contract

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_english")]

LOW = {**{question: 10 for question in QUESTIONS[SurveyKind.DELIVERY]},
       SurveyQuestion.OVERALL: 2}


@pytest.fixture(autouse=True)
def _postgres_only():
    require_postgres()


def test_five_low_score_answers_at_once_one_wins_one_task(store, consultant, manager):
    survey = delivery_survey(consultant, consenting_customer(store, consultant),
                             manager=manager)
    now = timezone.now()

    results = race(*[
        (lambda index=index: survey_answer(
            survey=Survey.objects.get(pk=survey.pk),
            scores={**LOW, SurveyQuestion.STAFF: index + 1}, comment=f"第{index}次",
            now=now))
        for index in range(5)])

    winners = [r for r in results if isinstance(r, Survey)]
    losers = [r for r in results if isinstance(r, SurveyAlreadyAnswered)]
    assert (len(winners), len(losers)) == (1, 4)
    survey.refresh_from_db()
    assert survey.comment == winners[0].comment
    assert SurveyAnswer.objects.filter(survey=survey).count() == 5
    assert list(CareTask.objects.values_list("survey_id", flat=True)) == [survey.pk]


def test_the_same_delivery_sent_twice_at_once_one_survey_one_message(store, consultant,
                                                                     manager):
    buyer = consenting_customer(store, consultant)
    contract = make_contract(consultant, buyer, manager=manager, status=ContractStatus.SIGNED)
    now = timezone.now()

    results = race(*[
        (lambda: survey_send(kind=SurveyKind.DELIVERY, customer=buyer, staff=consultant,
                             contract=contract, now=now))
        for _ in range(4)])

    assert all(isinstance(r, Survey) for r in results), results
    assert {r.pk for r in results} == {Survey.objects.get().pk}
    assert OutboundMessage.objects.filter(purpose="survey").count() == 1
