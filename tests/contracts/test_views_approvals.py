"""Discount approvals screens: the inbox per role, one request, the decision (from the
request's page and from an inbox card with htmx), the race's loser, the navigation count;
and the discount policy page."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from contracts.enums import ApprovalDecision, ApprovalStatus, ApprovalTier, QuoteStatus
from contracts.models import ApprovalRequest, DiscountPolicy
from contracts.selectors.approvals import approval_inbox_count
from contracts.services.quotes import approval_decide, quote_revise
from dealership.enums import Role
from dealership.models import AuditEntry
from tests.contracts.factories import make_quote, pending_approval, quote_input
from tests.factories import (
    CustomerFactory,
    StockVehicleFactory,
    TeamFactory,
    TrimFactory,
    UserFactory,
)
from tests.helpers import HTMX, english

pytestmark = pytest.mark.django_db

INBOX = "/contracts/approvals/"


def detail_url(approval) -> str:
    return f"/contracts/approvals/{approval.pk}/"


def decide_url(approval) -> str:
    return f"/contracts/approvals/{approval.pk}/decide/"


def asking(consultant, customer, discount: str, **kwargs) -> ApprovalRequest:
    """A quote of `consultant` whose discount waits for approval; its request."""
    return pending_approval(make_quote(consultant, customer, discount=Decimal(discount),
                                       **kwargs))


@pytest.fixture
def other_supervisor(store):
    return UserFactory(username="sup2", name="钱主管", role=Role.SUPERVISOR, store=store)


@pytest.fixture
def other_consultant(store, other_supervisor):
    team = TeamFactory(store=store, name="销售二组", supervisor=other_supervisor)
    return UserFactory(username="con2", name="孙丽", role=Role.CONSULTANT, store=store,
                       team=team)


@pytest.fixture
def other_customer(store, other_consultant):
    return CustomerFactory(store=store, owner=other_consultant, name="李四光")


@pytest.fixture
def team_request(consultant, customer):
    """¥5,000: above the consultant's ¥3,000, within the supervisor's ¥8,000."""
    return asking(consultant, customer, "5000")


@pytest.fixture
def manager_request(consultant, customer):
    """¥9,000: above the supervisor's limit, above the floor of 8 % of ¥209,800 not."""
    return asking(consultant, customer, "9000")


@pytest.fixture
def other_team_request(other_consultant, other_customer):
    return asking(other_consultant, other_customer, "6000")


# --- Inbox --------------------------------------------------------------------------------
def test_inbox_supervisor_sees_own_teams_supervisor_tier_requests(
        client, supervisor, team_request, manager_request, other_team_request):
    client.force_login(supervisor)

    response = client.get(INBOX)

    assert response.status_code == 200
    assert [a.pk for a in response.context["approvals"]] == [team_request.pk]
    assert team_request.tier == ApprovalTier.SUPERVISOR
    html = response.content.decode()
    assert f'id="approval-card-{team_request.pk}"' in html
    assert "张*丰" in html and "张三丰" not in html
    assert f'href="/contracts/approvals/{team_request.pk}/"' in html


def test_inbox_manager_sees_manager_tier_first_and_every_request_under_all(
        client, manager, team_request, manager_request, other_team_request):
    client.force_login(manager)

    mine = client.get(INBOX)
    every = client.get(f"{INBOX}?tab=all")

    assert mine.context["tab"] == "mine"
    assert [a.pk for a in mine.context["approvals"]] == [manager_request.pk]
    assert mine.context["counts"] == {"mine": 1, "all": 3}
    assert every.context["tab"] == "all"
    assert [a.pk for a in every.context["approvals"]] == [
        team_request.pk, manager_request.pk, other_team_request.pk]


def test_inbox_manager_can_decide_supervisor_tier_under_all(client, manager, team_request):
    client.force_login(manager)

    response = client.get(f"{INBOX}?tab=all")

    assert [a.can_decide for a in response.context["approvals"]] == [True]
    assert 'data-testid="quick-approve"' in response.content.decode()


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.RECEPTIONIST, Role.FINANCE])
def test_inbox_is_forbidden_to_roles_that_approve_nothing(client, make_user, role):
    client.force_login(make_user(role))

    response = client.get(INBOX)

    assert response.status_code == 403


