"""Survey results: who may open them, whose surveys each role sees, the averages per person
and question over a period of store days, the recent answers, and fixed query counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from aftersales.enums import SurveyKind, SurveyQuestion
from aftersales.models import CareTask
from aftersales.services.surveys import QUESTIONS, survey_answer
from dealership.enums import Role
from tests.aftersales.factories_surveys import (
    consenting_customer,
    delivery_survey,
    service_survey,
)
from tests.helpers import english

pytestmark = pytest.mark.django_db

RESULTS = "/aftersales/surveys/"
ALL_TENS = {question: 10 for question in QUESTIONS[SurveyKind.DELIVERY]}
ROW = re.compile(r'data-testid="surveys-staff-row">\s*<td>([^<]*)</td>\s*'
                 r'<td class="num" data-testid="surveys-count">(\d+)</td>\s*'
                 r'<td class="num">(\d+)</td>\s*((?:<td class="num">[^<]*</td>)+)')


def _rows(response) -> dict[str, tuple[int, int, list[str]]]:
    """Per person: answered, low, the averages in the order of SurveyQuestion."""
    return {name: (int(count), int(low), re.findall(r'<td class="num">([^<]*)</td>', cells))
            for name, count, low, cells in ROW.findall(response.content.decode())}


def _answered(survey, scores=None, comment="", when=None):
    return survey_answer(survey=survey, scores=scores or ALL_TENS, comment=comment,
                         now=when or timezone.now())


@pytest.fixture
def advisor(make_user):
    return make_user(Role.SERVICE_ADVISOR, name="孙顾问")


@pytest.fixture
def carer(make_user):
    return make_user(Role.CUSTOMER_CARE, name="钱客服")


@pytest.fixture
def surveys(consultant, teammate, manager, advisor, store):
    """Two answered about the consultant, one about the teammate, one about the advisor,
    one unanswered about the consultant."""
    mine = [delivery_survey(consultant, consenting_customer(store, consultant), manager=manager)
            for _ in range(3)]
    _answered(mine[0], {**ALL_TENS, SurveyQuestion.STAFF: 9}, "很好")
    _answered(mine[1], {**ALL_TENS, SurveyQuestion.OVERALL: 7, SurveyQuestion.STAFF: 5},
              "解释不够")
    theirs = delivery_survey(teammate, consenting_customer(store, teammate), manager=manager)
    _answered(theirs, {question: 8 for question in ALL_TENS})
    serviced = service_survey(advisor, consenting_customer(store, None))
    _answered(serviced, {**ALL_TENS, SurveyQuestion.TIMELINESS: 4}, "等太久")
    return {"mine": mine, "theirs": theirs, "serviced": serviced}


# --- Access -------------------------------------------------------------------------------
def test_anonymous_is_sent_to_the_login(client):
    response = client.get(RESULTS)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", [Role.FINANCE, Role.MARKETING, Role.RECEPTIONIST])
def test_other_roles_are_refused(client, make_user, role):
    client.force_login(make_user(role))

    assert client.get(RESULTS).status_code == 403


def test_the_manager_sees_everyone_of_the_store_with_averages(client, manager, surveys):
    client.force_login(english(manager))

    response = client.get(RESULTS)

    assert response.status_code == 200
    rows = _rows(response)
    # overall, staff, explanation, timeliness, recommend
    assert rows["王芳"] == (2, 1, ["8.5", "7.0", "10.0", "10.0", "10.0"])
    assert rows["李强"] == (1, 0, ["8.0", "8.0", "8.0", "8.0", "8.0"])
    assert rows["孙顾问"] == (1, 1, ["10.0", "10.0", "10.0", "4.0", "10.0"])
    page = response.content.decode()
    assert page.count('data-testid="surveys-answer"') == 4
    assert page.count('data-testid="surveys-low"') == 2
    assert "解释不够" in page


def test_the_total_row_averages_every_answer(client, manager, surveys):
    client.force_login(english(manager))

    page = client.get(RESULTS).content.decode()

    total = page[page.index('data-testid="surveys-total-row"'):]
    # overall (10+7+8+10)/4 = 8.75 → 8.8; staff (9+5+8+10)/4 = 8.0; explanation and
    # recommend (10+10+8+10)/4 = 9.5; timeliness (10+10+8+4)/4 = 8.0
    assert re.findall(r'<td class="num">([^<]*)</td>', total)[:7] == [
        "4", "2", "8.8", "8.0", "9.5", "8.0", "9.5"]


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.CUSTOMER_CARE])
def test_supervisor_and_customer_care_see_the_store(client, make_user, surveys, role):
    client.force_login(make_user(role))

    assert set(_rows(client.get(RESULTS))) == {"王芳", "李强", "孙顾问"}


def test_a_consultant_sees_only_the_surveys_about_themselves(client, consultant, surveys):
    client.force_login(consultant)

    response = client.get(RESULTS)

    assert set(_rows(response)) == {"王芳"}
    page = response.content.decode()
    assert page.count('data-testid="surveys-answer"') == 2
    assert "等太久" not in page


def test_a_service_advisor_sees_only_the_surveys_about_themselves(client, advisor, surveys):
    client.force_login(advisor)

    assert set(_rows(client.get(RESULTS))) == {"孙顾问"}


def test_another_stores_consultant_sees_nothing(client, outsider, surveys):
    client.force_login(outsider)

    response = client.get(RESULTS)

    assert response.status_code == 200
    assert _rows(response) == {}


# --- Filters ------------------------------------------------------------------------------
def test_the_kind_filter(client, manager, surveys):
    client.force_login(manager)

    assert set(_rows(client.get(RESULTS, {"kind": "service"}))) == {"孙顾问"}


def test_the_period_counts_store_days(client, manager, consultant, store):
    today = store.today()
    old = delivery_survey(consultant, consenting_customer(store, consultant), manager=manager)
    # The store's first minute of ten days ago (UTC is still the day before).
    _answered(old, when=store.day_bounds(today - dt.timedelta(days=10))[0])
    client.force_login(manager)

    on_the_day = client.get(RESULTS, {"date_from": (today - dt.timedelta(days=10)).isoformat(),
                                      "date_to": (today - dt.timedelta(days=10)).isoformat()})
    day_after = client.get(RESULTS, {"date_from": (today - dt.timedelta(days=9)).isoformat()})
    day_before = client.get(RESULTS, {"date_to": (today - dt.timedelta(days=11)).isoformat()})

    assert _rows(on_the_day)["王芳"][0] == 1
    assert _rows(day_after) == {}
    assert _rows(day_before) == {}


def test_the_default_period_is_the_last_90_days(client, manager, consultant, store):
    old = delivery_survey(consultant, consenting_customer(store, consultant), manager=manager)
    _answered(old, when=store.day_bounds(store.today() - dt.timedelta(days=90))[0])
    recent = delivery_survey(consultant, consenting_customer(store, consultant),
                             manager=manager)
    _answered(recent, when=store.day_bounds(store.today() - dt.timedelta(days=89))[0])
    client.force_login(manager)

    assert _rows(client.get(RESULTS))["王芳"][0] == 1


def test_an_end_before_the_start_is_400_naming_it(client, manager, store):
    client.force_login(english(manager))
    today = store.today()

    response = client.get(RESULTS, {"date_from": today.isoformat(),
                                    "date_to": (today - dt.timedelta(days=1)).isoformat()})

    assert response.status_code == 400
    assert response.context["filters"].errors == {
        "date_to": ["The end of the period is before its start."]}


def test_a_period_outside_the_business_range_is_400(client, manager, store):
    client.force_login(manager)
    today = store.today()

    future = client.get(RESULTS, {"date_to": (today + dt.timedelta(days=1)).isoformat()})
    ancient = client.get(RESULTS, {"date_from": "2001-01-01"})
    garbage = client.get(RESULTS, {"date_from": "not-a-day"})

    assert future.status_code == 400 and list(future.context["filters"].errors) == ["date_to"]
    assert ancient.status_code == 400
    assert list(ancient.context["filters"].errors) == ["date_from"]
    assert garbage.status_code == 400
    # The typed value is kept in the form.
    assert 'value="not-a-day"' in garbage.content.decode()


def test_the_empty_page_says_what_to_do(client, manager):
    client.force_login(english(manager))

    page = client.get(RESULTS).content.decode()

    assert "No answers in this period." in page
    assert "Widen the period or clear the filters." in page


# --- Detail -------------------------------------------------------------------------------
def test_the_detail_shows_answers_comment_and_follow_up(client, carer, surveys):
    client.force_login(english(carer))
    survey = surveys["mine"][1]

    response = client.get(f"/aftersales/surveys/{survey.pk}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-testid="survey-answer-row"') == 5
    assert "解释不够" in page
    # The task's title is stored in the site's language when the score came in.
    task = CareTask.objects.get(survey=survey)
    assert f"Follow-up for customer care: {task.title}" in page
    assert survey.customer.phone not in page
    assert survey.customer.phone_masked in page


def test_the_detail_of_an_unanswered_survey(client, manager, surveys):
    client.force_login(english(manager))

    response = client.get(f"/aftersales/surveys/{surveys['mine'][2].pk}/")

    assert response.status_code == 200
    assert "Not answered yet" in response.content.decode()


def test_the_detail_is_404_outside_scope(client, consultant, teammate, outsider, surveys):
    theirs = f"/aftersales/surveys/{surveys['theirs'].pk}/"

    client.force_login(consultant)
    assert client.get(theirs).status_code == 404
    client.force_login(outsider)
    assert client.get(theirs).status_code == 404
    client.force_login(teammate)
    assert client.get(theirs).status_code == 200


# --- Query counts ---------------------------------------------------------------------------
@pytest.mark.parametrize("count", [1, 3])
def test_results_queries_do_not_grow_with_rows(client, manager, consultant, teammate, store,
                                               django_assert_num_queries, count):
    for index in range(count):
        staff = consultant if index % 2 == 0 else teammate
        survey = delivery_survey(staff, consenting_customer(store, staff), manager=manager)
        _answered(survey, {**ALL_TENS, SurveyQuestion.OVERALL: 3 + index}, f"第{index}条")
    client.force_login(manager)

    with django_assert_num_queries(8):
        response = client.get(RESULTS)

    assert response.content.decode().count('data-testid="surveys-answer"') == count


@pytest.mark.parametrize("count", [1, 3])
def test_detail_queries_are_fixed(client, manager, consultant, store,
                                  django_assert_num_queries, count):
    survey = delivery_survey(consultant, consenting_customer(store, consultant),
                             manager=manager)
    _answered(survey, {**ALL_TENS, SurveyQuestion.OVERALL: count}, "慢")
    client.force_login(manager)

    with django_assert_num_queries(5):
        response = client.get(f"/aftersales/surveys/{survey.pk}/")

    assert response.status_code == 200


def test_the_recent_answers_are_paginated(client, manager, consultant, store, monkeypatch):
    from aftersales.views import surveys as views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for index in range(3):
        survey = delivery_survey(consultant, consenting_customer(store, consultant),
                                 manager=manager)
        _answered(survey, comment=f"第{index}条评价",
                  when=timezone.now() - dt.timedelta(hours=3 - index))
    client.force_login(manager)

    first = client.get(RESULTS).content.decode()
    second = client.get(RESULTS, {"page": 2}).content.decode()

    assert first.count('data-testid="surveys-answer"') == 2
    assert "第2条评价" in first and "第1条评价" in first  # newest first
    assert second.count('data-testid="surveys-answer"') == 1
    assert "第0条评价" in second
    assert _rows(client.get(RESULTS, {"page": 2}))["王芳"][0] == 3  # averages: all pages
