"""After-sales demo data: surveys. Every delivered contract of the demo store gets its
delivery survey (through survey_send, as the handover's hook does), dated at its delivery;
most are answered within three days, mostly high, some low (those open their care task
through survey_answer, as the public page does), some are left unanswered, and the oldest
unanswered one has expired."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from aftersales.enums import SurveyKind, SurveyQuestion
from aftersales.models import Survey
from aftersales.services.surveys import QUESTIONS, care_settings_for, survey_answer, survey_send
from contracts.models import Contract
from dealership.models import Store

# The customers' own words (data), in the store's language.
HIGH_COMMENTS = ("", "", "交车很顺利，顾问讲解很细致。", "整体满意，谢谢！", "车很好，服务到位。")
LOW_COMMENTS = ("等了很久才交车，没人通知进度。", "功能讲解太快，很多没听懂。",
                "交车当天车没洗干净。")
LOW_QUESTIONS = (SurveyQuestion.TIMELINESS, SurveyQuestion.EXPLANATION, SurveyQuestion.STAFF)


def _scores(rng: random.Random, kind: str, *, low: bool) -> dict[str, int]:
    scores = {question: rng.choice((8, 9, 9, 10, 10)) for question in QUESTIONS[kind]}
    if low:
        scores[rng.choice(LOW_QUESTIONS)] = rng.randint(3, 6)
    return scores


def seed(rng: random.Random, *, store: Store, scale: str) -> None:
    now = timezone.now()
    valid = dt.timedelta(days=care_settings_for(store).survey_valid_days)
    contracts = (Contract.objects.filter(store=store, delivered_at__isnull=False)
                 .select_related("customer__store", "consultant", "lead")
                 .order_by("delivered_at", "pk"))
    del scale  # the same history at every scale: it follows delivery's contracts
    unanswered: list[Survey] = []
    for index, contract in enumerate(contracts):
        survey = survey_send(kind=SurveyKind.DELIVERY, customer=contract.customer,
                             staff=contract.consultant, contract=contract,
                             now=contract.delivered_at)
        if survey.answered_at is not None:
            continue
        if survey.created_at != contract.delivered_at:
            # Sent at the delivery (the hook may have sent it already with today's clock).
            survey.created_at = contract.delivered_at
            survey.expires_at = contract.delivered_at + valid
            Survey.objects.filter(pk=survey.pk).update(created_at=survey.created_at,
                                                       expires_at=survey.expires_at)
        answered_at = contract.delivered_at + dt.timedelta(hours=rng.randint(2, 72))
        # One in four never answers; one in four answers with a low score.
        if index % 4 == 1 or answered_at >= min(now, survey.expires_at):
            unanswered.append(survey)
            continue
        low = index % 4 == 3
        survey_answer(survey=survey, scores=_scores(rng, survey.kind, low=low),
                      comment=rng.choice(LOW_COMMENTS if low else HIGH_COMMENTS),
                      now=answered_at)
    # At least one link that has run out: the oldest unanswered one.
    if unanswered and all(s.expires_at > now for s in unanswered):
        # A customer who never opened it: its link was cut short (a store may do so).
        Survey.objects.filter(pk=unanswered[0].pk).update(
            expires_at=max(unanswered[0].created_at, now - dt.timedelta(minutes=1)))
