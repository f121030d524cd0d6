"""The core's registries as the apps fill them: the menu of every role in its order, the
role homes, the merged role permissions, the demo seeders; and the start-up check that
refuses an entry naming an unknown URL, role or permission."""

from __future__ import annotations

import io
import random

import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from dealership import registry
from dealership.enums import Role
from dealership.models import Store
from dealership.navigation import home_url_name, nav_badges, nav_for
from dealership.roles import role_permissions_merged
from tests.factories import UserFactory

# Every role's menu in order, with the items each stage registers.
EXPECTED_MENUS = {
    Role.RECEPTIONIST: [
        "showroom:desk", "showroom:calendar", "showroom:roster", "leads:create",
        "delivery:calendar"
    ],
    Role.CONSULTANT: [
        "my_day", "showroom:calendar", "showroom:invitations", "showroom:talk_tracks",
        "reports:targets", "contracts:quote_list", "contracts:contract_list", "leads:list",
        "leads:create", "leads:pool", "customers:list", "delivery:order_list",
        "delivery:calendar", "stock:list", "aftersales:survey_results",
        "aftersales:complaint_board", "aftersales:referral_list", "reports:commission"
    ],
    Role.SUPERVISOR: [
        "leads:team_board", "showroom:calendar", "showroom:invitations", "showroom:talk_tracks",
        "showroom:inspection", "reports:morning_meeting", "reports:evening_meeting",
        "reports:targets", "contracts:approval_inbox", "contracts:quote_list",
        "contracts:contract_list", "leads:list", "leads:pool", "customers:list",
        "leads:campaigns", "leads:lost_report", "leads:team", "delivery:order_list",
        "delivery:calendar", "delivery:stock_board", "stock:list", "aftersales:owner_list",
        "aftersales:care_steps", "aftersales:survey_results", "aftersales:complaint_board",
        "aftersales:referral_list", "reports:charts", "reports:daily_reports"
    ],
    Role.MANAGER: [
        "leads:team_board", "showroom:desk", "showroom:calendar", "showroom:invitations",
        "showroom:roster", "showroom:talk_tracks", "showroom:inspection",
        "reports:store_overview", "reports:morning_meeting", "reports:evening_meeting",
        "reports:kiosk_links", "reports:targets", "contracts:approval_inbox",
        "contracts:review_queue", "contracts:quote_list", "contracts:contract_list",
        "leads:list", "leads:pool", "customers:list", "leads:campaigns", "leads:lost_report",
        "leads:team", "leads:policy", "delivery:order_list", "delivery:calendar",
        "delivery:pdi_items", "delivery:stock_board", "stock:list", "delivery:receivables",
        "aftersales:service_desk", "aftersales:service_week", "aftersales:owner_list",
        "aftersales:care_steps", "aftersales:care_settings", "aftersales:survey_results",
        "aftersales:complaint_board", "aftersales:referral_list", "aftersales:package_list",
        "aftersales:campaign_list", "aftersales:segment_list", "reports:charts",
        "reports:daily_reports", "reports:commission", "catalogue:trim_list",
        "catalogue:colour_list", "contracts:accessory_list", "contracts:package_list"
    ],
    Role.FINANCE: [
        "contracts:quote_list", "contracts:contract_list", "customers:list",
        "delivery:order_list", "delivery:stock_board", "stock:list", "delivery:finance_desk",
        "delivery:receivables", "reports:commission"
    ],
    Role.SERVICE_ADVISOR: [
        "customers:list", "aftersales:service_desk", "aftersales:service_week",
        "aftersales:owner_list", "aftersales:survey_results", "aftersales:complaint_board"
    ],
    Role.CUSTOMER_CARE: [
        "customers:list", "aftersales:service_week", "aftersales:owner_list",
        "aftersales:care_desk", "aftersales:survey_results", "aftersales:complaint_board",
        "aftersales:referral_list", "aftersales:campaign_list", "aftersales:segment_list"
    ],
    Role.MARKETING: [
        "leads:marketing_home", "leads:list", "leads:create", "customers:list",
        "leads:campaigns", "leads:import", "leads:message_list", "aftersales:campaign_list",
        "aftersales:segment_list", "reports:charts"
    ],
    Role.GROUP_EXEC: [
        "reports:group_overview"
    ],
    Role.ADMIN: [
        "contracts:quote_list", "contracts:contract_list", "leads:list", "customers:list",
        "stock:list", "reports:group_overview", "contracts:discount_policy",
        "catalogue:trim_list", "catalogue:colour_list", "contracts:accessory_list",
        "contracts:package_list", "console"
    ],
}