def test_inbox_shows_cost_and_margin_to_the_manager(client, manager, consultant, customer,
                                                    store):
    trim = TrimFactory()
    StockVehicleFactory(store=store, trim=trim, cost=Decimal("180000.00"))
    StockVehicleFactory(store=store, trim=trim, cost=Decimal("182000.00"))
    approval = asking(consultant, customer, "9000", trim=trim)
    client.force_login(manager)

    response = client.get(INBOX)

    row = response.context["approvals"][0]
    html = response.content.decode()
    assert row.pk == approval.pk
    assert row.cost == Decimal("181000.00")
    assert row.margin == Decimal("19800.00")  # 209,800 − 9,000 − 181,000
    assert row.discount_pct == Decimal("4.29")
    assert 'data-testid="approval-cost">¥181,000.00<' in html
    assert 'data-testid="approval-margin">¥19,800.00<' in html


def test_inbox_cost_of_a_chosen_vehicle_is_that_vehicles(client, manager, consultant,
                                                         customer, store):
    trim = TrimFactory()
    vehicle = StockVehicleFactory(store=store, trim=trim, cost=Decimal("175000.00"))
    StockVehicleFactory(store=store, trim=trim, cost=Decimal("190000.00"))
    asking(consultant, customer, "9000", trim=trim, vehicle=vehicle)
    client.force_login(manager)

    response = client.get(INBOX)

    assert response.context["approvals"][0].cost == Decimal("175000.00")


def test_inbox_hides_cost_from_the_supervisor(client, supervisor, consultant, customer, store):
    trim = TrimFactory()
    StockVehicleFactory(store=store, trim=trim, cost=Decimal("180000.00"))
    asking(consultant, customer, "5000", trim=trim)
    client.force_login(supervisor)

    response = client.get(INBOX)

    html = response.content.decode()
    assert response.context["show_cost"] is False
    assert response.context["approvals"][0].cost is None
    assert "approval-cost" not in html and "approval-margin" not in html
    assert "180,000" not in html


def test_inbox_flags_a_discount_below_the_floor_with_its_reason(client, manager, consultant,
                                                                customer):
    asking(consultant, customer, "20000", floor_reason="库存车清仓")
    client.force_login(manager)

    response = client.get(INBOX)

    html = response.content.decode()
    assert response.context["approvals"][0].version.below_floor is True
    assert 'data-testid="approval-floor"' in html and "库存车清仓" in html


def test_inbox_empty_says_what_comes_next(client, supervisor):
    client.force_login(english(supervisor))

    response = client.get(INBOX)

    html = response.content.decode()
    assert response.context["approvals"] == []
    assert "Nothing is waiting for your decision." in html
    assert "When a consultant of your team asks for more than their own limit" in html
    assert 'href="/contracts/policy/"' in html


def test_inbox_lists_what_the_user_decided_recently(client, supervisor, team_request):
    approval_decide(actor=supervisor, approval=team_request, decision=ApprovalDecision.APPROVE)
    client.force_login(supervisor)

    response = client.get(INBOX)

    assert response.context["approvals"] == []
    assert [a.pk for a in response.context["decided"]] == [team_request.pk]
    assert 'data-testid="decided-item"' in response.content.decode()


