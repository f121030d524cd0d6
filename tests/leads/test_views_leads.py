"""The consultant-facing lead screens: my leads (filters, search, export), the new-lead
form with its phone check, and the lead detail with its follow-up, grade, lost and
reassign forms."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from dealership.enums import Role, Seniority
from dealership.models import Customer, Team
from leads.enums import (
    Channel,
    EventKind,
    Grade,
    LeadStatus,
    LostReason,
    LostRequestStatus,
)
from leads.models import Lead, LeadEvent, LostRequest, Notification, Touch
from tests.factories import CustomerFactory, UserFactory
from tests.helpers import HTMX, english
from tests.leads.factories import CampaignFactory, LeadFactory, LostRequestFactory

pytestmark = pytest.mark.django_db



def htmx(target: str) -> dict[str, str]:
    return {**HTMX, "HTTP_HX_TARGET": target}


def names(response) -> set[str]:
    return {lead.customer.name for lead in response.context["page"].object_list}


def vary(response) -> list[str]:
    return [part.strip() for part in response["Vary"].split(",")]


def lead_of(owner, store, name, **kwargs) -> Lead:
    return LeadFactory(store=store, owner=owner, customer__name=name, **kwargs)



def messages_of(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


@pytest.fixture
def other_team_member(store):
    team = Team.objects.create(store=store, name="销售二组")
    return UserFactory(username="other", name="陈晨", role=Role.CONSULTANT, store=store,
                       seniority=Seniority.JUNIOR, team=team)


@pytest.fixture
def book(store, other_store, consultant, teammate, other_team_member, outsider):
    """One lead each: mine, my teammate's, another team's, the pool's, another store's."""
    return {
        "mine": lead_of(consultant, store, "我的客户"),
        "mate": lead_of(teammate, store, "同组客户"),
        "other_team": lead_of(other_team_member, store, "别组客户"),
        "pool": lead_of(None, store, "公海客户"),
        "foreign": lead_of(outsider, other_store, "外店客户"),
    }


# --- My leads: who sees what ----------------------------------------------------------
def test_list_anonymous_redirects_to_login(client):
    response = client.get("/leads/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/leads/"


@pytest.mark.parametrize(("role", "expected"), [
    (Role.CONSULTANT, {"我的客户"}),
    # The pool is the supervisors' to hand out.
    (Role.SUPERVISOR, {"我的客户", "同组客户", "公海客户"}),
    (Role.MANAGER, {"我的客户", "同组客户", "别组客户", "公海客户"}),
    (Role.MARKETING, {"我的客户", "同组客户", "别组客户", "公海客户"}),
    (Role.ADMIN, {"我的客户", "同组客户", "别组客户", "公海客户", "外店客户"}),
])
def test_list_scope_per_role(client, book, consultant, supervisor, make_user, role, expected):
    users = {Role.CONSULTANT: consultant, Role.SUPERVISOR: supervisor}
    client.force_login(users.get(role) or make_user(role))

    response = client.get("/leads/")

    assert response.status_code == 200
    assert names(response) == expected


def test_list_teammate_sees_only_their_own(client, book, teammate):
    client.force_login(teammate)

    response = client.get("/leads/")

    assert names(response) == {"同组客户"}


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.FINANCE, Role.GROUP_EXEC])
def test_list_other_roles_are_forbidden(client, make_user, role):
    client.force_login(make_user(role))

    response = client.get("/leads/")

    assert response.status_code == 403


def test_list_rows_show_masked_phone_grade_status_owner_and_overdue(client, store, consultant):
    lead = LeadFactory(store=store, owner=consultant, customer__name="张三",
                       customer__phone="+8613912345678", grade=Grade.A,
                       follow_up_due_at=timezone.now() - dt.timedelta(hours=2))
    client.force_login(english(consultant))

    response = client.get("/leads/")

    html = response.content.decode()
    assert f'<tbody id="lead-row-{lead.pk}" class="lead-row row-warning">' in html
    assert f'href="/leads/{lead.pk}/"' in html
    assert "139****5678" in html
    assert "13912345678" not in html
    assert 'class="badge grade-badge grade-A"' in html
    assert '<span class="badge status-badge status-new">New</span>' in html
    assert 'data-testid="overdue"' in html
    assert '<td data-label="Consultant">' not in html  # they are all theirs


def test_list_rows_name_the_consultant_for_a_manager(client, store, manager, consultant):
    LeadFactory(store=store, owner=consultant)
    LeadFactory(store=store, owner=None)
    client.force_login(english(manager))

    response = client.get("/leads/")

    html = response.content.decode()
    assert html.count('<td data-label="Consultant">王芳</td>') == 1
    assert html.count('<td data-label="Consultant">Pool</td>') == 1


def test_list_empty_state_tells_a_consultant_what_to_do(client, consultant):
    client.force_login(consultant)

    response = client.get("/leads/")

    html = response.content.decode()
    assert list(response.context["page"].object_list) == []
    assert 'href="/leads/new/"' in html
    assert 'class="empty-state"' in html


def test_list_no_match_offers_to_clear_the_filters(client, book, consultant):
    client.force_login(consultant)

    response = client.get("/leads/", {"grade": "A"})

    html = response.content.decode()
    assert names(response) == set()
    assert '<a class="button" href="/leads/">' in html


# --- Filters --------------------------------------------------------------------------
def test_filter_grade(client, store, consultant):
    lead_of(consultant, store, "甲", grade=Grade.A)
    lead_of(consultant, store, "乙", grade=Grade.B)
    client.force_login(consultant)

    response = client.get("/leads/", {"grade": "A"})

    assert names(response) == {"甲"}


def test_filter_status(client, store, consultant):
    lead_of(consultant, store, "新", status=LeadStatus.NEW)
    lead_of(consultant, store, "联系过", status=LeadStatus.CONTACTED)
    client.force_login(consultant)

    response = client.get("/leads/", {"status": "contacted"})

    assert names(response) == {"联系过"}


def test_filter_channel(client, store, consultant):
    lead_of(consultant, store, "到店", channel=Channel.WALK_IN)
    lead_of(consultant, store, "官网", channel=Channel.WEBSITE)
    client.force_login(consultant)

    response = client.get("/leads/", {"channel": "website"})

    assert names(response) == {"官网"}


def test_filter_campaign_offers_only_the_stores_campaigns(client, store, other_store,
                                                          consultant):
    spring = CampaignFactory(store=store, name="春季车展")
    CampaignFactory(store=other_store, name="外店活动")
    lead_of(consultant, store, "车展客户", campaign=spring)
    lead_of(consultant, store, "普通客户")
    client.force_login(consultant)

    response = client.get("/leads/", {"campaign": spring.pk})

    assert names(response) == {"车展客户"}
    assert list(response.context["filter"].form.fields["campaign"].queryset) == [spring]


@pytest.mark.parametrize(("value", "expected"), [
    ("yes", {"逾期"}),
    ("no", {"未到期", "已成交", "无期限"}),
])
def test_filter_overdue(client, store, consultant, value, expected):
    past = timezone.now() - dt.timedelta(minutes=5)
    lead_of(consultant, store, "逾期", follow_up_due_at=past)
    lead_of(consultant, store, "未到期", follow_up_due_at=timezone.now() + dt.timedelta(days=1))
    lead_of(consultant, store, "已成交", status=LeadStatus.WON, follow_up_due_at=past)
    lead_of(consultant, store, "无期限", follow_up_due_at=None)
    client.force_login(consultant)

    response = client.get("/leads/", {"overdue": value})

    assert names(response) == expected


def test_filter_due_today(client, store, consultant):
    now = timezone.localtime()
    lead_of(consultant, store, "今天", follow_up_due_at=now + dt.timedelta(minutes=1))
    lead_of(consultant, store, "明天", follow_up_due_at=now + dt.timedelta(days=1, hours=1))
    lead_of(consultant, store, "逾期", follow_up_due_at=now - dt.timedelta(minutes=1))
    client.force_login(consultant)

    response = client.get("/leads/", {"due_today": "yes"})

    expected = {"今天"} if (now + dt.timedelta(minutes=1)).date() == now.date() else set()
    assert names(response) == expected


def test_filter_owner_for_supervisor(client, book, supervisor, teammate):
    client.force_login(supervisor)

    response = client.get("/leads/", {"owner": teammate.pk})

    assert names(response) == {"同组客户"}


def test_filter_owner_choices_are_the_stores_consultants(client, book, manager, consultant,
                                                         teammate, other_team_member):
    client.force_login(manager)

    response = client.get("/leads/")

    choices = set(response.context["filter"].form.fields["owner"].queryset)
    assert choices == {consultant, teammate, other_team_member}


def test_filter_owner_is_not_offered_to_a_consultant(client, book, consultant, teammate):
    client.force_login(consultant)

    response = client.get("/leads/", {"owner": teammate.pk})

    assert "owner" not in response.context["filter"].form.fields
    assert names(response) == {"我的客户"}


# --- Search ---------------------------------------------------------------------------
@pytest.fixture
def searchable(store, consultant):
    lead_of(consultant, store, "张三丰", customer__phone="+8613812345678")
    lead_of(consultant, store, "李四", customer__phone="+8613900001111")


@pytest.mark.parametrize("query", [
    "13812345678", "138 1234 5678", "+86 138-1234-5678", "008613812345678", "5678", "2345678",
    "张三",
])
def test_search_by_name_full_phone_in_any_format_or_last_digits(client, searchable,
                                                                 consultant, query):
    client.force_login(consultant)

    response = client.get("/leads/", {"q": query})

    assert names(response) == {"张三丰"}


def test_search_three_digits_match_no_phone(client, searchable, consultant):
    client.force_login(consultant)

    response = client.get("/leads/", {"q": "678"})

    assert names(response) == set()


def test_search_never_reaches_beyond_the_users_scope(client, store, consultant, teammate):
    lead_of(teammate, store, "别人的", customer__phone="+8613700005678")
    client.force_login(consultant)

    response = client.get("/leads/", {"q": "5678"})

    assert names(response) == set()


# --- Pagination, htmx, query counts ---------------------------------------------------
def test_list_paginates_by_25(client, store, consultant):
    for number in range(26):
        lead_of(consultant, store, f"客户{number:02d}",
                follow_up_due_at=timezone.now() + dt.timedelta(hours=number + 1))
    client.force_login(consultant)

    first = client.get("/leads/")
    second = client.get("/leads/", {"page": 2})

    assert len(first.context["page"].object_list) == 25
    assert first.context["page"].paginator.num_pages == 2
    assert 'href="?page=2" rel="next"' in first.content.decode()
    assert names(second) == {"客户25"}


def test_list_orders_open_leads_by_due_date_with_closed_last(client, store, consultant):
    now = timezone.now()
    lead_of(consultant, store, "后天", follow_up_due_at=now + dt.timedelta(days=2))
    lead_of(consultant, store, "成交", status=LeadStatus.WON,
            follow_up_due_at=now - dt.timedelta(days=9))
    lead_of(consultant, store, "逾期", follow_up_due_at=now - dt.timedelta(days=1))
    client.force_login(consultant)

    response = client.get("/leads/")

    assert [lead.customer.name for lead in response.context["page"].object_list] == [
        "逾期", "后天", "成交"]


def test_list_htmx_renders_only_the_rows_partial(client, book, consultant):
    client.force_login(consultant)

    response = client.get("/leads/", {"q": "我的"}, **htmx("lead-rows"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<div id="lead-rows">')
    assert "<html" not in html
    assert "我的客户" in html
    assert "HX-Request" in vary(response)


def test_list_full_page_varies_on_htmx(client, book, consultant):
    client.force_login(consultant)

    response = client.get("/leads/")

    html = response.content.decode()
    assert "<html" in html
    assert 'hx-push-url="true"' in html
    assert "HX-Request" in vary(response)


@pytest.mark.parametrize("count", [1, 3])
def test_list_query_count_is_constant(client, store, consultant, count,
                                      django_assert_num_queries):
    campaign = CampaignFactory(store=store)
    for number in range(count):
        lead_of(consultant, store, f"客户{number}", campaign=campaign)
    client.force_login(consultant)

    # session, user, store; count, rows (customer, owner, campaign joined); campaign choices
    with django_assert_num_queries(6):
        response = client.get("/leads/")

    assert len(response.context["page"].object_list) == count


@pytest.mark.parametrize("count", [1, 3])
def test_list_manager_query_count_is_constant(client, store, manager, consultant, teammate,
                                              count, django_assert_num_queries):
    for number in range(count):
        lead_of(consultant if number % 2 else teammate, store, f"客户{number}")
    client.force_login(manager)

    # … and the owner filter's consultants
    with django_assert_num_queries(7):
        response = client.get("/leads/", {"grade": "B"})

    assert len(response.context["page"].object_list) == count


# --- Export ---------------------------------------------------------------------------
@pytest.mark.parametrize(("role", "rows"), [
    (Role.SUPERVISOR, 3), (Role.MANAGER, 4), (Role.MARKETING, 4), (Role.ADMIN, 5),
])
def test_export_allowed_roles_get_their_scope_as_csv(client, book, supervisor, make_user,
                                                     role, rows):
    client.force_login(supervisor if role == Role.SUPERVISOR else make_user(role))

    response = client.get("/leads/export.csv")

    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="leads-')
    assert body.startswith("\ufeff".encode())
    assert len(body.decode("utf-8-sig").strip().splitlines()) == rows + 1


def test_export_consultant_is_forbidden(client, book, consultant):
    client.force_login(consultant)

    response = client.get("/leads/export.csv")

    assert response.status_code == 403


def test_export_masks_phones_and_follows_the_filters(client, store, manager, consultant):
    LeadFactory(store=store, owner=consultant, customer__name="张三丰",
                customer__phone="+8613812345678", grade=Grade.A)
    LeadFactory(store=store, owner=consultant, customer__name="=HYPERLINK()", grade=Grade.A)
    LeadFactory(store=store, owner=consultant, customer__name="李四", grade=Grade.C)
    client.force_login(english(manager))

    response = client.get("/leads/export.csv", {"grade": "A"})

    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == ("Lead,Customer,Mobile phone,Grade,Status,Channel,Campaign,Consultant,"
                        "Added on,Last touch,Follow-up due,Overdue")
    text = "\n".join(lines)
    assert "138****5678" in text
    assert "13812345678" not in text
    assert "李四" not in text
    assert "'=HYPERLINK()" in text
    assert len(lines) == 3


@pytest.mark.parametrize("count", [1, 3])
def test_export_query_count_is_constant(client, store, manager, consultant, count,
                                        django_assert_num_queries):
    campaign = CampaignFactory(store=store)
    for number in range(count):
        lead_of(consultant, store, f"客户{number}", campaign=campaign)
    client.force_login(manager)

    # session, user, store; the rows (customer, owner, campaign joined)
    with django_assert_num_queries(4):
        response = client.get("/leads/export.csv")
        lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()

    assert len(lines) == count + 1


# --- New lead -------------------------------------------------------------------------
def capture_data(**overrides) -> dict[str, str]:
    data = {"phone": "139 1234 5678", "name": "刘备", "channel": "walk_in",
            "purchase_window": "1m", "model_interest": "凯美瑞", "budget_min": "150000",
            "budget_max": "200000", "city": "深圳", "note": "周末来看车", "campaign": "",
            "consent_source": ""}
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.RECEPTIONIST, Role.SUPERVISOR,
                                  Role.MANAGER, Role.MARKETING])
def test_capture_form_opens_for_capture_roles(client, make_user, team, role):
    kwargs = {"seniority": Seniority.JUNIOR} if role == Role.CONSULTANT else {}
    client.force_login(make_user(role, **kwargs))

    response = client.get("/leads/new/")

    assert response.status_code == 200
    assert response.context["form"]["channel"].value() == "walk_in"


@pytest.mark.parametrize("role", [Role.FINANCE, Role.ADMIN])
def test_capture_form_is_forbidden_to_other_roles(client, make_user, role):
    client.force_login(make_user(role))

    response = client.get("/leads/new/")

    assert response.status_code == 403


def test_capture_by_consultant_makes_them_the_owner(client, store, consultant, teammate):
    campaign = CampaignFactory(store=store, name="春季车展")
    client.force_login(english(consultant))

    response = client.post("/leads/new/", capture_data(campaign=campaign.pk,
                                                       marketing_consent="on",
                                                       consent_source="showroom_form"))

    lead = Lead.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/leads/{lead.pk}/"
    assert (lead.owner, lead.customer.owner, lead.grade, lead.channel) == (
        consultant, consultant, Grade.B, Channel.WALK_IN)
    assert (lead.customer.name, lead.customer.phone, lead.customer.marketing_consent) == (
        "刘备", "+8613912345678", True)
    assert (lead.campaign, lead.budget_min, lead.budget_max, lead.model_interest) == (
        campaign, 150000, 200000, "凯美瑞")
    assert messages_of(response) == ["Lead for 刘备 saved; it is yours."]


def test_capture_by_receptionist_is_routed_and_names_the_owner(client, store, consultant,
                                                                teammate, make_user):
    client.force_login(english(make_user(Role.RECEPTIONIST)))

    # Within 3 days: grade A goes to a senior consultant, and 王芳 is the only one.
    response = client.post("/leads/new/", capture_data(purchase_window="3d"))

    lead = Lead.objects.get()
    assert (lead.owner, lead.grade) == (consultant, Grade.A)
    assert response.status_code == 302
    assert response["Location"] == "/leads/new/"
    assert messages_of(response) == ["Lead for 刘备 saved and assigned to 王芳."]


def test_capture_known_phone_adds_the_enquiry_and_notifies_the_owner(client, store,
                                                                      consultant, teammate):
    lead = LeadFactory(store=store, owner=consultant, customer__name="张三丰",
                       customer__phone="+8613812345678")
    client.force_login(english(teammate))

    response = client.post("/leads/new/", capture_data(phone="+86 138-1234-5678",
                                                       name="张先生", channel="phone"))

    assert response.status_code == 302
    assert response["Location"] == "/leads/new/"
    assert Customer.objects.count() == 1
    assert list(Lead.objects.all()) == [lead]
    assert LeadEvent.objects.filter(lead=lead, kind=EventKind.ENQUIRY).count() == 1
    assert list(Notification.objects.filter(kind=EventKind.ENQUIRY)
                .values_list("user", "lead")) == [(consultant.pk, lead.pk)]
    assert messages_of(response) == [
        "This phone is already a customer of 王芳; the enquiry was added and 王芳 notified."]


def test_capture_invalid_phone_is_refused_with_the_input_kept(client, consultant):
    client.force_login(english(consultant))

    response = client.post("/leads/new/", capture_data(phone="12345", name="关羽"))

    html = response.content.decode()
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "phone": ["“12345” is not a valid phone number."]}
    assert 'value="12345"' in html
    assert 'value="关羽"' in html
    assert Lead.objects.count() == 0


def test_capture_budget_upper_below_lower_is_refused(client, consultant):
    client.force_login(consultant)

    response = client.post("/leads/new/", capture_data(budget_min="300000",
                                                       budget_max="100000"))

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["budget_max"]
    assert Lead.objects.count() == 0


def test_capture_consent_needs_its_source(client, consultant):
    client.force_login(consultant)

    response = client.post("/leads/new/", capture_data(marketing_consent="on"))

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["consent_source"]


# --- Phone check ----------------------------------------------------------------------
def test_phone_check_known_customer_of_a_colleague_names_only_the_consultant(
        client, store, consultant, teammate):
    LeadFactory(store=store, owner=consultant, customer__name="张三丰",
                customer__phone="+8613812345678")
    client.force_login(teammate)

    response = client.get("/leads/phone-check/", {"phone": "138 1234 5678"})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<div id="phone-check"')
    assert "王芳" in html
    assert "张三丰" not in html
    assert "13812345678" not in html and "1234 5678" not in html
    assert 'class="phone-check phone-check-known"' in html


def test_phone_check_receptionist_sees_the_consultant_not_the_customer(client, store,
                                                                        customer, make_user):
    client.force_login(make_user(Role.RECEPTIONIST))

    response = client.get("/leads/phone-check/", {"phone": "13812345678"})

    html = response.content.decode()
    assert "王芳" in html
    assert "张三丰" not in html


def test_phone_check_own_customer_is_named(client, customer, consultant):
    client.force_login(consultant)

    response = client.get("/leads/phone-check/", {"phone": "+8613812345678"})

    html = response.content.decode()
    assert "张三丰" in html
    assert f'href="/customers/{customer.pk}/"' in html


def test_phone_check_another_stores_customer_is_new_here(client, other_store, outsider,
                                                         consultant):
    CustomerFactory(store=other_store, owner=outsider, phone="+8613812345678")
    client.force_login(consultant)

    response = client.get("/leads/phone-check/", {"phone": "13812345678"})

    html = response.content.decode()
    assert 'class="phone-check phone-check-new"' in html
    assert "外店顾问" not in html


@pytest.mark.parametrize(("raw", "state"), [("138", "empty"), ("1381234567", "invalid"),
                                            ("13912345678", "new")])
def test_phone_check_states_while_typing(client, consultant, raw, state):
    client.force_login(consultant)

    response = client.get("/leads/phone-check/", {"phone": raw})

    assert f'class="phone-check phone-check-{state}"' in response.content.decode()


def test_phone_check_forbidden_for_finance(client, make_user):
    client.force_login(make_user(Role.FINANCE))

    response = client.get("/leads/phone-check/", {"phone": "13812345678"})

    assert response.status_code == 403


# --- Lead detail ----------------------------------------------------------------------
@pytest.fixture
def lead(store, consultant):
    return LeadFactory(store=store, owner=consultant, customer__name="张三丰",
                       customer__phone="+8613812345678", grade=Grade.B,
                       status=LeadStatus.NEW, model_interest="凯美瑞")


@pytest.mark.parametrize("who", ["consultant", "supervisor", "manager"])
def test_detail_opens_for_owner_supervisor_and_manager(client, request, lead, who):
    client.force_login(request.getfixturevalue(who))

    response = client.get(f"/leads/{lead.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["lead"] == lead
    assert "138****5678" in html
    assert "13812345678" not in html
    assert 'id="follow-up-form"' in html
    assert ('id="reassign-panel"' in html) is (who != "consultant")


def test_detail_marketing_reads_without_forms(client, lead, make_user):
    client.force_login(make_user(Role.MARKETING))

    response = client.get(f"/leads/{lead.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="follow-up-form"' not in html
    assert 'id="grade-panel"' not in html


@pytest.mark.parametrize("who", ["teammate", "outsider"])
def test_detail_is_404_outside_scope(client, request, lead, who):
    client.force_login(request.getfixturevalue(who))

    response = client.get(f"/leads/{lead.pk}/")

    assert response.status_code == 404


def test_detail_is_403_for_receptionist(client, lead, make_user):
    client.force_login(make_user(Role.RECEPTIONIST))

    response = client.get(f"/leads/{lead.pk}/")

    assert response.status_code == 403


def test_detail_timeline_newest_first_with_labels_and_names(client, lead, consultant,
                                                           teammate, supervisor):
    now = timezone.now()
    LeadEvent.objects.create(store_id=lead.store_id, lead=lead,
                             kind=EventKind.ASSIGNED, actor=supervisor,
                             data={"from_owner": teammate.pk, "to_owner": consultant.pk},
                             note="平衡工作量", created_at=now - dt.timedelta(hours=2))
    LeadEvent.objects.create(store_id=lead.store_id, lead=lead,
                             kind=EventKind.GRADE, actor=consultant,
                             data={"from": "B", "to": "A"}, note="下周提车",
                             created_at=now - dt.timedelta(hours=1))
    LeadEvent.objects.create(store_id=lead.store_id, lead=lead,
                             kind=EventKind.TOUCH, actor=consultant,
                             data={"how": "wechat", "outcome": "appointment"},
                             note="约好周六试驾", created_at=now)
    client.force_login(consultant)

    response = client.get(f"/leads/{lead.pk}/")

    assert [event.kind for event in response.context["timeline"]] == ["touch", "grade",
                                                                      "assigned"]
    html = response.content.decode()
    assert "约好周六试驾" in html
    assert "<del>李强</del> → <ins>王芳</ins>" in html
    assert "<del>B</del> → <ins>A</ins>" in html
    assert "下周提车" in html


@pytest.mark.parametrize("count", [1, 3])
def test_detail_query_count_is_constant(client, lead, consultant, teammate, count,
                                        django_assert_num_queries):
    for number in range(count):
        LeadEvent.objects.create(store_id=lead.store_id, lead=lead,
                                 kind=EventKind.ASSIGNED, actor=consultant,
                                 data={"from_owner": teammate.pk, "to_owner": consultant.pk},
                                 note=f"第{number}次")
        LostRequestFactory(lead=lead, status=LostRequestStatus.RETURNED,
                           requested_by=consultant)
    client.force_login(consultant)

    # session, user, store; lead; events; their consultants' names; lost requests
    with django_assert_num_queries(7):
        response = client.get(f"/leads/{lead.pk}/")

    assert len(response.context["timeline"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_detail_supervisor_query_count_is_constant(client, lead, supervisor, consultant,
                                                   count, django_assert_num_queries):
    for number in range(count):
        LeadEvent.objects.create(store_id=lead.store_id, lead=lead,
                                 kind=EventKind.TOUCH, actor=consultant,
                                 data={"how": "call", "outcome": "reached"},
                                 note=f"第{number}次")
    client.force_login(supervisor)

    # … no names to look up; the reassign form's consultants
    with django_assert_num_queries(7):
        response = client.get(f"/leads/{lead.pk}/")

    assert len(response.context["timeline"]) == count


@pytest.mark.parametrize("panel", ["timeline", "lead-facts"])
def test_detail_htmx_panels_render_alone(client, lead, consultant, panel):
    client.force_login(consultant)

    response = client.get(f"/leads/{lead.pk}/", **htmx(panel))

    html = response.content.decode()
    assert html.strip().startswith(f'<section class="card" id="{panel}"')
    assert 'hx-trigger="lead-updated from:body"' in html
    assert "<html" not in html
    assert "HX-Request" in vary(response)


def test_detail_lost_request_closed_by_a_win_names_no_decider(client, lead, consultant):
    LostRequestFactory(lead=lead, status=LostRequestStatus.RETURNED, decided_by=None,
                       decided_at=timezone.now(), decision_note="已成交")
    client.force_login(english(consultant))

    response = client.get(f"/leads/{lead.pk}/", **htmx("lost-panel"))

    html = response.content.decode()
    assert "decided by System on" in html
    assert "None" not in html


# --- Follow-ups -----------------------------------------------------------------------
def test_touch_htmx_contacts_the_lead_and_updates_the_panels(client, lead, consultant):
    old_due = lead.follow_up_due_at
    next_day = timezone.localdate() + dt.timedelta(days=2)
    client.force_login(consultant)

    response = client.post(f"/leads/{lead.pk}/touch/", {
        "kind": "call", "outcome": "appointment", "note": "约好周六来店",
        "next_follow_up_on": next_day.isoformat()}, **htmx("follow-up-form"))

    lead.refresh_from_db()
    assert response.status_code == 200
    assert response["HX-Trigger"] == '{"lead-updated": {}}'
    html = response.content.decode()
    assert html.strip().startswith('<section class="card" id="follow-up-form"')
    assert 'class="notice"' in html
    assert lead.status == LeadStatus.CONTACTED
    assert lead.next_follow_up_on == next_day
    assert lead.follow_up_due_at != old_due
    assert timezone.localtime(lead.follow_up_due_at).date() == next_day
    touch = Touch.objects.get()
    assert (touch.kind, touch.outcome, touch.note, touch.by) == (
        "call", "appointment", "约好周六来店", consultant)

    timeline = client.get(f"/leads/{lead.pk}/", **htmx("timeline"))

    html = timeline.content.decode()
    assert html.index("约好周六来店") < html.index("event-status")
    assert list(lead.events.values_list("kind", flat=True)[:2]) == ["touch", "status"]


def test_touch_without_javascript_redirects_to_the_lead(client, lead, consultant):
    client.force_login(consultant)

    response = client.post(f"/leads/{lead.pk}/touch/", {"kind": "sms",
                                                        "outcome": "no_answer"})

    assert response.status_code == 302
    assert response["Location"] == f"/leads/{lead.pk}/"
    assert Touch.objects.filter(lead=lead, kind="sms").count() == 1


def test_touch_from_the_list_row_returns_the_row(client, lead, consultant):
    client.force_login(consultant)
    row = f"lead-row-{lead.pk}"

    opened = client.get(f"/leads/{lead.pk}/touch/", **htmx(row))
    logged = client.post(f"/leads/{lead.pk}/touch/", {"kind": "call", "outcome": "reached"},
                         **htmx(row))

    assert opened.content.decode().strip().startswith(f'<tbody id="{row}"')
    assert 'data-testid="touch-form"' in opened.content.decode()
    assert logged.status_code == 200
    assert logged.content.decode().strip().startswith(f'<tbody id="{row}"')
    assert 'data-testid="touch-form"' not in logged.content.decode()
    assert 'class="badge status-badge status-contacted"' in logged.content.decode()


def test_touch_get_without_htmx_goes_to_the_detail_form(client, lead, consultant):
    client.force_login(consultant)

    response = client.get(f"/leads/{lead.pk}/touch/")

    assert response.status_code == 302
    assert response["Location"] == f"/leads/{lead.pk}/#follow-up-form"


def test_touch_invalid_is_refused_with_input_kept(client, lead, consultant):
    client.force_login(consultant)
    yesterday = timezone.localdate() - dt.timedelta(days=1)

    response = client.post(f"/leads/{lead.pk}/touch/", {
        "kind": "call", "outcome": "reached", "note": "留言",
        "next_follow_up_on": yesterday.isoformat()}, **htmx("follow-up-form"))

    assert response.status_code == 400
    assert list(response.context["touch_form"].errors) == ["next_follow_up_on"]
    assert "留言" in response.content.decode()
    assert Touch.objects.count() == 0


def test_touch_teammate_gets_404(client, lead, teammate):
    client.force_login(teammate)

    response = client.post(f"/leads/{lead.pk}/touch/", {"kind": "call",
                                                        "outcome": "reached"})

    assert response.status_code == 404
    assert Touch.objects.count() == 0


def test_touch_marketing_is_forbidden(client, lead, make_user):
    client.force_login(make_user(Role.MARKETING))

    response = client.post(f"/leads/{lead.pk}/touch/", {"kind": "call",
                                                        "outcome": "reached"})

    assert response.status_code == 403
    assert Touch.objects.count() == 0


# --- Grade ----------------------------------------------------------------------------
def test_grade_override_with_reason(client, lead, consultant):
    client.force_login(consultant)

    response = client.post(f"/leads/{lead.pk}/grade/", {"grade": "A", "reason": "下周提车"},
                           **htmx("grade-panel"))

    lead.refresh_from_db()
    assert response.status_code == 200
    assert response["HX-Trigger"] == '{"lead-updated": {}}'
    assert (lead.grade, lead.grade_overridden) == ("A", True)
    event = LeadEvent.objects.get(lead=lead, kind=EventKind.GRADE)
    assert (event.data, event.note, event.actor) == ({"from": "B", "to": "A"}, "下周提车",
                                                     consultant)


def test_grade_override_without_reason_is_refused(client, lead, consultant):
    client.force_login(consultant)

    response = client.post(f"/leads/{lead.pk}/grade/", {"grade": "A", "reason": ""})

    lead.refresh_from_db()
    assert response.status_code == 400
    assert list(response.context["grade_form"].errors) == ["reason"]
    assert (lead.grade, lead.grade_overridden) == ("B", False)
    assert not LeadEvent.objects.filter(kind=EventKind.GRADE).exists()


# --- Lost -----------------------------------------------------------------------------
def test_lost_request_shows_as_pending(client, lead, consultant, supervisor):
    client.force_login(consultant)

    response = client.post(f"/leads/{lead.pk}/lost/", {"reason": "price", "note": "嫌贵"},
                           **htmx("lost-panel"))

    request = LostRequest.objects.get()
    assert (request.status, request.reason, request.requested_by) == (
        LostRequestStatus.PENDING, LostReason.PRICE, consultant)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="badge lost-state-pending"' in html
    assert f'action="/leads/{lead.pk}/lost/"' not in html
    assert list(Notification.objects.filter(kind=EventKind.LOST_REQUESTED)
                .values_list("user", flat=True)) == [supervisor.pk]


def test_lost_second_request_is_refused_with_a_message(client, lead, consultant):
    LostRequestFactory(lead=lead, requested_by=consultant)
    client.force_login(english(consultant))

    response = client.post(f"/leads/{lead.pk}/lost/", {"reason": "price", "note": ""})

    assert response.status_code == 400
    assert response.context["lost_form"].non_field_errors() == [
        "A lost request for this lead is already waiting for approval."]
    assert "A lost request for this lead is already waiting for approval." in (
        response.content.decode())
    assert LostRequest.objects.count() == 1


def test_lost_other_needs_a_note(client, lead, consultant):
    client.force_login(consultant)

    response = client.post(f"/leads/{lead.pk}/lost/", {"reason": "other", "note": ""})

    assert response.status_code == 400
    assert list(response.context["lost_form"].errors) == ["note"]
    assert LostRequest.objects.count() == 0


# --- Reassign -------------------------------------------------------------------------
def test_reassign_by_supervisor(client, lead, supervisor, teammate):
    client.force_login(supervisor)

    response = client.post(f"/leads/{lead.pk}/reassign/", {"to": teammate.pk,
                                                           "reason": "王芳休假"})

    lead.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == f"/leads/{lead.pk}/"
    assert (lead.owner, lead.customer.owner) == (teammate, teammate)
    event = LeadEvent.objects.get(lead=lead, kind=EventKind.ASSIGNED)
    assert (event.actor, event.note) == (supervisor, "王芳休假")


def test_reassign_consultant_is_forbidden(client, lead, consultant, teammate):
    client.force_login(consultant)

    response = client.post(f"/leads/{lead.pk}/reassign/", {"to": teammate.pk})

    lead.refresh_from_db()
    assert response.status_code == 403
    assert lead.owner == consultant


def test_reassign_to_another_stores_consultant_is_refused(client, lead, supervisor,
                                                          outsider, consultant):
    client.force_login(supervisor)

    response = client.post(f"/leads/{lead.pk}/reassign/", {"to": outsider.pk},
                           **htmx("reassign-panel"))

    lead.refresh_from_db()
    assert response.status_code == 400
    assert list(response.context["reassign_form"].errors) == ["to"]
    assert lead.owner == consultant


def test_reassign_out_of_the_supervisors_team_returns_to_the_list(client, lead, supervisor,
                                                                  other_team_member):
    client.force_login(supervisor)

    response = client.post(f"/leads/{lead.pk}/reassign/", {"to": other_team_member.pk},
                           **htmx("reassign-panel"))

    lead.refresh_from_db()
    assert lead.owner == other_team_member
    assert response["HX-Redirect"] == "/leads/"


def test_row_markup_ids_match_the_touch_target(client, lead, consultant):
    client.force_login(consultant)

    response = client.get("/leads/")

    html = response.content.decode()
    assert re.search(rf'hx-get="/leads/{lead.pk}/touch/" hx-target="#lead-row-{lead.pk}"',
                     html)
