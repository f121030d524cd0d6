"""The places later stages fill in: "my day" panels and the action buttons of the customer
and lead pages, as the apps register them; and the start-up check that refuses a template
that does not exist or an action for a place no page offers."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.template import Context, Template
from django.utils import timezone

from dealership import slots
from dealership.enums import Role
from tests.factories import CustomerFactory
from tests.leads.factories import LeadFactory

DAY = dt.date(2026, 3, 2)


@pytest.fixture
def scratch_slots(monkeypatch):
    """Registries a test may add to without leaking into the next test."""
    for name in ("_my_day_panels", "_slot_actions"):
        monkeypatch.setattr(slots, name, list(getattr(slots, name)))
    monkeypatch.setattr(slots, "_slots", set(slots._slots))


def _errors() -> list[tuple[str, str]]:
    return [(error.id, error.msg) for error in slots.check_slots()]


def _none(*, user, day) -> dict:
    return {}


# --- What the apps register ---------------------------------------------------------------
def test_my_day_panels_for_a_consultant_in_page_order(consultant):
    panels = slots.my_day_panels_for(consultant)

    assert [(panel.name, panel.summary) for panel in panels] == [
        ("since", False), ("stats", True), ("showroom-today", False), ("deliveries", False),
        ("care-steps", False), ("overdue", False), ("due-today", False), ("tasks", False),
        ("notifications", False), ("customers", False)]


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.MANAGER, Role.RECEPTIONIST,
                                  Role.ADMIN])
def test_my_day_panels_for_other_roles_are_none(make_user, role):
    assert slots.my_day_panels_for(make_user(role)) == []


def test_slot_templates_each_slot_in_order():
    assert {slot: slots.slot_templates(slot) for slot in sorted(slots._slots)} == {
        "contract_panels": ["delivery/components/order_panel.html",
                            "delivery/components/money_panel.html"],
        "customer_actions": ["contracts/components/customer_actions.html",
                             "aftersales/owner_file_link.html",
                             "aftersales/complaint_customer_action.html",
                             "aftersales/service_customer_actions.html",
                             "aftersales/loyalty_customer_actions.html"],
        "customer_consent_actions": ["leads/components/customer_consent_actions.html"],
        "lead_actions": ["showroom/components/lead_actions.html",
                         "contracts/components/lead_actions.html"],
        "my_day_actions": ["leads/components/my_day_actions.html"],
    }


def test_check_slots_passes_on_the_registered_entries():
    assert _errors() == []


# --- The start-up check -------------------------------------------------------------------
@pytest.mark.usefixtures("scratch_slots")
def test_check_slots_refuses_a_panel_whose_partial_does_not_exist():
    slots.register_my_day_panel(name="ghost", template="leads/my_day_panels.html#ghost",
                                selector=_none, order=99, roles=(Role.CONSULTANT,))

    assert _errors() == [("dealership.E101", "The template 'leads/my_day_panels.html#ghost' "
                                             "of the my-day panel 'ghost' does not exist.")]


@pytest.mark.usefixtures("scratch_slots")
def test_check_slots_refuses_an_action_whose_include_does_not_exist():
    slots.register_slot_action(slot="lead_actions", template="delivery/components/nope.html",
                               order=30)

    assert _errors() == [("dealership.E101", "The template 'delivery/components/nope.html' "
                                             "of the action of slot 'lead_actions' does not "
                                             "exist.")]


@pytest.mark.usefixtures("scratch_slots")
def test_check_slots_refuses_an_action_for_a_slot_no_page_declares():
    slots.register_slot_action(slot="lead_action", order=30,
                               template="showroom/components/lead_actions.html")

    [(error_id, message)] = _errors()
    assert (error_id, message) == (
        "dealership.E102", "The action 'showroom/components/lead_actions.html' is registered "
                           "for the slot 'lead_action', which no page declares.")


@pytest.mark.usefixtures("scratch_slots")
def test_check_slots_refuses_two_panels_of_one_name():
    slots.register_my_day_panel(name="tasks", template="leads/my_day_panels.html#overdue",
                                selector=_none, order=99, roles=(Role.CONSULTANT,))

    assert _errors() == [("dealership.E103", "Two my-day panels are named 'tasks'.")]


@pytest.mark.usefixtures("scratch_slots")
def test_register_the_same_panel_twice_keeps_one():
    before = len(slots._my_day_panels)
    for _ in range(2):
        slots.register_my_day_panel(name="extra", template="leads/my_day_panels.html#tasks",
                                    selector=_none, order=99, roles=(Role.CONSULTANT,))

    assert len(slots._my_day_panels) == before + 1
    assert _errors() == []


@pytest.mark.usefixtures("scratch_slots")
def test_manage_py_check_fails_at_start_up_on_a_missing_template():
    slots.register_slot_action(slot="customer_actions", order=99,
                               template="contracts/components/missing.html")

    with pytest.raises(SystemCheckError, match=r"dealership\.E101.*missing\.html"):
        call_command("check", stdout=io.StringIO(), stderr=io.StringIO())


# --- The page and the tag -----------------------------------------------------------------
@pytest.mark.usefixtures("scratch_slots")
def test_my_day_context_calls_a_shared_selector_once(consultant):
    calls = []

    def shared(*, user, day) -> dict:
        calls.append((user, day))
        return {"shared": len(calls)}

    panels = [slots.MyDayPanel(name=name, template="t", selector=shared, order=order,
                               roles=(Role.CONSULTANT,)) for name, order in (("a", 1), ("b", 2))]

    context = slots.my_day_context(user=consultant, day=DAY, panels=panels)

    assert (context, calls) == ({"shared": 1}, [(consultant, DAY)])


def test_my_day_context_refuses_two_selectors_offering_one_name(consultant):
    def first(*, user, day) -> dict:
        return {"cap": 1}

    def second(*, user, day) -> dict:
        return {"cap": 2}

    panels = [slots.MyDayPanel(name=name, template="t", selector=selector, order=1,
                               roles=(Role.CONSULTANT,))
              for name, selector in (("first", first), ("second", second))]

    with pytest.raises(ImproperlyConfigured, match=r"'second' offers \['cap'\]"):
        slots.my_day_context(user=consultant, day=DAY, panels=panels)


def test_action_slot_of_an_undeclared_slot_fails_to_render():
    template = Template('{% load slot_tags %}{% action_slot "nowhere" %}')

    with pytest.raises(ImproperlyConfigured, match="No page declares the slot 'nowhere'"):
        template.render(Context({}))


@pytest.mark.django_db
def test_my_day_shows_the_showroom_card_before_the_leads_cards(client, consultant):
    client.force_login(consultant)

    html = client.get("/my-day/").content.decode()

    ids = ['class="stats"', 'id="showroom-today"', 'id="overdue"', 'id="due-today"',
           'id="tasks"', 'id="notifications"', 'id="customers-heading"']
    positions = [html.index(marker) for marker in ids]
    assert positions == sorted(positions)
    assert '<a class="button button-primary" href="/leads/new/">' in html


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER])
def test_customer_page_actions_for_sellers(client, store, consultant, supervisor, manager,
                                           role):
    user = {Role.CONSULTANT: consultant, Role.SUPERVISOR: supervisor, Role.MANAGER: manager}[role]
    customer = CustomerFactory(store=store, owner=consultant)
    client.force_login(user)

    html = client.get(f"/customers/{customer.pk}/").content.decode()

    assert html.count('data-testid="new-quote"') == 1
    assert (f'<a class="button button-primary" href="/contracts/quotes/new/?customer='
            f'{customer.pk}" data-testid="new-quote">') in html


@pytest.mark.django_db
def test_customer_page_actions_hidden_from_a_role_that_may_not(client, store, make_user):
    customer = CustomerFactory(store=store, marketing_consent=True,
                               consent_at=timezone.now())
    client.force_login(make_user(Role.SERVICE_ADVISOR))

    html = client.get(f"/customers/{customer.pk}/").content.decode()

    assert 'data-testid="new-quote"' not in html
    assert f"/leads/customers/{customer.pk}/opt-out/" not in html


@pytest.mark.django_db
def test_customer_page_offers_the_opt_out_to_who_may_edit(client, consultant, store):
    customer = CustomerFactory(store=store, owner=consultant, marketing_consent=True,
                               consent_at=timezone.now())
    client.force_login(consultant)

    html = client.get(f"/customers/{customer.pk}/").content.decode()

    assert (f'<form method="post" action="/leads/customers/{customer.pk}/opt-out/" '
            'class="inline-form">') in html


@pytest.mark.django_db
def test_lead_page_actions_in_order_for_the_owner(client, consultant, store):
    lead = LeadFactory(store=store, owner=consultant)
    client.force_login(consultant)

    html = client.get(f"/leads/{lead.pk}/").content.decode()

    expected = [
        f'<a class="button" href="/showroom/invitations/new/?lead={lead.pk}">',
        f'<a class="button" href="/showroom/test-drives/new/?customer={lead.customer_id}'
        f'&amp;lead={lead.pk}">',
        f'<a class="button" href="/contracts/quotes/new/?customer={lead.customer_id}'
        f'&amp;lead={lead.pk}" data-testid="new-quote">',
    ]
    positions = [html.index(anchor) for anchor in expected]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_lead_page_actions_hidden_from_marketing(client, store, make_user):
    lead = LeadFactory(store=store)
    client.force_login(make_user(Role.MARKETING))

    html = client.get(f"/leads/{lead.pk}/").content.decode()

    assert "action-links" not in html
    assert "/contracts/quotes/new/" not in html