def test_inbox_htmx_tab_returns_the_list(client, manager, team_request):
    client.force_login(manager)

    response = client.get(f"{INBOX}?tab=all", **HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="approval-list">')
    assert "<html" not in html


@pytest.mark.parametrize("count", [1, 3])
def test_inbox_query_count_supervisor(client, supervisor, consultant, customer, count,
                                      django_assert_num_queries):
    for n in range(count):
        asking(consultant, customer, str(4000 + n))
    client.force_login(supervisor)

    # session, user, store (time zone), pending requests, decided recently, and the
    # user's permissions (may they see cost?: two queries, once)
    with django_assert_num_queries(7):
        response = client.get(INBOX)

    assert len(response.context["approvals"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_inbox_query_count_manager(client, manager, consultant, customer, count,
                                   django_assert_num_queries):
    for n in range(count):
        asking(consultant, customer, str(9000 + n))
    client.force_login(manager)

    # session, user, store, tab counts, pending requests, permissions (two), typical
    # costs, decided recently
    with django_assert_num_queries(9):
        response = client.get(INBOX)

    assert len(response.context["approvals"]) == count


# --- The navigation count -----------------------------------------------------------------
def test_inbox_count_per_role(supervisor, other_supervisor, manager, team_request,
                              manager_request, other_team_request):
    assert approval_inbox_count(supervisor) == 1
    assert approval_inbox_count(other_supervisor) == 1
    assert approval_inbox_count(manager) == 1


def test_inbox_count_drops_once_decided(supervisor, team_request):
    approval_decide(actor=supervisor, approval=team_request, decision=ApprovalDecision.APPROVE)

    assert approval_inbox_count(supervisor) == 0


def test_inbox_count_is_one_query(supervisor, team_request, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert approval_inbox_count(supervisor) == 1


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.RECEPTIONIST, Role.FINANCE])
def test_inbox_count_is_zero_without_a_query_for_others(make_user, role, team_request,
                                                        django_assert_num_queries):
    user = make_user(role)

    with django_assert_num_queries(0):
        assert approval_inbox_count(user) == 0


def test_inbox_count_of_another_stores_manager_is_zero(make_user, other_store, team_request,
                                                       manager_request):
    assert approval_inbox_count(make_user(Role.MANAGER, store=other_store)) == 0


# --- One request --------------------------------------------------------------------------
def test_detail_shows_the_versions_figures_and_the_decision_buttons(
        client, supervisor, consultant, customer):
    quote = make_quote(consultant, customer, discount=Decimal("2000"))
    version = quote.current_version
    quote_revise(actor=consultant, quote=quote,
                 data=quote_input(trim=version.trim, discount=Decimal("5000"),
                                  note="客户要求再让一点"))
    approval = pending_approval(quote)
    client.force_login(supervisor)

    response = client.get(detail_url(approval))

    html = response.content.decode()
    assert response.status_code == 200
    assert [v.number for v in response.context["history"]] == [2, 1]
    assert [v.discount for v in response.context["history"]] == [Decimal("5000.00"),
                                                                   Decimal("2000.00")]
    assert "客户要求再让一点" in html
    assert 'data-testid="out-the-door">¥204,800.00<' in html
    assert 'name="decision" value="approve"' in html
    assert 'name="decision" value="reject"' in html
    assert 'name="decision" value="counter"' in html
    assert html.index('name="comment"') < html.index('value="approve"')
    assert html.index('name="counter_discount"') < html.index('value="approve"')
    assert "approval-cost" not in html


def test_detail_shows_cost_to_the_manager(client, manager, consultant, customer, store):
    trim = TrimFactory()
    StockVehicleFactory(store=store, trim=trim, cost=Decimal("180000.00"))
    approval = asking(consultant, customer, "9000", trim=trim)
    client.force_login(manager)

    response = client.get(detail_url(approval))

    assert response.context["approval"].cost == Decimal("180000.00")
    assert 'data-testid="approval-margin">¥20,800.00<' in response.content.decode()


def test_detail_of_another_teams_request_is_404(client, supervisor, other_team_request):
    client.force_login(supervisor)

    response = client.get(detail_url(other_team_request))

    assert response.status_code == 404


def test_detail_of_another_stores_request_is_404(client, make_user, other_store,
                                                 team_request):
    client.force_login(make_user(Role.MANAGER, store=other_store))

    response = client.get(detail_url(team_request))

    assert response.status_code == 404


def test_detail_is_forbidden_to_the_consultant(client, consultant, team_request):
    client.force_login(consultant)

    response = client.get(detail_url(team_request))

    assert response.status_code == 403


def test_detail_of_a_manager_tier_request_tells_the_supervisor_who_decides(
        client, supervisor, manager_request):
    client.force_login(english(supervisor))

    response = client.get(detail_url(manager_request))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Waiting for the manager's decision." in html
    assert 'name="decision"' not in html


# --- Deciding -----------------------------------------------------------------------------
def test_decide_approve(client, supervisor, team_request):
    client.force_login(supervisor)

    response = client.post(decide_url(team_request), {"decision": "approve", "comment": ""})

    team_request.refresh_from_db()
    quote = team_request.quote
    quote.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == INBOX
    assert team_request.status == ApprovalStatus.APPROVED
    assert team_request.decided_by == supervisor
    assert quote.status == QuoteStatus.APPROVED
    assert quote.current_version.number == 1


def test_decide_reject_with_comment(client, supervisor, team_request):
    client.force_login(supervisor)

    response = client.post(decide_url(team_request),
                           {"decision": "reject", "comment": "这个车型不能再让"})

    team_request.refresh_from_db()
    quote = team_request.quote
    quote.refresh_from_db()
    assert response.status_code == 302
    assert team_request.status == ApprovalStatus.REJECTED
    assert team_request.comment == "这个车型不能再让"
    assert quote.status == QuoteStatus.REJECTED
    assert quote.current_version.number == 1


def test_decide_counter_writes_an_approved_version(client, supervisor, team_request):
    client.force_login(english(supervisor))

    response = client.post(decide_url(team_request), {
        "decision": "counter", "comment": "最多让三千", "counter_discount": "3000"})

    team_request.refresh_from_db()
    quote = team_request.quote
    quote.refresh_from_db()
    assert response.status_code == 302
    assert team_request.status == ApprovalStatus.COUNTERED
    assert team_request.counter_discount == Decimal("3000.00")
    assert quote.status == QuoteStatus.APPROVED
    assert quote.current_version.number == 2
    assert quote.current_version.discount == Decimal("3000.00")
    assert [str(m) for m in response.wsgi_request._messages] == [
        f"Counter-offer of ¥3,000.00 on {quote.number} saved; the quote is approved at "
        "that discount."]


def test_decide_reject_without_comment_is_400_with_the_message(client, supervisor,
                                                               team_request):
    client.force_login(english(supervisor))

    response = client.post(decide_url(team_request), {"decision": "reject", "comment": " "})

    team_request.refresh_from_db()
    assert response.status_code == 400
    assert response.context["form"].errors["comment"] == [
        "Tell the consultant why you reject it."]
    assert "Tell the consultant why you reject it." in response.content.decode()
    assert team_request.status == ApprovalStatus.PENDING


def test_decide_counter_without_amount_is_400_with_the_input_kept(client, supervisor,
                                                                  team_request):
    client.force_login(english(supervisor))

    response = client.post(decide_url(team_request),
                           {"decision": "counter", "comment": "再谈谈", "counter_discount": ""})

    assert response.status_code == 400
    assert response.context["form"].errors["counter_discount"] == [
        "A counter-offer is a smaller discount than the ¥5,000.00 asked."]
    assert "再谈谈" in response.content.decode()


def test_decide_an_already_decided_request_is_409(client, supervisor, manager, team_request):
    approval_decide(actor=supervisor, approval=team_request, decision=ApprovalDecision.APPROVE)
    client.force_login(english(manager))

    response = client.post(decide_url(team_request), {"decision": "reject", "comment": "不行"})

    team_request.refresh_from_db()
    assert response.status_code == 409
    assert response.context["form"].non_field_errors() == [
        "This request was already decided (Approved) by 赵主管."]
    assert team_request.status == ApprovalStatus.APPROVED
    assert team_request.decided_by == supervisor
    assert team_request.comment == ""


def test_supervisor_cannot_decide_a_manager_tier_request(client, supervisor, manager_request):
    client.force_login(supervisor)

    response = client.post(decide_url(manager_request), {"decision": "approve"})

    manager_request.refresh_from_db()
    assert response.status_code == 403
    assert manager_request.status == ApprovalStatus.PENDING


def test_decide_another_teams_request_is_404(client, supervisor, other_team_request):
    client.force_login(supervisor)

    response = client.post(decide_url(other_team_request), {"decision": "approve"})

    other_team_request.refresh_from_db()
    assert response.status_code == 404
    assert other_team_request.status == ApprovalStatus.PENDING


def test_decide_is_forbidden_to_the_consultant(client, consultant, team_request):
    audit_rows = AuditEntry.objects.count()
    client.force_login(consultant)

    response = client.post(decide_url(team_request), {"decision": "approve"})

    team_request.refresh_from_db()
    team_request.quote.refresh_from_db()
    assert response.status_code == 403
    assert (team_request.status, team_request.decided_by) == (ApprovalStatus.PENDING, None)
    assert team_request.quote.status == QuoteStatus.PENDING
    assert AuditEntry.objects.count() == audit_rows


def test_decide_from_the_card_swaps_it_to_its_decided_state(client, supervisor, team_request):
    client.force_login(english(supervisor))

    response = client.post(decide_url(team_request), {"decision": "approve"},
                           HTTP_HX_TARGET=f"approval-card-{team_request.pk}", **HTMX)

    html = response.content.decode()
    team_request.refresh_from_db()
    assert response.status_code == 200
    assert html.lstrip().startswith('<article class="card approval-card"')
    assert f'id="approval-card-{team_request.pk}"' in html
    assert 'data-testid="approval-status">Approved<' in html
    assert "Discount of ¥5,000.00 on " in html
    assert 'name="decision"' not in html
    assert json.loads(response["HX-Trigger"]) == {"approvals-changed": {}}
    assert team_request.status == ApprovalStatus.APPROVED


def test_decide_from_the_card_race_loser_sees_who_won(client, supervisor, manager,
                                                      team_request):
    approval_decide(actor=manager, approval=team_request, decision=ApprovalDecision.REJECT,
                    comment="价格太低")
    client.force_login(english(supervisor))

    response = client.post(decide_url(team_request), {"decision": "approve"},
                           HTTP_HX_TARGET=f"approval-card-{team_request.pk}", **HTMX)

    html = response.content.decode()
    team_request.refresh_from_db()
    assert response.status_code == 409
    assert "This request was already decided (Rejected) by 周经理." in html
    assert 'data-testid="approval-status">Rejected<' in html
    assert team_request.status == ApprovalStatus.REJECTED


# --- Discount policy ----------------------------------------------------------------------
POLICY = "/contracts/policy/"
SENTENCE = ("Consultants may give up to ¥3,000.00; supervisors up to ¥8,000.00; above that "
            "the manager decides. Discounts above 8 % of the list price need a recorded "
            "reason and the manager's approval.")


def policy_data(**overrides) -> dict[str, str]:
    data = {"consultant_limit": "3000", "supervisor_limit": "8000", "floor_pct": "8",
            "quote_valid_days": "7", "contract_terms": ""}
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.MANAGER])
def test_policy_is_read_as_a_sentence(client, make_user, role):
    client.force_login(english(make_user(role)))

    response = client.get(POLICY)

    assert response.status_code == 200
    assert SENTENCE in response.content.decode()
    assert response.context["form"] is None


