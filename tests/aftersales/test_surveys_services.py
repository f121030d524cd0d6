"""Surveys' services: sending one (idempotent per visit, consent-aware message with the
signed link), the delivery hook, and recording the answers (single-use, expiring, a low
score followed up by exactly one care task)."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone

from aftersales.enums import CareTaskKind, LeadEventKind, SurveyKind, SurveyQuestion
from aftersales.models import CareSettings, CareTask, Survey, SurveyAnswer
from aftersales.services.surveys import (
    QUESTIONS,
    SurveyAlreadyAnswered,
    SurveyExpired,
    survey_answer,
    survey_link,
    survey_send,
    survey_token_from_signed,
)
from contracts.enums import ContractStatus
from contracts.models import Contract
from dealership.enums import AuditAction, Role
from dealership.models import AuditEntry
from leads.models import LeadEvent, OutboundMessage
from tests.aftersales.builders import delivered
from tests.aftersales.factories_surveys import (
    consenting_customer,
    delivery_survey,
    service_record,
    service_survey,
)
from tests.contracts.factories import make_contract
from tests.leads.factories import LeadFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

NOW = dt.datetime(2026, 5, 4, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
# 23:30 on 31 March in UTC is already 07:30 on 1 April in Shanghai.
LATE_UTC = dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC)
ALL_TENS = {question: 10 for question in QUESTIONS[SurveyKind.DELIVERY]}


def _audits(survey, action):
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(Survey),
                                     object_id=str(survey.pk), action=action)


@pytest.fixture
def advisor(make_user):
    return make_user(Role.SERVICE_ADVISOR, name="孙顾问")


@pytest.fixture
def buyer(store, consultant):
    return consenting_customer(store, consultant, name="李买家")


# --- survey_send --------------------------------------------------------------------------
def test_send_creates_the_survey_with_a_random_token_and_the_store_validity(
        consultant, manager, buyer, store):
    CareSettings.objects.create(store=store, survey_valid_days=10)

    survey = delivery_survey(consultant, buyer, manager=manager, now=NOW)

    assert survey.kind == SurveyKind.DELIVERY
    assert survey.store_id == store.pk and survey.customer_id == buyer.pk
    assert survey.staff_id == consultant.pk
    assert len(survey.token) == 43  # 32 random bytes, base64url without padding
    assert survey.created_at == NOW
    assert survey.expires_at == dt.datetime(2026, 5, 14, 2, 0, tzinfo=dt.UTC)
    assert _audits(survey, AuditAction.CREATE).count() == 1


def test_send_creates_the_store_settings_with_the_default_validity(consultant, manager,
                                                                   buyer, store):
    survey = delivery_survey(consultant, buyer, manager=manager, now=NOW)

    assert CareSettings.objects.get(store=store).survey_valid_days == 14
    assert survey.expires_at == NOW + dt.timedelta(days=14)


def test_send_queues_the_message_with_the_signed_link(consultant, manager, buyer, store):
    survey = delivery_survey(consultant, buyer, manager=manager, now=NOW)

    message = OutboundMessage.objects.get()
    assert survey.message_id == message.pk
    assert message.customer_id == buyer.pk
    assert message.dedupe_key == f"survey:{survey.pk}"
    assert message.purpose == "survey"
    link = survey_link(survey)
    assert link in message.body
    assert store.name in message.body
    assert link.startswith("/s/") and link.endswith("/")
    assert survey_token_from_signed(link[3:-1]) == survey.token


def test_the_message_carries_the_public_origin_when_configured(consultant, manager, buyer,
                                                             settings):
    settings.PUBLIC_BASE_URL = "https://dealer.example.cn/"

    survey = delivery_survey(consultant, buyer, manager=manager, now=NOW)

    assert f"https://dealer.example.cn{survey_link(survey)}" in OutboundMessage.objects.get().body


def test_send_without_consent_keeps_the_survey_and_sends_nothing(consultant, manager,
                                                                 customer):
    survey = delivery_survey(consultant, customer, manager=manager, now=NOW)

    assert Survey.objects.get().pk == survey.pk
    assert survey.message_id is None
    assert OutboundMessage.objects.count() == 0


def test_send_twice_for_one_contract_returns_the_first(consultant, manager, buyer):
    first = delivery_survey(consultant, buyer, manager=manager, now=NOW)

    again = survey_send(kind=SurveyKind.DELIVERY, customer=buyer, staff=consultant,
                        contract=first.contract, now=NOW + dt.timedelta(hours=1))

    assert again.pk == first.pk
    assert Survey.objects.count() == 1
    assert OutboundMessage.objects.count() == 1


def test_send_twice_for_one_service_record_returns_the_first(advisor, buyer):
    record = service_record(advisor, buyer)
    first = survey_send(kind=SurveyKind.SERVICE, customer=buyer, staff=advisor,
                        service_record=record, now=NOW)

    again = survey_send(kind=SurveyKind.SERVICE, customer=buyer, staff=advisor,
                        service_record=record, now=NOW)

    assert again.pk == first.pk
    assert Survey.objects.get().service_record_id == record.pk


def test_send_refuses_a_survey_without_its_visit(consultant, buyer):
    with pytest.raises(ValueError):
        survey_send(kind=SurveyKind.DELIVERY, customer=buyer, staff=consultant, now=NOW)
    with pytest.raises(ValueError):
        survey_send(kind=SurveyKind.SERVICE, customer=buyer, staff=consultant, now=NOW)
    with pytest.raises(ValueError):
        survey_send(kind="other", customer=buyer, staff=consultant, now=NOW)
    assert Survey.objects.count() == 0


def test_the_handover_sends_the_delivery_survey_about_the_consultant(consultant, manager,
                                                                     buyer):
    contract, _vehicle = delivered(consultant, manager, customer=buyer)

    survey = Survey.objects.get()
    assert survey.kind == SurveyKind.DELIVERY
    assert survey.contract_id == contract.pk
    assert survey.staff_id == consultant.pk
    assert OutboundMessage.objects.filter(dedupe_key=f"survey:{survey.pk}").count() == 1


# --- The link -------------------------------------------------------------------------------
def test_link_tampered_truncated_or_foreign_salt_is_refused(consultant, manager, buyer):
    survey = delivery_survey(consultant, buyer, manager=manager, now=NOW)
    signed = survey_link(survey)[3:-1]
    tampered = signed[:5] + ("A" if signed[5] != "A" else "B") + signed[6:]
    foreign = signing.Signer(salt="another.salt").sign(survey.token)

    for bad in (tampered, signed[:-1], signed.split(":")[0], foreign, survey.token):
        with pytest.raises(signing.BadSignature):
            survey_token_from_signed(bad)


# --- survey_answer ------------------------------------------------------------------------
def test_answer_records_scores_lowest_score_and_time(consultant, manager, buyer):
    survey = delivery_survey(consultant, buyer, manager=manager, now=NOW)
    scores = {**ALL_TENS, SurveyQuestion.TIMELINESS: 8, SurveyQuestion.STAFF: 9}
    answered_at = NOW + dt.timedelta(days=1)

    survey_answer(survey=survey, scores=scores, comment="  很满意  ", now=answered_at)

    survey.refresh_from_db()
    assert survey.answered_at == answered_at
    assert survey.lowest_score == 8
    assert survey.comment == "很满意"
    assert dict(SurveyAnswer.objects.filter(survey=survey)
                .values_list("question", "score")) == scores
    assert set(SurveyAnswer.objects.values_list("store", flat=True)) == {survey.store_id}
    assert CareTask.objects.count() == 0
    audit = _audits(survey, AuditAction.UPDATE).get()
    assert audit.changes["lowest_score"] == [None, 8]


def test_answer_adds_a_survey_event_to_the_contract_lead(consultant, manager, buyer):
    survey = delivery_survey(consultant, buyer, manager=manager, now=NOW)
    lead = LeadFactory(store=buyer.store, customer=buyer, owner=consultant)
    Contract.objects.filter(pk=survey.contract_id).update(lead=lead)

    survey_answer(survey=survey, scores=ALL_TENS, comment="", now=NOW)

    event = LeadEvent.objects.get(lead=lead, kind=LeadEventKind.SURVEY)
    assert event.data == {"survey": survey.pk, "lowest_score": 10}


def test_a_low_score_opens_one_care_task_due_on_the_store_day(consultant, manager, buyer,
                                                             settings):
    settings.LANGUAGE_CODE = "en"  # the task's title is stored in the site's language
    survey = delivery_survey(consultant, buyer, manager=manager, now=LATE_UTC)
    scores = {**ALL_TENS, SurveyQuestion.EXPLANATION: 6}

    survey_answer(survey=survey, scores=scores, comment="没讲清楚", now=LATE_UTC)

    task = CareTask.objects.get()
    assert task.survey_id == survey.pk
    assert task.kind == CareTaskKind.LOW_SCORE
    assert task.customer_id == buyer.pk
    assert task.due_on == dt.date(2026, 4, 1)  # Shanghai's day, not UTC's 31 March
    assert "6 of 10" in task.title


def test_a_score_of_seven_opens_no_task(consultant, manager, buyer):
    survey = delivery_survey(consultant, buyer, manager=manager, now=NOW)

    survey_answer(survey=survey, scores={**ALL_TENS, SurveyQuestion.OVERALL: 7}, comment="",
                  now=NOW)

    assert CareTask.objects.count() == 0


def test_answering_twice_is_refused_and_changes_nothing(consultant, manager, buyer):
    survey = delivery_survey(consultant, buyer, manager=manager, now=NOW)
    survey_answer(survey=survey, scores={**ALL_TENS, SurveyQuestion.OVERALL: 2},
                  comment="差", now=NOW)
    stale = Survey.objects.get(pk=survey.pk)
    stale.answered_at = None  # a second tap loaded before the first was saved

    with pytest.raises(SurveyAlreadyAnswered):
        survey_answer(survey=stale, scores=ALL_TENS, comment="好", now=NOW)

    survey.refresh_from_db()
    assert (survey.lowest_score, survey.comment) == (2, "差")
    assert SurveyAnswer.objects.filter(survey=survey, score=10).count() == 4
    assert CareTask.objects.count() == 1


def test_an_expired_survey_is_refused_and_changes_nothing(consultant, manager, buyer):
    survey = delivery_survey(consultant, buyer, manager=manager, now=NOW)

    with pytest.raises(SurveyExpired):
        survey_answer(survey=survey, scores=ALL_TENS, comment="",
                      now=NOW + dt.timedelta(days=14))

    survey.refresh_from_db()
    assert survey.answered_at is None
    assert SurveyAnswer.objects.count() == 0


def test_the_last_moment_before_expiry_is_accepted(consultant, manager, buyer):
    survey = delivery_survey(consultant, buyer, manager=manager, now=NOW)

    survey_answer(survey=survey, scores=ALL_TENS, comment="",
                  now=NOW + dt.timedelta(days=14) - dt.timedelta(seconds=1))

    assert Survey.objects.get().answered_at is not None


def test_a_missing_question_is_refused_naming_it(consultant, manager, buyer):
    survey = delivery_survey(consultant, buyer, manager=manager, now=NOW)
    scores = dict(ALL_TENS)
    del scores[SurveyQuestion.RECOMMEND]

    with pytest.raises(ValidationError) as refused:
        survey_answer(survey=survey, scores=scores, comment="", now=NOW)

    assert list(refused.value.message_dict) == ["recommend"]
    assert Survey.objects.get().answered_at is None
    assert SurveyAnswer.objects.count() == 0


@pytest.mark.parametrize("score", [0, 11, "x"])
def test_a_score_outside_one_to_ten_is_refused_naming_it(consultant, manager, buyer, score):
    survey = delivery_survey(consultant, buyer, manager=manager, now=NOW)

    with pytest.raises(ValidationError) as refused:
        survey_answer(survey=survey, scores={**ALL_TENS, SurveyQuestion.OVERALL: score},
                      comment="", now=NOW)

    assert refused.value.message_dict == {"overall": ["Please choose a score from 1 to 10."]}
    assert SurveyAnswer.objects.count() == 0


def test_a_comment_over_2000_characters_is_refused(consultant, manager, buyer):
    survey = delivery_survey(consultant, buyer, manager=manager, now=NOW)

    with pytest.raises(ValidationError) as refused:
        survey_answer(survey=survey, scores=ALL_TENS, comment="长" * 2001, now=NOW)

    assert list(refused.value.message_dict) == ["comment"]
    assert Survey.objects.get().answered_at is None


def test_a_service_survey_is_about_the_advisor(advisor, buyer):
    survey = service_survey(advisor, buyer, now=NOW)

    survey_answer(survey=survey, scores={**ALL_TENS, SurveyQuestion.TIMELINESS: 3},
                  comment="等太久", now=NOW)

    assert survey.staff_id == advisor.pk
    assert CareTask.objects.get().survey_id == survey.pk


def test_the_hook_uses_the_clock(consultant, manager, buyer):
    with mock.patch.object(timezone, "now", return_value=NOW):
        contract = make_contract(consultant, buyer, manager=manager,
                                 status=ContractStatus.SIGNED)
        from aftersales.services.surveys import on_vehicle_delivered

        on_vehicle_delivered(None, contract_id=contract.pk, customer_id=buyer.pk,
                             consultant_id=consultant.pk, delivered_at=NOW)

    assert Survey.objects.get().created_at == NOW
