"""The customer's survey page at /s/<signed>/: no login, nothing internal shown, private
headers, answers once, expires, refuses a changed link."""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from aftersales.enums import SurveyKind, SurveyQuestion
from aftersales.models import CareTask, Survey, SurveyAnswer
from aftersales.services.surveys import QUESTIONS, survey_answer, survey_link
from dealership.enums import Role
from tests.aftersales.factories_surveys import (
    consenting_customer,
    delivery_survey,
    service_survey,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

NOW = dt.datetime(2026, 5, 4, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
ALL_TENS = {question: 10 for question in QUESTIONS[SurveyKind.DELIVERY]}


def _post_data(scores: dict, comment: str = "") -> dict:
    return {**{str(question): str(score) for question, score in scores.items()},
            "comment": comment}


@pytest.fixture
def client():
    """The customer's phone, asking for English (the page follows the browser's language)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def buyer(store, consultant):
    return consenting_customer(store, consultant, name="李买家", phone="+8613912345678")


@pytest.fixture
def survey(consultant, manager, buyer):
    return delivery_survey(consultant, buyer, manager=manager, now=timezone.now())


def _assert_private(response) -> None:
    assert response["Cache-Control"] == "no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_page_shows_the_store_and_the_visit_and_nothing_internal(
        client, survey, buyer, consultant, store):
    response = client.get(survey_link(survey))

    assert response.status_code == 200
    page = response.content.decode()
    assert store.name in page
    day = timezone.localdate(survey.contract.delivered_at or survey.created_at,
                             store.tzinfo).isoformat()
    assert f"Your new car's delivery on {day}" in page
    for secret in (buyer.name, buyer.phone, buyer.phone[3:], buyer.phone_masked,
                   consultant.name, survey.contract.number,
                   survey.token, "/aftersales/"):
        assert secret not in page
    assert 'class="topbar"' not in page  # not the staff layout
    assert page.count('type="radio"') == 10 * len(QUESTIONS[SurveyKind.DELIVERY])
    assert 'name="viewport"' in page
    _assert_private(response)


def test_a_service_survey_names_the_service_day(client, make_user, buyer, store):
    advisor = make_user(Role.SERVICE_ADVISOR, name="孙顾问")
    survey = service_survey(advisor, buyer, serviced_on=dt.date(2026, 5, 2))

    response = client.get(survey_link(survey))

    assert "Your service visit on 2026-05-02" in response.content.decode()
    assert advisor.name not in response.content.decode()


def test_posting_all_answers_records_them_and_thanks(client, survey):
    scores = {**ALL_TENS, SurveyQuestion.STAFF: 9}

    response = client.post(survey_link(survey), _post_data(scores, "车很好"))

    assert response.status_code == 200
    assert "Thank you!" in response.content.decode()
    survey.refresh_from_db()
    assert survey.answered_at is not None
    assert survey.lowest_score == 9
    assert survey.comment == "车很好"
    assert dict(survey.answers.values_list("question", "score")) == scores
    _assert_private(response)


def test_a_missing_answer_is_400_with_the_answers_kept(client, survey):
    scores = {**ALL_TENS, SurveyQuestion.STAFF: 7}
    del scores[SurveyQuestion.RECOMMEND]

    response = client.post(survey_link(survey), _post_data(scores, "留言保留"))

    assert response.status_code == 400
    page = response.content.decode()
    assert "Please give a score to every question." in page
    assert re.search(r'<input type="radio" name="staff" value="7"[^>]* checked>', page)
    assert len(re.findall(r"<input [^>]* checked>", page)) == 4  # the four answered
    assert "留言保留" in page
    survey.refresh_from_db()
    assert survey.answered_at is None
    assert SurveyAnswer.objects.count() == 0


def test_a_score_out_of_range_is_400(client, survey):
    response = client.post(survey_link(survey),
                           _post_data({**ALL_TENS, SurveyQuestion.OVERALL: 11}))

    assert response.status_code == 400
    assert Survey.objects.get().answered_at is None


def test_a_low_score_posted_twice_opens_one_task_and_the_second_is_410(client, survey):
    data = _post_data({**ALL_TENS, SurveyQuestion.OVERALL: 3}, "不满意")

    first = client.post(survey_link(survey), data)
    second = client.post(survey_link(survey), _post_data(ALL_TENS, "改主意了"))

    assert first.status_code == 200
    assert second.status_code == 410
    assert "Already answered, thank you" in second.content.decode()
    survey.refresh_from_db()
    assert (survey.lowest_score, survey.comment) == (3, "不满意")
    assert CareTask.objects.filter(survey=survey).count() == 1
    _assert_private(second)


def test_an_answered_survey_shows_thanks_with_410(client, survey):
    survey_answer(survey=survey, scores=ALL_TENS, comment="", now=timezone.now())

    response = client.get(survey_link(survey))

    assert response.status_code == 410
    assert "already been answered" in response.content.decode()
    assert 'type="radio"' not in response.content.decode()


def test_an_expired_link_is_410_and_refuses_answers(client, consultant, manager, buyer):
    survey = delivery_survey(consultant, buyer, manager=manager, now=NOW)
    after = NOW + dt.timedelta(days=14, minutes=1)

    with mock.patch.object(timezone, "now", return_value=after):
        shown = client.get(survey_link(survey))
        posted = client.post(survey_link(survey), _post_data(ALL_TENS))

    assert shown.status_code == 410
    assert posted.status_code == 410
    assert "This survey has closed" in posted.content.decode()
    assert Survey.objects.get().answered_at is None
    assert SurveyAnswer.objects.count() == 0


def test_the_day_before_expiry_still_works(client, consultant, manager, buyer):
    survey = delivery_survey(consultant, buyer, manager=manager, now=NOW)

    with mock.patch.object(timezone, "now", return_value=NOW + dt.timedelta(days=13)):
        response = client.get(survey_link(survey))

    assert response.status_code == 200


def _bad_links(survey) -> dict[str, str]:
    signed = survey_link(survey)[3:-1]
    flipped = "A" if signed[10] != "A" else "B"
    return {
        "tampered": signed[:10] + flipped + signed[11:],
        "truncated": signed[:-1],
        "signature cut off": signed.split(":")[0],
        "foreign salt": signing.Signer(salt="leads.unsubscribe").sign(survey.token),
        "default salt": signing.Signer().sign(survey.token),
        "raw token": survey.token,
    }


@pytest.mark.parametrize("case", ["tampered", "truncated", "signature cut off",
                                  "foreign salt", "default salt", "raw token"])
def test_a_changed_link_is_a_polite_404_and_answers_nothing(client, survey, case):
    bad = _bad_links(survey)[case]

    shown = client.get(f"/s/{bad}/")
    posted = client.post(f"/s/{bad}/", _post_data(ALL_TENS))

    assert shown.status_code == 404
    assert posted.status_code == 404
    assert "Link not valid" in shown.content.decode()
    assert Survey.objects.get().answered_at is None
    _assert_private(shown)


def test_a_well_signed_unknown_token_is_404(client, survey):
    signed = signing.Signer(salt="aftersales.survey").sign("x" * 43)

    assert client.get(f"/s/{signed}/").status_code == 404


def test_another_surveys_link_answers_only_that_survey(client, consultant, manager, buyer,
                                                       store):
    mine = delivery_survey(consultant, buyer, manager=manager)
    other_buyer = consenting_customer(store, consultant, name="王别人")
    theirs = delivery_survey(consultant, other_buyer, manager=manager)

    client.post(survey_link(theirs), _post_data({**ALL_TENS, SurveyQuestion.OVERALL: 1}))

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.answered_at is None and mine.answers.count() == 0
    assert theirs.lowest_score == 1
    assert CareTask.objects.get().survey_id == theirs.pk


def test_no_login_is_needed_even_when_signed_in_staff_open_it(client, survey, manager):
    client.force_login(manager)

    response = client.get(survey_link(survey))

    assert response.status_code == 200
    assert 'class="topbar"' not in response.content.decode()


def test_a_comment_over_2000_characters_is_400_with_the_scores_kept(client, survey):
    response = client.post(survey_link(survey),
                           _post_data({**ALL_TENS, SurveyQuestion.OVERALL: 4}, "长" * 2001))

    assert response.status_code == 400
    page = response.content.decode()
    assert "Ensure this value has at most 2000 characters (it has 2001)." in page
    assert "Please give a score to every question." not in page
    assert re.search(r'<input type="radio" name="overall" value="4"[^>]* checked>', page)
    assert Survey.objects.get().answered_at is None
    assert CareTask.objects.count() == 0