def test_policy_is_forbidden_to_the_consultant(client, consultant):
    client.force_login(consultant)

    response = client.get(POLICY)

    assert response.status_code == 403


def test_policy_cannot_be_changed_by_the_manager(client, manager, store):
    client.force_login(manager)

    response = client.post(POLICY, policy_data(consultant_limit="5000"))

    assert response.status_code == 403
    assert DiscountPolicy.for_store(store).consultant_limit == Decimal("3000.00")


def test_policy_admin_chooses_a_store_first(client, make_user, store, other_store):
    client.force_login(english(make_user(Role.ADMIN)))

    response = client.get(POLICY)

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["policy"] is None
    assert [s.code for s in response.context["stores"]] == ["DEMO", "OTHER"]
    assert 'href="?store=OTHER"' in html
    assert "Choose a store." in html


def test_policy_admin_unknown_store_is_404(client, make_user, store):
    client.force_login(make_user(Role.ADMIN))

    response = client.get(f"{POLICY}?store=NOPE")

    assert response.status_code == 404


def test_policy_store_code_with_a_nul_byte_is_404(client, make_user, store):
    client.force_login(make_user(Role.ADMIN))

    response = client.get(f"{POLICY}?store=DE%00MO")

    assert response.status_code == 404


def test_policy_admin_edits_with_an_audit_row(client, make_user, store):
    admin = make_user(Role.ADMIN)
    client.force_login(admin)

    response = client.post(f"{POLICY}?store=DEMO",
                           policy_data(consultant_limit="2500", supervisor_limit="10000"))

    policy = DiscountPolicy.for_store(store)
    entry = AuditEntry.objects.get(content_type=ContentType.objects.get_for_model(policy),
                                   object_id=str(policy.pk))
    assert response.status_code == 302
    assert response["Location"] == f"{POLICY}?store=DEMO"
    assert (policy.consultant_limit, policy.supervisor_limit) == (Decimal("2500.00"),
                                                                  Decimal("10000.00"))
    assert entry.actor == admin
    assert entry.store == store
    assert entry.changes == {"consultant_limit": ["3000.00", "2500.00"],
                             "supervisor_limit": ["8000.00", "10000.00"]}


