"""The navigation's counts: loaded after the page, scoped to the user, absent for roles
with nothing to approve."""

from decimal import Decimal

import pytest
from django.utils import timezone

from dealership.enums import Role
from leads.models import Notification
from leads.services.notifications import notification_send
from tests.contracts.factories import make_contract, make_quote

pytestmark = pytest.mark.django_db


def test_page_has_badge_slots_and_loader_for_an_approver(client, supervisor):
    client.force_login(supervisor)

    html = client.get("/leads/board/").content.decode()

    assert 'id="badge-wide-contractsapproval_inbox"' in html
    assert 'id="badge-menu-contractsapproval_inbox"' in html
    assert 'hx-get="/nav/badges/"' in html


def test_page_has_no_badge_loader_for_a_role_without_counts(client, make_user):
    client.force_login(make_user(Role.RECEPTIONIST))

    html = client.get("/showroom/").content.decode()

    assert "/nav/badges/" not in html


def test_consultant_my_day_badge_counts_unread_notifications(client, consultant, store):
    for kind in ("discount_approved", "payment_confirmed"):
        notification_send(store=store, user=consultant, kind=kind)
    notification_send(store=store, user=consultant, kind="enquiry")
    Notification.objects.filter(kind="enquiry").update(read_at=timezone.now())  # read
    client.force_login(consultant)

    page = client.get("/my-day/").content.decode()
    html = client.get("/nav/badges/").content.decode()

    assert 'hx-get="/nav/badges/"' in page
    assert 'data-testid="badge-wide-my_day"' in html
    assert 'data-testid="badge-menu-my_day"' in html
    assert 'data-testid="badge-menu-total"' in html
    # "My day" is alone in its section, so there is no folded section to sum.
    assert "badge-wide-section-" not in html
    assert html.count("</span>2</span>") == 3


def test_supervisor_badge_counts_the_team_requests_waiting(client, consultant, customer,
                                                          supervisor):
    make_quote(consultant, customer, discount=Decimal("5000"))
    make_quote(consultant, customer, discount=Decimal("6000"))
    make_quote(consultant, customer, discount=Decimal("1000"))  # within authority
    client.force_login(supervisor)

    html = client.get("/nav/badges/").content.decode()

    # The item in both menus, its folded "Deals" section and the phone menu's total.
    assert html.count('hx-swap-oob="true"') == 4
    assert 'data-testid="badge-wide-contractsapproval_inbox"' in html
    assert 'data-testid="badge-wide-section-deals"' in html
    assert 'data-testid="badge-menu-total"' in html
    assert html.count('</span>2</span>') == 4


def test_manager_badges_count_manager_requests_and_contracts_in_review(
        client, consultant, customer, manager):
    make_quote(consultant, customer, discount=Decimal("12000"))
    make_contract(consultant, customer, manager=manager, status="in_review")
    client.force_login(manager)

    html = client.get("/nav/badges/").content.decode()

    assert 'data-testid="badge-menu-contractsapproval_inbox"' in html
    assert 'data-testid="badge-menu-contractsreview_queue"' in html
    assert html.count('</span>1</span>') == 4  # two counts, each in both navigations
    # Both sit in the "Deals" section: folded on a desktop, it shows their sum, as does
    # the phone menu's button.
    assert html.count('</span>2</span>') == 2


def test_zero_renders_an_empty_slot(client, supervisor):
    client.force_login(supervisor)

    html = client.get("/nav/badges/").content.decode()

    assert 'id="badge-wide-contractsapproval_inbox"' in html
    assert "nav-badge\"" not in html


def test_badges_need_a_login(client):
    response = client.get("/nav/badges/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_badges_for_a_role_without_counts_are_empty(client, make_user):
    client.force_login(make_user(Role.RECEPTIONIST))

    response = client.get("/nav/badges/")

    assert response.status_code == 200
    assert response.content.decode().strip() == ""
