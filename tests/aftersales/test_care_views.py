"""The care screens: the desk, closing a step or a follow-up (htmx and plain POST), the
step list, the settings, the consultant's "my day" panel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.enums import CareStepKind, CareStepStatus, CareTaskKind, CareTaskStatus
from aftersales.jobs_care import advance_care_plans
from aftersales.models import CareSettings, CareStep
from aftersales.selectors.care import care_steps_for_my_day
from dealership.enums import AuditAction, Role
from dealership.models import AuditEntry
from tests.aftersales.factories_care import (
    SHANGHAI,
    consenting_customer,
    planned,
    step_of,
    task_for,
    thank_you,
)
from tests.factories import CustomerFactory
from tests.helpers import HTMX, english

pytestmark = pytest.mark.django_db

DESK = "/aftersales/care/"
STEPS = "/aftersales/care/steps/"
SETTINGS = "/aftersales/care/settings/"


def done_url(step) -> str:
    return f"/aftersales/care/steps/{step.pk}/done/"


def skip_url(step) -> str:
    return f"/aftersales/care/steps/{step.pk}/skip/"


def task_url(task) -> str:
    return f"/aftersales/care/tasks/{task.pk}/done/"


@pytest.fixture
def carer(make_user):
    return english(make_user(Role.CUSTOMER_CARE, name="钱客服"))


def _today() -> dt.date:
    return timezone.localdate(timezone.now(), SHANGHAI)


def _delivered_days_ago(consultant, manager, days: int, **kwargs):
    """A plan delivered `days` store days ago, its due steps made due by the job."""
    moment = dt.datetime.combine(_today() - dt.timedelta(days=days), dt.time(10),
                                 tzinfo=SHANGHAI)
    plan = planned(consultant, manager, delivered_at=moment, **kwargs)
    advance_care_plans(now=timezone.now())
    return plan


# --- Access ---------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [DESK, STEPS, SETTINGS])
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.parametrize(("path", "allowed"), [
    (DESK, {Role.CUSTOMER_CARE}),
    (STEPS, {Role.CUSTOMER_CARE, Role.SUPERVISOR, Role.MANAGER}),
    (SETTINGS, {Role.MANAGER}),
])
@pytest.mark.parametrize("role", list(Role))
def test_each_page_answers_its_roles_only(client, make_user, path, allowed, role):
    client.force_login(make_user(role))

    response = client.get(path)

    if role in allowed:
        assert response.status_code == 200
    elif role in (Role.ADMIN, Role.GROUP_EXEC):
        assert response.status_code in (403, 404)
    else:
        assert response.status_code == 403
        assert response.templates[0].name == "403.html"


# --- The desk -------------------------------------------------------------------------------
def test_desk_shows_calls_due_follow_ups_and_the_week_ahead(client, carer, consultant,
                                                           manager, store, other_store):
    old = _delivered_days_ago(consultant, manager, 31)  # thank-you overdue, day 30 overdue
    new = _delivered_days_ago(consultant, manager, 3, customer=consenting_customer(
        store, consultant, name="李逍遥"))  # tips in 4 days
    CustomerFactory(store=other_store, name="吴十")
    other_task = task_for(new.customer, title="其他跟进", kind=CareTaskKind.OTHER)
    low = task_for(old.customer, title="满意度低分回访", kind=CareTaskKind.LOW_SCORE,
                   due_on=_today() + dt.timedelta(days=1))
    client.force_login(carer)

    response = client.get(DESK)

    assert response.status_code == 200
    ctx = response.context
    first_maintenance = step_of(old, CareStepKind.FIRST_MAINTENANCE)
    # Customer care's pool first, then the consultants' calls.
    assert [s.pk for s in ctx["calls"]] == [first_maintenance.pk, thank_you(old).pk,
                                            thank_you(new).pk]
    assert [s.pk for s in ctx["upcoming"]] == [step_of(new, CareStepKind.USAGE_TIPS).pk]
    assert [t.pk for t in ctx["tasks"]] == [low.pk, other_task.pk]
    assert ctx["figures"] == {"due_today": 0, "overdue": 3, "upcoming": 1, "tasks": 2,
                              "low_scores": 1}
    html = response.content.decode()
    assert old.customer.phone_masked in html
    assert old.customer.phone not in html
    assert f"?care_step={first_maintenance.pk}" in html
    assert f"?care_step={thank_you(old).pk}" not in html
    assert "Customer care (pool)" in html
    # The thank-you script, rendered for the customer.
    assert f"您好{old.customer.name}，我是{store.name}的王芳。" in html
    assert "吴十" not in html


def test_desk_of_an_empty_store_says_what_comes(client, carer):
    client.force_login(carer)

    response = client.get(DESK)

    html = response.content.decode()
    assert "No call due." in html
    assert "No open follow-up." in html
    assert "Nothing planned this week." in html


def test_desk_does_not_show_another_store(client, make_user, consultant, manager,
                                          other_store):
    _delivered_days_ago(consultant, manager, 2)
    client.force_login(english(make_user(Role.CUSTOMER_CARE, username="care-2",
                                         store=other_store)))

    response = client.get(DESK)

    assert (list(response.context["calls"]), list(response.context["upcoming"])) == ([], [])
    assert response.context["figures"]["overdue"] == 0


@pytest.mark.parametrize("count", [1, 3])
def test_desk_query_count_is_constant(client, carer, consultant, manager, store, count,
                                      django_assert_num_queries):
    for _n in range(count):
        plan = _delivered_days_ago(consultant, manager, 31)
        task_for(plan.customer, kind=CareTaskKind.LOW_SCORE)
    CareSettings.objects.get_or_create(store=store)
    client.force_login(carer)

    # session, user, store; settings, step figures, task figures, calls, upcoming, tasks
    with django_assert_num_queries(9):
        response = client.get(DESK)

    assert len(response.context["calls"]) == 2 * count
    assert len(response.context["tasks"]) == count


# --- Closing a step -------------------------------------------------------------------------
def test_htmx_done_swaps_the_row(client, carer, consultant, manager):
    plan = _delivered_days_ago(consultant, manager, 31)
    step = step_of(plan, CareStepKind.FIRST_MAINTENANCE)
    client.force_login(carer)

    response = client.post(done_url(step), {"outcome": "客户已预约下周首保", "next": DESK},
                           **HTMX)

    assert response.status_code == 200
    step.refresh_from_db()
    assert (step.status, step.outcome, step.done_by) == (CareStepStatus.DONE,
                                                         "客户已预约下周首保", carer)
    html = response.content.decode()
    assert html.lstrip().startswith(f'<article class="care-row" id="care-step-{step.pk}"')
    assert f"Done: {plan.customer.name}." in html
    assert "客户已预约下周首保" in html
    assert 'name="outcome"' not in html


def test_plain_post_skip_redirects_back(client, carer, consultant, manager):
    plan = _delivered_days_ago(consultant, manager, 2)
    step = thank_you(plan)
    client.force_login(carer)

    response = client.post(skip_url(step), {"outcome": "客户不需要回访", "next": DESK})

    assert response.status_code == 302
    assert response["Location"] == DESK
    step.refresh_from_db()
    assert (step.status, step.outcome) == (CareStepStatus.SKIPPED, "客户不需要回访")


def test_next_elsewhere_is_ignored(client, carer, consultant, manager):
    plan = _delivered_days_ago(consultant, manager, 2)
    client.force_login(carer)

    response = client.post(done_url(thank_you(plan)),
                           {"outcome": "已回访", "next": "https://evil.example/"})

    assert response["Location"] == DESK


def test_missing_outcome_is_a_400_with_the_row_and_nothing_changes(client, carer, consultant,
                                                                   manager):
    plan = _delivered_days_ago(consultant, manager, 2)
    step = thank_you(plan)
    client.force_login(carer)

    response = client.post(done_url(step), {"outcome": "  "}, **HTMX)

    assert response.status_code == 400
    assert "Say what happened: the outcome is needed." in response.content.decode()
    step.refresh_from_db()
    assert (step.status, step.outcome, step.done_at) == (CareStepStatus.DUE, "", None)


def test_too_long_outcome_plain_post_keeps_the_text(client, carer, consultant, manager):
    plan = _delivered_days_ago(consultant, manager, 2)
    step = thank_you(plan)
    client.force_login(carer)
    typed = "很" * 501

    response = client.post(done_url(step), {"outcome": typed})

    assert response.status_code == 400
    html = response.content.decode()
    assert "<html" in html
    assert f'value="{typed}"' in html
    step.refresh_from_db()
    assert step.status == CareStepStatus.DUE


def test_a_step_closed_meanwhile_is_a_409(client, carer, consultant, manager):
    plan = _delivered_days_ago(consultant, manager, 2)
    step = thank_you(plan)
    client.force_login(consultant)
    client.post(done_url(step), {"outcome": "已回访"})
    client.force_login(carer)

    response = client.post(skip_url(step), {"outcome": "未接通"}, **HTMX)

    assert response.status_code == 409
    assert "This step was already closed (Done) by someone else." in response.content.decode()
    step.refresh_from_db()
    assert (step.status, step.outcome, step.done_by) == (CareStepStatus.DONE, "已回访",
                                                         consultant)


def test_the_consultant_closes_their_call_back_to_my_day(client, consultant, manager):
    plan = _delivered_days_ago(consultant, manager, 2)
    client.force_login(consultant)

    response = client.post(done_url(thank_you(plan)), {"outcome": "客户很满意"})

    assert response.status_code == 302
    assert response["Location"] == "/my-day/"
    assert thank_you(plan).status == CareStepStatus.DONE


def test_a_consultant_may_not_close_the_pool_step(client, consultant, manager):
    plan = _delivered_days_ago(consultant, manager, 31)
    step = step_of(plan, CareStepKind.FIRST_MAINTENANCE)
    client.force_login(consultant)

    response = client.post(done_url(step), {"outcome": "已提醒"})

    assert response.status_code == 403
    assert step_of(plan, CareStepKind.FIRST_MAINTENANCE).status == CareStepStatus.DUE


@pytest.mark.parametrize("who", ["teammate", "outsider"])
def test_another_consultants_step_is_a_404(client, request, consultant, manager, who):
    plan = _delivered_days_ago(consultant, manager, 2)
    client.force_login(request.getfixturevalue(who))

    response = client.post(done_url(thank_you(plan)), {"outcome": "已回访"})

    assert response.status_code == 404
    assert thank_you(plan).status == CareStepStatus.DUE


@pytest.mark.parametrize("who", ["supervisor", "manager"])
def test_lookers_on_may_not_close_a_step(client, request, consultant, manager, who):
    plan = _delivered_days_ago(consultant, manager, 2)
    client.force_login(request.getfixturevalue(who))

    response = client.post(done_url(thank_you(plan)), {"outcome": "已回访"})

    assert response.status_code == 403
    assert thank_you(plan).status == CareStepStatus.DUE


def test_get_on_a_close_url_is_refused(client, carer, consultant, manager):
    plan = _delivered_days_ago(consultant, manager, 2)
    client.force_login(carer)

    response = client.get(done_url(thank_you(plan)))

    assert response.status_code == 405


# --- Tasks ----------------------------------------------------------------------------------
def test_htmx_task_done_swaps_the_row(client, carer, customer):
    task = task_for(customer, kind=CareTaskKind.LOW_SCORE, title="满意度低分回访")
    client.force_login(carer)

    response = client.post(task_url(task), {"outcome": "已道歉并安排复查"}, **HTMX)

    assert response.status_code == 200
    task.refresh_from_db()
    assert (task.status, task.outcome) == (CareTaskStatus.DONE, "已道歉并安排复查")
    assert f'id="care-task-{task.pk}"' in response.content.decode()


def test_task_without_outcome_is_a_400(client, carer, customer):
    task = task_for(customer)
    client.force_login(carer)

    response = client.post(task_url(task), {"outcome": ""}, **HTMX)

    assert response.status_code == 400
    task.refresh_from_db()
    assert task.status == CareTaskStatus.OPEN


def test_another_stores_task_is_a_404(client, make_user, other_store, customer):
    task = task_for(customer)
    client.force_login(make_user(Role.CUSTOMER_CARE, username="care-2", store=other_store))

    response = client.post(task_url(task), {"outcome": "已处理"})

    assert response.status_code == 404
    task.refresh_from_db()
    assert task.status == CareTaskStatus.OPEN


# --- The list -------------------------------------------------------------------------------
def test_list_filters_by_status_and_kind(client, carer, consultant, manager):
    plan = _delivered_days_ago(consultant, manager, 2)
    client.force_login(carer)

    response = client.get(STEPS, {"status": "due", "kind": "thank_you_call"})

    assert [s.pk for s in response.context["page"]] == [thank_you(plan).pk]


def test_list_filters_the_pool(client, carer, consultant, manager):
    plan = _delivered_days_ago(consultant, manager, 2)
    client.force_login(carer)

    response = client.get(STEPS, {"assignee": "null"})

    assert [s.pk for s in response.context["page"]] == [
        step_of(plan, CareStepKind.USAGE_TIPS).pk,
        step_of(plan, CareStepKind.FIRST_MAINTENANCE).pk]


def test_list_due_range(client, carer, consultant, manager):
    plan = _delivered_days_ago(consultant, manager, 2)
    tips = step_of(plan, CareStepKind.USAGE_TIPS)
    client.force_login(carer)

    response = client.get(STEPS, {"due_from": tips.due_on.isoformat(),
                                  "due_to": tips.due_on.isoformat()})

    assert [s.pk for s in response.context["page"]] == [tips.pk]


def test_list_range_backwards_is_a_400(client, carer):
    client.force_login(carer)
    today = _today()

    response = client.get(STEPS, {"due_from": today.isoformat(),
                                  "due_to": (today - dt.timedelta(days=1)).isoformat()})

    assert response.status_code == 400
    assert "The end of the range is before its start." in response.content.decode()


def test_list_date_out_of_range_is_a_400(client, carer):
    client.force_login(carer)

    response = client.get(STEPS, {"due_from": "1999-01-01"})

    assert response.status_code == 400
    assert list(response.context["page"]) == []


def test_supervisor_sees_the_team_only(client, supervisor, consultant, manager, store,
                                       make_user):
    ours = _delivered_days_ago(consultant, manager, 2)
    stranger = make_user(Role.CONSULTANT, username="solo", name="孤狼")
    theirs = planned(stranger, manager,
                     customer=CustomerFactory(store=store, owner=stranger))
    client.force_login(supervisor)

    response = client.get(STEPS)

    plans = {step.plan_id for step in response.context["page"]}
    assert plans == {ours.pk}
    assert theirs.pk not in plans


def test_list_htmx_filter_returns_the_rows(client, carer, consultant, manager):
    _delivered_days_ago(consultant, manager, 2)
    client.force_login(carer)

    response = client.get(STEPS, {"status": "done"}, HTTP_HX_TARGET="care-step-rows", **HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="care-step-rows">')
    assert "No care step matches these filters." in html


@pytest.mark.parametrize("count", [1, 3])
def test_list_query_count_is_constant(client, carer, consultant, manager, count,
                                      django_assert_num_queries):
    for _n in range(count):
        plan = _delivered_days_ago(consultant, manager, 2)
        client.force_login(consultant)
        client.post(done_url(thank_you(plan)), {"outcome": "已回访"})
    client.force_login(carer)

    # session, user, store; assignee choices, count, page of steps
    with django_assert_num_queries(6):
        response = client.get(STEPS)

    assert len(response.context["page"].object_list) == 3 * count


# --- Settings -------------------------------------------------------------------------------
def _settings_form(**changes) -> dict:
    data = {name: getattr(CareSettings(), name) for name in CareSettings.AUDIT_FIELDS}
    return data | changes


def test_manager_saves_the_settings(client, manager, store):
    client.force_login(manager)

    response = client.post(SETTINGS, _settings_form(thank_you_day=2,
                                                    usage_tips_template="{name}，用车小贴士"))

    assert response.status_code == 302
    assert response["Location"] == SETTINGS
    saved = CareSettings.objects.get(store=store)
    assert (saved.thank_you_day, saved.usage_tips_template) == (2, "{name}，用车小贴士")
    entry = AuditEntry.objects.filter(content_type__model="caresettings").latest("pk")
    assert entry.action == AuditAction.UPDATE
    assert set(entry.changes) == {"thank_you_day", "usage_tips_template"}


def test_settings_out_of_range_is_a_400_with_the_input_kept(client, manager, store):
    client.force_login(english(manager))

    response = client.post(SETTINGS, _settings_form(first_maintenance_day=400,
                                                    usage_tips_template="保留我输入的文字"))

    assert response.status_code == 400
    html = response.content.decode()
    assert "Ensure this value is less than or equal to 180." in html
    assert "保留我输入的文字" in html
    assert not CareSettings.objects.filter(store=store, first_maintenance_day=400).exists()


# --- My day ---------------------------------------------------------------------------------
def test_my_day_shows_the_consultants_due_calls(client, consultant, manager, teammate, store):
    mine = _delivered_days_ago(consultant, manager, 2)
    _delivered_days_ago(teammate, manager, 2,
                        customer=CustomerFactory(store=store, owner=teammate))
    client.force_login(english(consultant))

    response = client.get("/my-day/")

    assert response.status_code == 200
    assert [s.pk for s in response.context["care_steps_due"]] == [thank_you(mine).pk]
    html = response.content.decode()
    assert f'id="care-step-{thank_you(mine).pk}"' in html
    assert "Book first maintenance" not in html


def test_my_day_shows_the_follow_ups_assigned_to_the_consultant(client, consultant, customer,
                                                               teammate):
    mine = task_for(customer, title="低分回访：交车等待太久", assignee=consultant)
    task_for(customer, title="别人的跟进", assignee=teammate)
    client.force_login(english(consultant))

    response = client.get("/my-day/")

    assert [t.pk for t in response.context["care_tasks_mine"]] == [mine.pk]
    html = response.content.decode()
    assert "低分回访：交车等待太久" in html
    assert "别人的跟进" not in html
    assert f'action="/aftersales/care/tasks/{mine.pk}/done/"' in html


def test_my_day_empty_says_what_comes(client, consultant):
    client.force_login(english(consultant))

    response = client.get("/my-day/")

    assert "No care call due." in response.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_my_day_panel_query_count_is_constant(consultant, manager, count,
                                              django_assert_num_queries):
    for _n in range(count):
        plan = _delivered_days_ago(consultant, manager, 2)
        task_for(plan.customer, assignee=consultant)
    consultant.store  # noqa: B018 (the page has loaded the user's store already)

    with django_assert_num_queries(3):  # steps, settings, tasks
        panel = care_steps_for_my_day(user=consultant, day=_today())

    assert len(panel["care_steps_due"]) == count
    assert len(panel["care_tasks_mine"]) == count
    assert all(step.status == CareStepStatus.DUE for step in panel["care_steps_due"])
    assert CareStep.objects.filter(status=CareStepStatus.DUE).count() == count