EXPECTED_HOMES = {
    Role.CONSULTANT: "my_day",
    Role.SUPERVISOR: "leads:team_board",
    Role.RECEPTIONIST: "showroom:desk",
    Role.MANAGER: "reports:store_overview",
    Role.FINANCE: "delivery:finance_desk",
    Role.SERVICE_ADVISOR: "aftersales:service_desk",
    Role.CUSTOMER_CARE: "aftersales:care_desk",
    Role.MARKETING: "leads:marketing_home",
    Role.GROUP_EXEC: "reports:group_overview",
    Role.ADMIN: "console",
}

_CATALOGUE = {"dealership.view_brand", "dealership.view_series", "dealership.view_trim",
              "dealership.view_colour", "dealership.view_stockvehicle"}
_SELL = {"contracts.view_quote", "contracts.add_quote", "contracts.view_contract",
         "contracts.add_contract", "contracts.view_accessory", "contracts.view_valuepackage",
         "contracts.view_discountpolicy"}
_CUSTOMERS = {"dealership.view_customer", "dealership.add_customer",
              "dealership.change_customer", "dealership.view_customer_pii"}
# The delivery stage's models: the manager imports stock and sets the store's thresholds;
# finance and the administrator read them.
_DELIVERY_READ = {"delivery.view_stockimport", "delivery.view_deliverysettings"}
_DELIVERY_MANAGER = _DELIVERY_READ | {"delivery.add_stockimport",
                                      "delivery.change_deliverysettings",
                                      "delivery.add_deliverysettings"}
EXPECTED_PERMISSIONS = {
    Role.RECEPTIONIST: {"dealership.view_stockvehicle"},
    Role.CONSULTANT: _CATALOGUE | _SELL | _CUSTOMERS,
    Role.SUPERVISOR: _CATALOGUE | _SELL | _CUSTOMERS | {
        "contracts.view_approvalrequest", "contracts.change_approvalrequest"},
    Role.MANAGER: _CATALOGUE | _SELL | _CUSTOMERS | {
        "contracts.view_approvalrequest", "contracts.change_approvalrequest",
        "contracts.change_contract", "dealership.view_stock_cost",
        "dealership.change_stockvehicle", "dealership.add_stockvehicle",
        "dealership.view_auditentry", "dealership.export_customer_data",
        "dealership.erase_customer"} | _DELIVERY_MANAGER,
    Role.FINANCE: _CATALOGUE | {
        "contracts.view_quote", "contracts.view_contract", "contracts.view_payment",
        "contracts.change_payment", "contracts.view_refundobligation",
        "contracts.change_refundobligation", "dealership.view_customer",
        "dealership.view_customer_pii", "dealership.view_stock_cost"} | _DELIVERY_READ,
    Role.SERVICE_ADVISOR: _CATALOGUE | {"dealership.view_customer",
                                        "dealership.view_customer_pii"},
    Role.CUSTOMER_CARE: {"dealership.view_customer", "dealership.change_customer",
                         "dealership.view_customer_pii", "dealership.export_customer_data"},
    Role.MARKETING: _CATALOGUE | {"dealership.view_customer"},
    Role.GROUP_EXEC: set(),
    Role.ADMIN: _CATALOGUE | {
        "contracts.view_quote", "contracts.view_contract", "contracts.view_approvalrequest",
        "contracts.view_contractdocument", "contracts.view_discountpolicy",
        "contracts.change_discountpolicy", "contracts.view_accessory",
        "contracts.add_accessory", "contracts.change_accessory", "contracts.view_valuepackage",
        "contracts.add_valuepackage", "contracts.change_valuepackage",
        "dealership.view_customer", "dealership.change_customer",
        "dealership.view_customer_pii", "dealership.view_stock_cost",
        "dealership.view_auditentry", "dealership.view_store", "dealership.change_store",
        "dealership.view_user", "dealership.change_user", "dealership.add_user",
        "dealership.export_customer_data", "dealership.erase_customer"} | _DELIVERY_READ,
}


