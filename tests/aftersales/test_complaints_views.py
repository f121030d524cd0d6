"""Complaint screens: who sees which (customer care the store's, a consultant their own
customers' read-only, a service advisor the service department's, another store 404),
the board by SLA state with its polled partial, the list, the page and its actions
(400 / 409 with the input kept), the intake, and fixed query counts at 1 and 3 rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.enums import ComplaintDepartment, ComplaintStatus
from aftersales.models import Complaint
from dealership.enums import Role
from tests.aftersales.factories_complaints import at, complaint_record, complaint_step
from tests.factories import CustomerFactory
from tests.helpers import HTMX, english

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

BOARD = "/aftersales/complaints/"
LIST = "/aftersales/complaints/all/"
NEW = "/aftersales/complaints/new/"
HOUR = dt.timedelta(hours=1)


def detail(complaint) -> str:
    return f"/aftersales/complaints/{complaint.pk}/"


@pytest.fixture
def carer(make_user):
    return english(make_user(Role.CUSTOMER_CARE, name="钱客服"))


@pytest.fixture
def advisor(make_user):
    return english(make_user(Role.SERVICE_ADVISOR, name="孙顾问"))


@pytest.fixture
def now():
    """The page's clock: an hour after "recent" complaints were received."""
    return timezone.now().replace(microsecond=0)


def recent(carer, customer, now, **fields) -> Complaint:
    return complaint_record(carer, customer, received_at=now - HOUR, now=now, **fields)


# --- Access ---------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [BOARD, LIST, NEW])
def test_anonymous_goes_to_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.FINANCE, Role.MARKETING])
def test_other_roles_are_forbidden(client, make_user, role):
    client.force_login(make_user(role))

    assert client.get(BOARD).status_code == 403
    assert client.get(LIST).status_code == 403


def test_customer_care_sees_the_store_complaints(client, carer, customer, now):
    complaint = recent(carer, customer, now, summary="车门异响")
    client.force_login(carer)

    board = client.get(BOARD).content.decode()
    page = client.get(detail(complaint))

    assert "车门异响" in board
    assert page.status_code == 200
    assert page.context["may_work"] is True
    assert [a["name"] for a in page.context["actions"]] == [
        "respond", "propose", "resolve", "assign", "note"]


def test_a_consultant_sees_only_own_customers_complaints_read_only(
        client, carer, consultant, teammate, customer, store, now):
    mine = recent(carer, customer, now, summary="我的客户投诉")
    theirs = recent(carer, CustomerFactory(store=store, owner=teammate), now,
                    summary="同事客户投诉")
    client.force_login(english(consultant))

    board = client.get(BOARD).content.decode()
    page = client.get(detail(mine))

    assert "我的客户投诉" in board
    assert "同事客户投诉" not in board
    assert page.status_code == 200
    assert page.context["actions"] == []
    assert "You see this complaint because it concerns you" in page.content.decode()
    assert client.get(detail(theirs)).status_code == 404
    assert client.post(f"{detail(mine)}respond/", {"note": "x"}).status_code == 403
    assert client.get(NEW).status_code == 403


def test_a_service_advisor_sees_the_service_departments_complaints(client, carer, advisor,
                                                                    customer, now):
    service = recent(carer, customer, now, department=ComplaintDepartment.SERVICE)
    sales = recent(carer, customer, now, department=ComplaintDepartment.SALES)
    client.force_login(advisor)

    assert client.get(detail(service)).status_code == 200
    assert client.get(detail(sales)).status_code == 404
    assert [row.complaint for row in client.get(LIST).context["rows"]] == [service]


def test_another_store_answers_404(client, carer, customer, make_user, other_store, now):
    complaint = recent(carer, customer, now)
    client.force_login(make_user(Role.CUSTOMER_CARE, username="care2", store=other_store))

    assert client.get(detail(complaint)).status_code == 404
    assert client.post(f"{detail(complaint)}note/", {"note": "看看"}).status_code == 404
    assert client.get(f"{NEW}?customer={customer.pk}").status_code == 404
    assert client.get(LIST).context["rows"] == []


# --- Board ----------------------------------------------------------------------------------
def test_board_sorts_complaints_by_sla_state(client, carer, customer, now):
    breached = complaint_record(carer, customer, received_at=now - 3 * HOUR, now=now,
                                summary="超时")
    due_soon = complaint_record(carer, customer, received_at=now - 100 * dt.timedelta(
        minutes=1), now=now, summary="快到期")
    on_track = recent(carer, customer, now, summary="正常")
    awaiting = recent(carer, customer, now, summary="待反馈")
    complaint_step(carer, awaiting, "resolve", now=now)
    client.force_login(carer)

    with at(now):
        response = client.get(BOARD)

    sections = {s["state"]: [r.complaint for r in s["rows"]]
                for s in response.context["sections"]}
    assert sections == {"breached": [breached], "due_soon": [due_soon],
                        "on_track": [on_track], "awaiting_feedback": [awaiting],
                        "closed": []}
    html = response.content.decode()
    assert "overdue by 1 h" in html
    assert 'hx-trigger="every 60s"' in html


