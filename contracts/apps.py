from __future__ import annotations

import random
from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dealership.enums import NavGroup, Role
from dealership.registry import (
    register_demo_seeder,
    register_nav_item,
    register_role_permissions,
)

if TYPE_CHECKING:
    from dealership.models import Store


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Quotes and contracts")

    def ready(self) -> None:
        _register_navigation_roles_demo()
        _register_slots_timeline()
        _register_personal_data()
        _register_search()


# --- Registries of the core (dealership.registry): menu, permissions, demo data ------------
# Each role's permissions on the contracts models ("app_label.codename"); roles_sync adds
# them to the core's share.
_SELL = (
    "contracts.view_quote", "contracts.add_quote", "contracts.view_contract",
    "contracts.add_contract", "contracts.view_accessory", "contracts.view_valuepackage",
    "contracts.view_discountpolicy",
)
_APPROVE = ("contracts.view_approvalrequest", "contracts.change_approvalrequest")
_ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.CONSULTANT: _SELL,
    Role.SUPERVISOR: (*_SELL, *_APPROVE),
    Role.MANAGER: (*_SELL, *_APPROVE, "contracts.change_contract"),
    Role.FINANCE: ("contracts.view_quote", "contracts.view_contract"),
    Role.ADMIN: (
        "contracts.view_quote", "contracts.view_contract", "contracts.view_approvalrequest",
        "contracts.view_contractdocument", "contracts.view_discountpolicy",
        "contracts.change_discountpolicy", "contracts.view_accessory",
        "contracts.add_accessory", "contracts.change_accessory", "contracts.view_valuepackage",
        "contracts.add_valuepackage", "contracts.change_valuepackage",
    ),
}


def _register_navigation_roles_demo() -> None:
    """The contracts screens in the menu, with the counts of what waits for an approver or
    a reviewer, the roles' permissions, and the demo quotes and contracts (after the demo
    leads and visits they close)."""
    from contracts.selectors.approvals import approval_inbox_count
    from contracts.selectors.contracts import review_queue_count

    register_nav_item(url_name="contracts:approval_inbox", label=_("Discount approvals"),
                      roles=(Role.SUPERVISOR, Role.MANAGER), order=100, group=NavGroup.DEALS,
                      badge=approval_inbox_count)
    register_nav_item(url_name="contracts:review_queue", label=_("Contract review"),
                      roles=(Role.MANAGER,), order=110,
                      group=NavGroup.DEALS, badge=review_queue_count)
    register_nav_item(url_name="contracts:quote_list", label=_("Quotes"),
                      roles=(Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER, Role.FINANCE,
                             Role.ADMIN), order=120, group=NavGroup.DEALS)
    register_nav_item(url_name="contracts:contract_list", label=_("Contracts"),
                      roles=(Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER, Role.FINANCE,
                             Role.ADMIN), order=130, group=NavGroup.DEALS)
    register_nav_item(url_name="contracts:discount_policy", label=_("Discount policy"),
                      roles=(Role.ADMIN,), order=300, group=NavGroup.SETTINGS)
    register_nav_item(url_name="contracts:accessory_list", label=_("Accessories"),
                      roles=(Role.MANAGER, Role.ADMIN), order=304, group=NavGroup.SETTINGS)
    register_nav_item(url_name="contracts:package_list", label=_("Value-added packages"),
                      roles=(Role.MANAGER, Role.ADMIN), order=305, group=NavGroup.SETTINGS)
    for role, codenames in _ROLE_PERMISSIONS.items():
        register_role_permissions(role=role, codenames=codenames)
    register_demo_seeder(order=30, seed=_seed_demo)


def _seed_demo(rng: random.Random, *, store: Store, scale: str) -> None:
    # Imported when seeding: no other process needs the demo's modules.
    from contracts.demo import seed_contracts

    seed_contracts(rng, store=store, scale=scale)


# --- Slots and timeline kinds of the core (dealership.slots, dealership.timeline) ----------
def _register_slots_timeline() -> None:
    """The "new quote" buttons of the customer and lead pages (each shown only to who may
    write the customer a quote), the quotes' and contracts' timeline kinds and the kinds
    of the notifications their decisions send the consultant."""
    from contracts.enums import LeadEventKind, NotificationKind
    from dealership.slots import declare_slot, register_slot_action
    from dealership.timeline import register_timeline_kinds

    register_timeline_kinds(kinds=LeadEventKind)
    register_timeline_kinds(kinds=NotificationKind)
    register_slot_action(slot="customer_actions",
                         template="contracts/components/customer_actions.html", order=10)
    register_slot_action(slot="lead_actions", template="contracts/components/lead_actions.html",
                         order=20)
    # The contract page's side column: the later stages' cards (delivery's order progress,
    # loan and insurance) with the contract in their context.
    declare_slot(name="contract_panels")


# --- Personal data of the core (dealership.privacy): export, erasure, retention ------------
def _register_personal_data() -> None:
    """Quotes, contracts, payments and refunds in a customer's export; erasure keeps them
    and replaces the buyer; an open contract or money owed refuses it; a contract keeps the
    customer from the retention job."""
    from contracts.privacy import (
        contracts_anonymise,
        contracts_blocker,
        contracts_export,
        contracts_retention_hold,
    )
    from dealership.privacy import register_personal_data

    register_personal_data(app="contracts", export=contracts_export,
                           anonymise=contracts_anonymise, blocker=contracts_blocker,
                           blocked_reason=_("an open contract, or money owed either way"),
                           retention_hold=contracts_retention_hold)


# --- Search of the core (dealership.search): quotes and contracts in the search box ---------
def _register_search() -> None:
    """Quotes by number or customer, contracts by number or buyer, for those who read them."""
    from contracts.permissions import CONTRACT_VIEW_ROLES, QUOTE_VIEW_ROLES
    from contracts.search import search_contracts, search_quotes
    from dealership.search import register_search_provider

    register_search_provider(kind="quotes", label=_("Quotes"), order=30,
                             roles=QUOTE_VIEW_ROLES, search=search_quotes)
    register_search_provider(kind="contracts", label=_("Contracts"), order=40,
                             roles=CONTRACT_VIEW_ROLES, search=search_contracts)