def _user(role: str, **kwargs):
    # Unsaved: the menu and the home depend on the role alone.
    return UserFactory.build(role=role, **kwargs)


@pytest.fixture
def scratch_registries(monkeypatch):
    """Copies of the registries for the test to add to; the real ones come back after."""
    for name in ("_nav_items", "_role_homes", "_role_permissions", "_demo_seeders"):
        monkeypatch.setattr(registry, name, list(getattr(registry, name)))


def _registry_errors() -> list[checks.CheckMessage]:
    return [message for message in checks.run_checks()
            if message.id.startswith("dealership.")]


# --- The menu, the homes, the permissions as registered --------------------------------------
@pytest.mark.parametrize("role", Role.values)
def test_nav_for_each_role_lists_its_screens_in_menu_order(role):
    user = _user(role, is_superuser=role == Role.ADMIN)

    assert [item.url_name for item in nav_for(user)] == EXPECTED_MENUS[role]


def test_nav_items_with_badges_are_the_approvals_reviews_and_my_day():
    assert [item.url_name for item in registry.nav_items() if item.has_badge] == [
        "my_day", "contracts:approval_inbox", "contracts:review_queue"]


@pytest.mark.parametrize("role", Role.values)
def test_home_url_name_each_role_lands_on_its_registered_home(role):
    assert home_url_name(_user(role)) == EXPECTED_HOMES[role]


def test_home_url_name_superuser_without_a_role_lands_on_the_console():
    assert home_url_name(_user("", is_superuser=True)) == "console"


def test_home_url_name_unknown_role_lands_on_the_account_page():
    assert home_url_name(_user("")) == "account"


def test_role_permissions_merged_equal_each_roles_expected_set():
    assert role_permissions_merged() == {role: frozenset(perms)
                                         for role, perms in EXPECTED_PERMISSIONS.items()}


def test_role_permissions_core_fragments_name_only_the_core():
    from dealership.roles import CORE_ROLE_PERMISSIONS

    labels = {codename.split(".")[0] for perms in CORE_ROLE_PERMISSIONS.values()
              for codename in perms}

    assert labels == {"dealership"}


def test_demo_seeders_run_in_the_order_of_the_layers():
    # Leads registers a second, last seeder: the routing loads, counted once the later
    # stages have won and lost their leads.
    assert [(seeder.seed.__module__, seeder.label) for seeder in registry.demo_seeders()] == [
        ("leads.apps", ""), ("showroom.apps", ""), ("contracts.apps", ""),
        ("delivery.apps", ""), ("aftersales.apps", ""), ("reports.apps", ""),
        ("leads.apps", "routing loads")]


# --- Registering ----------------------------------------------------------------------------
@pytest.mark.usefixtures("scratch_registries")
def test_register_nav_item_places_the_item_by_its_order():
    registry.register_nav_item(url_name="account", label="Account",
                               group="settings", roles=(Role.CONSULTANT,),
                               order=15)

    assert [item.url_name for item in nav_for(_user(Role.CONSULTANT))][:3] == [
        "my_day", "account", "showroom:calendar"]


@pytest.mark.usefixtures("scratch_registries")
def test_register_nav_item_same_entry_twice_is_registered_once():
    before = len(registry.nav_items())
    for _attempt in range(2):
        registry.register_nav_item(url_name="account", label="Account", group="settings",
                                   roles=(Role.CONSULTANT,), order=15)

    assert len(registry.nav_items()) == before + 1


@pytest.mark.usefixtures("scratch_registries")
def test_nav_badges_calls_each_registered_counter_with_the_user():
    seen = []

    def count(user) -> int:
        seen.append(user)
        return 7

    registry.register_nav_item(url_name="account", label="Account",
                               group="settings", roles=(Role.FINANCE,),
                               order=15, badge=count)
    user = _user(Role.FINANCE)

    assert (nav_badges(user, nav_for(user)), seen) == ({"account": 7}, [user])