def test_board_htmx_poll_returns_only_the_partial(client, carer, customer, now):
    recent(carer, customer, now, summary="正常")
    client.force_login(carer)

    with at(now):
        response = client.get(BOARD, **HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="complaint-board"')
    assert "1 h left" in html
    assert response["Vary"].count("HX-Request") == 1


def test_board_filters_by_handler(client, carer, manager, customer, now):
    recent(carer, customer, now, summary="客服的")
    complaint_record(english(manager), customer, received_at=now - HOUR, now=now,
                     summary="经理的")
    client.force_login(carer)

    response = client.get(BOARD, {"handler": manager.pk})

    assert [r.complaint.summary for s in response.context["sections"] for r in s["rows"]] == [
        "经理的"]


def test_board_bad_filter_is_400(client, carer):
    client.force_login(carer)

    assert client.get(BOARD, {"category": "nonsense"}).status_code == 400


def test_board_empty_says_what_to_do(client, carer):
    client.force_login(carer)

    html = client.get(BOARD).content.decode()

    assert "No open complaint. Record one from the customer" in html


@pytest.mark.parametrize("rows", [1, 3])
def test_board_query_count_is_fixed(client, carer, customer, now, rows,
                                    django_assert_num_queries):
    for index in range(rows):
        complaint = recent(carer, customer, now, summary=f"投诉{index}")
        closed = recent(carer, customer, now, summary=f"已结{index}")
        complaint_step(carer, closed, "resolve", now=now)
        complaint_step(carer, closed, "close", now=now)
    assert complaint.status == ComplaintStatus.OPEN
    client.force_login(carer)

    # session, user, store; open complaints, closed count, closed rows; the handlers
    with django_assert_num_queries(7):
        client.get(BOARD)


# --- List -----------------------------------------------------------------------------------
@pytest.mark.parametrize("rows", [1, 3])
def test_list_query_count_is_fixed(client, carer, customer, now, rows,
                                   django_assert_num_queries):
    for index in range(rows):
        recent(carer, customer, now, summary=f"投诉{index}")
    client.force_login(carer)

    # session, user, store; count, page of complaints; the handlers
    with django_assert_num_queries(6):
        response = client.get(LIST)

    assert len(response.context["rows"]) == rows


def test_list_filters_by_status_and_search(client, carer, customer, now):
    recent(carer, customer, now, summary="刹车")
    closed = recent(carer, customer, now, summary="空调")
    complaint_step(carer, closed, "resolve", now=now)
    client.force_login(carer)

    by_status = client.get(LIST, {"status": "resolved"}).context["rows"]
    by_term = client.get(LIST, {"q": "刹车"}).context["rows"]

    assert [r.complaint.summary for r in by_status] == ["空调"]
    assert [r.complaint.summary for r in by_term] == ["刹车"]


def test_list_paginates(client, carer, customer, now):
    for index in range(26):
        recent(carer, customer, now, summary=f"投诉{index}")
    client.force_login(carer)

    first = client.get(LIST)
    second = client.get(LIST, {"page": 2})

    assert (len(first.context["rows"]), len(second.context["rows"])) == (25, 1)


# --- The page -------------------------------------------------------------------------------
@pytest.mark.parametrize("events", [1, 3])
def test_detail_query_count_is_fixed(client, carer, customer, now, events,
                                     django_assert_num_queries):
    complaint = recent(carer, customer, now)
    for index in range(events - 1):
        complaint_step(carer, complaint, ("respond", "propose")[index], now=now)
    client.force_login(carer)

    # session, user, store; complaint, events, breaches; the handlers to assign to
    with django_assert_num_queries(7):
        response = client.get(detail(complaint))

    assert len(response.context["events"]) == events


def test_detail_shows_the_masked_phone_only(client, carer, customer, now):
    complaint = recent(carer, customer, now)
    client.force_login(carer)

    html = client.get(detail(complaint)).content.decode()

    assert customer.phone_masked in html


def test_detail_htmx_poll_returns_the_clocks(client, carer, customer, now):
    complaint = recent(carer, customer, now)
    client.force_login(carer)

    with at(now + 30 * dt.timedelta(minutes=1)):
        response = client.get(detail(complaint), **HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card complaint-clocks" id="complaint-clocks"')
    assert "30 min left" in html


def test_respond_through_the_page(client, carer, customer, now):
    complaint = recent(carer, customer, now)
    client.force_login(carer)

    response = client.post(f"{detail(complaint)}respond/", {"note": "已回电"})

    assert response.status_code == 302
    assert response["Location"] == detail(complaint)
    complaint.refresh_from_db()
    assert (complaint.status, complaint.response_note) == (ComplaintStatus.RESPONDED, "已回电")


def test_close_without_feedback_is_400_with_the_message_and_nothing_changes(
        client, carer, customer, now):
    complaint = recent(carer, customer, now)
    complaint_step(carer, complaint, "resolve", now=now)
    client.force_login(carer)

    response = client.post(f"{detail(complaint)}close/",
                           {"customer_feedback": "", "customer_satisfied": "yes"})

    assert response.status_code == 400
    form = next(a["form"] for a in response.context["actions"] if a["name"] == "close")
    assert form.errors == {"customer_feedback": ["Closing requires the customer's feedback."]}
    assert form["customer_satisfied"].value() == "yes"
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RESOLVED


def test_a_stale_action_is_409_and_shows_the_complaint_as_it_is(client, carer, manager,
                                                                customer, now):
    complaint = recent(carer, customer, now)
    complaint_step(english(manager), complaint, "respond", now=now)
    client.force_login(carer)

    response = client.post(f"{detail(complaint)}respond/", {"note": "我也回电了"})

    assert response.status_code == 409
    assert response.context["complaint"].status == ComplaintStatus.RESPONDED
    assert "reload the page to see what changed" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.response_note == "已致电客户，约定到店检查。"


def test_reopen_through_the_page(client, carer, customer, now):
    complaint = recent(carer, customer, now)
    complaint_step(carer, complaint, "resolve", now=now)
    complaint_step(carer, complaint, "close", now=now)
    client.force_login(carer)

    response = client.post(f"{detail(complaint)}reopen/", {"customer_words": "还是有问题"})

    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.status, complaint.reopened_count) == (ComplaintStatus.OPEN, 1)


# --- Intake ---------------------------------------------------------------------------------
def test_the_customer_page_offers_record_a_complaint_to_customer_care(client, carer,
                                                                      consultant, customer):
    client.force_login(carer)
    html = client.get(f"/customers/{customer.pk}/").content.decode()
    assert f'href="{NEW}?customer={customer.pk}"' in html

    client.force_login(consultant)
    assert 'data-testid="record-complaint"' not in client.get(
        f"/customers/{customer.pk}/").content.decode()


def test_intake_finds_the_customer_by_phone_showing_it_masked(client, carer, customer):
    client.force_login(carer)

    response = client.get(NEW, {"q": "5678"})

    assert response.context["found"] == [customer]
    assert customer.phone_masked in response.content.decode()


def test_intake_records_and_opens_the_complaint(client, carer, customer, now):
    client.force_login(carer)
    received = timezone.localtime(now - HOUR).strftime("%Y-%m-%dT%H:%M")

    response = client.post(f"{NEW}?customer={customer.pk}", {
        "customer": customer.pk, "channel": "phone", "category": "product_quality",
        "severity": "high", "department": "service", "summary": "发动机故障灯",
        "description": "仪表盘发动机故障灯常亮。", "received_at": received, "contract": ""})

    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(complaint)
    assert (complaint.customer, complaint.handler, complaint.category, complaint.summary) == (
        customer, carer, "product_quality", "发动机故障灯")


def test_intake_with_a_time_too_long_ago_is_400_and_keeps_the_input(client, carer, customer,
                                                                    now):
    client.force_login(carer)
    received = timezone.localtime(now - dt.timedelta(days=8)).strftime("%Y-%m-%dT%H:%M")

    response = client.post(f"{NEW}?customer={customer.pk}", {
        "customer": customer.pk, "channel": "phone", "category": "price",
        "severity": "low", "department": "sales", "summary": "价格不符",
        "description": "说好的优惠没给。", "received_at": received})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["received_at"]
    assert response.context["form"]["summary"].value() == "价格不符"
    assert Complaint.objects.count() == 0


@pytest.mark.parametrize("found", [1, 3])
def test_intake_search_query_count_is_fixed(client, carer, store, found,
                                            django_assert_num_queries):
    for index in range(found):
        CustomerFactory(store=store, name=f"陈{index}")
    client.force_login(carer)

    # session, user, store; the customers found
    with django_assert_num_queries(4):
        response = client.get(NEW, {"q": "陈"})

    assert len(response.context["found"]) == found


def test_the_action_forms_have_distinct_ids(client, carer, customer, now):
    complaint = recent(carer, customer, now)
    client.force_login(carer)

    html = client.get(detail(complaint)).content.decode()

    assert 'id="respond-note"' in html
    assert 'id="note-note"' in html
    assert 'id="id_note"' not in html