def test_policy_supervisor_limit_below_consultants_is_refused(client, make_user, store):
    client.force_login(english(make_user(Role.ADMIN)))

    response = client.post(f"{POLICY}?store=DEMO",
                           policy_data(consultant_limit="5000", supervisor_limit="4000"))

    assert response.status_code == 400
    assert response.context["form"].errors["supervisor_limit"] == [
        "A supervisor may give at least as much as a consultant (¥5,000.00)."]
    assert 'value="4000"' in response.content.decode()
    assert DiscountPolicy.for_store(store).supervisor_limit == Decimal("8000.00")


@pytest.mark.parametrize("floor", ["0", "100.01", "-1"])
def test_policy_floor_out_of_range_is_refused(client, make_user, store, floor):
    client.force_login(english(make_user(Role.ADMIN)))

    response = client.post(f"{POLICY}?store=DEMO", policy_data(floor_pct=floor))

    assert response.status_code == 400
    assert response.context["form"].errors["floor_pct"] == [
        "The floor is a percentage above 0 and up to 100."]
    assert DiscountPolicy.for_store(store).floor_pct == Decimal("8.00")


def test_policy_new_limits_apply_to_the_next_quote(client, make_user, store, consultant,
                                                   customer):
    client.force_login(make_user(Role.ADMIN))
    client.post(f"{POLICY}?store=DEMO", policy_data(consultant_limit="5000"))

    quote = make_quote(consultant, customer, discount=Decimal("5000"))

    assert quote.status == QuoteStatus.APPROVED
