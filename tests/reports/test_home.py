"""The manager's home: today's figures against target and the cards of what waits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from contracts.enums import ContractStatus
from dealership.enums import Role
from delivery.services.handover import handover_schedule
from reports.services.targets import targets_set
from tests.aftersales.factories_complaints import complaint_record
from tests.contracts.factories import make_contract, make_quote
from tests.factories import CustomerFactory, TrimFactory, UserFactory
from tests.helpers import english
from tests.showroom.factories import VisitFactory

pytestmark = pytest.mark.django_db

HOME = "/reports/store/"


def _late_today(store) -> dt.datetime:
    """Late in the store's today (a delivery appointment still ahead)."""
    _start, end = store.day_bounds(store.today())
    return end - dt.timedelta(minutes=30)


def _customer(store, consultant):
    return CustomerFactory(store=store, owner=consultant)


def _approval(store, consultant):
    """A consultant's quote asking the manager for ¥9,000 (above the supervisor's limit)."""
    return make_quote(consultant, _customer(store, consultant), discount="9000",
                      trim=TrimFactory())


def _in_review(store, consultant, manager):
    return make_contract(consultant, _customer(store, consultant), manager=manager,
                         status=ContractStatus.IN_REVIEW)


def _delivery_today(store, consultant, manager):
    contract = make_contract(consultant, _customer(store, consultant), manager=manager,
                             status=ContractStatus.SIGNED)
    handover_schedule(actor=consultant, contract=contract, scheduled_at=_late_today(store))
    return contract


def _breached_complaint(store, carer, consultant):
    """Received two weeks ago and never answered: every clock is past due."""
    return complaint_record(carer, _customer(store, consultant),
                            received_at=timezone.now() - dt.timedelta(days=14))


# --- Access -------------------------------------------------------------------------------
def test_home_anonymous_redirects_to_login(client):
    response = client.get(HOME)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={HOME}"


@pytest.mark.parametrize("role", [r for r in Role if r != Role.MANAGER])
def test_home_other_roles_are_forbidden(client, make_user, role):
    client.force_login(make_user(role))

    response = client.get(HOME)

    assert response.status_code == 403


def test_home_is_the_managers_role_home():
    from dealership.registry import role_homes

    assert [h.url_name for h in role_homes() if h.role == Role.MANAGER] == [
        "reports:store_overview"]


# --- Cards --------------------------------------------------------------------------------
def test_home_empty_store_shows_every_empty_state(client, manager):
    english(manager)
    client.force_login(manager)

    response = client.get(HOME)

    assert response.status_code == 200
    html = response.content.decode()
    for text in ("No discount waits for you.", "No contract waits for review.",
                 "No delivery is booked for today.", "No complaint is late or due soon."):
        assert text in html
    figures = response.context["overview"].figures
    assert (figures.walk_ins_first, figures.walk_ins_return, figures.deals) == (0, 0, 0)
    assert figures.walk_in_conversion.percent == "—"


def test_home_shows_today_against_target(client, store, manager, consultant):
    english(manager)
    now = timezone.now()
    VisitFactory(store=store, consultant=consultant, arrived_at=now, first_visit=True)
    VisitFactory(store=store, consultant=consultant, arrived_at=now, first_visit=False)
    VisitFactory(store=store, consultant=consultant, first_visit=True,
                 arrived_at=store.day_bounds(store.today())[0] - dt.timedelta(minutes=1))
    targets_set(store=store, month=store.today().replace(day=1), actor=manager,
                values={(None, "walk_ins"): Decimal("300")})
    client.force_login(manager)

    response = client.get(HOME)

    overview = response.context["overview"]
    assert (overview.figures.walk_ins_first, overview.figures.walk_ins_return) == (1, 1)
    walk_ins = next(line for line in overview.board.team if line.metric == "walk_ins")
    # Yesterday's visit counts in the month unless today is the 1st.
    expected = 2 if store.today().day == 1 else 3
    assert (walk_ins.actual, walk_ins.target) == (expected, Decimal("300.00"))
    html = response.content.decode()
    assert 'data-testid="home-first">1<' in html
    assert "Month to date against target" in html


def test_home_cards_list_what_waits_for_the_manager(client, store, manager, consultant,
                                                  make_user):
    english(manager)
    carer = make_user(Role.CUSTOMER_CARE)
    approval_quote = _approval(store, consultant)
    review = _in_review(store, consultant, manager)
    delivery = _delivery_today(store, consultant, manager)
    complaint = _breached_complaint(store, carer, consultant)
    client.force_login(manager)

    response = client.get(HOME)

    overview = response.context["overview"]
    assert [a.quote_id for a in overview.approvals] == [approval_quote.pk]
    assert [c.pk for c in overview.to_review] == [review.pk]
    assert [row.handover.contract_id for row in overview.deliveries] == [delivery.pk]
    assert [(row.complaint.pk, row.sla) for row in overview.complaints_at_risk] == [
        (complaint.pk, "breached")]
    html = response.content.decode()
    assert f'href="/contracts/approvals/{overview.approvals[0].pk}/"' in html
    assert f'href="/contracts/{review.pk}/"' in html
    assert complaint.number in html
    assert 'href="/delivery/calendar/"' in html


def test_home_shows_nothing_of_another_store(client, store, other_store, consultant, make_user):
    _approval(store, consultant)
    _in_review(store, consultant, None)
    other_manager = make_user(Role.MANAGER, username="other-mgr", store=other_store)
    client.force_login(other_manager)

    overview = client.get(HOME).context["overview"]

    assert (overview.approvals, overview.to_review, overview.deliveries,
            overview.complaints_at_risk) == ([], [], [], [])


@pytest.mark.parametrize("count", [1, 3])
def test_home_query_count_is_constant(client, store, manager, team, make_user, count,
                                      django_assert_num_queries):
    carer = make_user(Role.CUSTOMER_CARE)
    for _ in range(count):
        consultant = UserFactory(role=Role.CONSULTANT, store=store, team=team)
        VisitFactory(store=store, consultant=consultant, arrived_at=timezone.now())
        _approval(store, consultant)
        _in_review(store, consultant, manager)
        _delivery_today(store, consultant, manager)
        _breached_complaint(store, carer, consultant)
    client.force_login(manager)

    # session, user, store; approvals; complaints; figures (9); target board (9); review
    # queue; deliveries (4: appointments with their cars, money 2; the inspections' 2 only
    # run for allocated cars, none here)
    with django_assert_num_queries(28):
        response = client.get(HOME)

    overview = response.context["overview"]
    assert [len(overview.approvals), len(overview.to_review), len(overview.deliveries),
            len(overview.complaints_at_risk)] == [count] * 4