@pytest.mark.django_db
@pytest.mark.usefixtures("scratch_registries")
def test_seed_demo_runs_the_registered_seeders_in_order_with_its_arguments(settings):
    settings.DEBUG = True
    registry._demo_seeders.clear()
    calls = []

    def seeder(name: str):
        def seed(rng: random.Random, *, store: Store, scale: str) -> None:
            calls.append((name, type(rng), store.code, scale))
        return seed

    registry.register_demo_seeder(order=20, seed=seeder("second"))
    registry.register_demo_seeder(order=10, seed=seeder("first"))

    call_command("seed_demo", "--scale", "small", stdout=io.StringIO())

    assert calls == [("first", random.Random, "DEMO", "small"),
                     ("second", random.Random, "DEMO", "small")]


# --- The start-up check -----------------------------------------------------------------------
def test_checks_registered_entries_raise_no_error():
    assert _registry_errors() == []


@pytest.mark.usefixtures("scratch_registries")
def test_checks_nav_item_of_unknown_url_fails_at_start_up():
    registry.register_nav_item(url_name="leads:no_such_screen", label="Nowhere", group="settings",
                               roles=(Role.CONSULTANT,), order=5)

    errors = _registry_errors()

    assert [(error.id, error.msg) for error in errors] == [(
        "dealership.E001",
        "A navigation item names the URL 'leads:no_such_screen', which does not reverse.")]
    with pytest.raises(SystemCheckError, match="leads:no_such_screen"):
        call_command("check")


@pytest.mark.usefixtures("scratch_registries")
def test_checks_nav_item_in_unknown_section_fails():
    registry.register_nav_item(url_name="account", label="Account", group="garage",
                               roles=(Role.CONSULTANT,), order=5)

    assert [(error.id, error.msg) for error in _registry_errors()] == [
        ("dealership.E006", "A navigation item names an unknown menu section 'garage'.")]


@pytest.mark.usefixtures("scratch_registries")
def test_checks_nav_item_with_unknown_role_fails():
    registry.register_nav_item(url_name="account", label="Account",
                               group="settings", roles=("chauffeur",),
                               order=5)

    assert [(error.id, error.msg) for error in _registry_errors()] == [
        ("dealership.E002", "A navigation item names the unknown role 'chauffeur'.")]


@pytest.mark.usefixtures("scratch_registries")
def test_checks_two_nav_items_of_one_url_fail():
    registry.register_nav_item(url_name="console", label="Console again",
                               group="settings", roles=(Role.ADMIN,),
                               order=5)

    assert [(error.id, error.msg) for error in _registry_errors()] == [
        ("dealership.E003", "2 navigation items name the URL 'console'.")]


@pytest.mark.usefixtures("scratch_registries")
def test_checks_role_home_of_unknown_url_fails():
    registry._role_homes[:] = [home for home in registry._role_homes
                               if home.role != Role.FINANCE]
    registry.register_role_home(role=Role.FINANCE, url_name="delivery:nowhere")

    assert [(error.id, error.msg) for error in _registry_errors()] == [
        ("dealership.E001", "A role home names the URL 'delivery:nowhere', which does not "
                            "reverse.")]


@pytest.mark.usefixtures("scratch_registries")
def test_checks_second_home_for_a_role_fails():
    registry.register_role_home(role=Role.FINANCE, url_name="account")

    assert [(error.id, error.msg) for error in _registry_errors()] == [
        ("dealership.E004", "The role 'finance' has 2 home pages.")]


@pytest.mark.usefixtures("scratch_registries")
def test_checks_permission_no_model_declares_fails():
    registry.register_role_permissions(role=Role.FINANCE,
                                       codenames=("contracts.view_unicorn",))

    assert [(error.id, error.msg) for error in _registry_errors()] == [
        ("dealership.E005", "The role 'finance' is granted 'contracts.view_unicorn', which no "
                            "model declares.")]


@pytest.mark.usefixtures("scratch_registries")
def test_checks_permission_fragment_of_unknown_role_fails():
    registry.register_role_permissions(role="chauffeur", codenames=("dealership.view_store",))

    assert [(error.id, error.msg) for error in _registry_errors()] == [
        ("dealership.E002", "A role permission fragment names the unknown role 'chauffeur'.")]
