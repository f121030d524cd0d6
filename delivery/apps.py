from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dealership.enums import NavGroup, Role
from dealership.registry import (
    register_nav_item,
    register_role_home,
    register_role_permissions,
)


class DeliveryConfig(AppConfig):
    name = "delivery"
    verbose_name = _("Delivery and payment")

    def ready(self) -> None:
        _register_timeline()
        _register_inventory()
        _register_orders()
        _register_money()
        _register_handover()
        _register_demo()
        _register_search()


def _register_timeline() -> None:
    """Delivery's lead-timeline and notification kinds."""
    from dealership.timeline import register_timeline_kinds
    from delivery.enums import LeadEventKind

    register_timeline_kinds(kinds=LeadEventKind)


# --- Inventory: the board, receiving, the store's thresholds -------------------------------
def _register_inventory() -> None:
    """The board in the menu of the store roles that open it (the administrator has no
    store, hence no board, and keeps the core's stock list), and the permissions on the
    stage's inventory models: the manager imports stock and sets the store's thresholds;
    finance and the administrator read them."""
    register_nav_item(url_name="delivery:stock_board", label=_("Inventory"),
                      roles=(Role.SUPERVISOR, Role.MANAGER, Role.FINANCE), order=245,
                      group=NavGroup.DELIVERY)
    register_role_permissions(role=Role.MANAGER, codenames=(
        "delivery.view_stockimport", "delivery.add_stockimport",
        "delivery.view_deliverysettings", "delivery.change_deliverysettings",
        "delivery.add_deliverysettings",
    ))
    for role in (Role.FINANCE, Role.ADMIN):
        register_role_permissions(role=role, codenames=(
            "delivery.view_stockimport", "delivery.view_deliverysettings"))


# --- Allocation and order progress --------------------------------------------------------
def _register_orders() -> None:
    from contracts.signals import contract_cancelled
    from dealership.slots import register_slot_action
    from delivery.receivers import release_car_of_cancelled_contract

    register_nav_item(url_name="delivery:order_list", label=_("Orders"),
                      roles=(Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER, Role.FINANCE),
                      order=240, group=NavGroup.DELIVERY)
    register_slot_action(slot="contract_panels", template="delivery/components/order_panel.html",
                         order=10)
    contract_cancelled.connect(release_car_of_cancelled_contract,
                               dispatch_uid="delivery.release_car_of_cancelled_contract")


# --- Money: the finance desk, receivables, loans and insurance -----------------------------
def _register_money() -> None:
    """The finance desk and receivables in the menu, the desk as the finance role's home,
    and the permissions the desk works with."""
    register_nav_item(url_name="delivery:finance_desk", label=_("Finance desk"),
                      roles=(Role.FINANCE,), order=260, group=NavGroup.DELIVERY)
    register_nav_item(url_name="delivery:receivables", label=_("Receivables"),
                      roles=(Role.FINANCE, Role.MANAGER), order=262, group=NavGroup.DELIVERY)
    register_role_home(role=Role.FINANCE, url_name="delivery:finance_desk")
    from delivery.jobs_money import PURPOSE_BALANCE_OVERDUE
    from leads.messaging import register_message_purpose

    register_message_purpose(code=PURPOSE_BALANCE_OVERDUE, label=_("Balance reminder"))
    register_role_permissions(role=Role.FINANCE, codenames=(
        "contracts.view_payment", "contracts.change_payment",
        "contracts.view_refundobligation", "contracts.change_refundobligation",
    ))
    from dealership.slots import register_slot_action

    # The contract page's "Payment, loan and insurance" card (signed contracts onwards).
    register_slot_action(slot="contract_panels",
                         template="delivery/components/money_panel.html", order=20)


# --- Inspection, calendar and handover ----------------------------------------------------
def _register_handover() -> None:
    """The delivery calendar (and the manager's inspection list) in the menu, and the
    consultant's deliveries of today and tomorrow on "my day"."""
    from dealership.slots import register_my_day_panel
    from delivery.selectors.handover import deliveries_for_my_day

    register_nav_item(url_name="delivery:calendar", label=_("Delivery calendar"),
                      roles=(Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER,
                             Role.RECEPTIONIST),
                      order=242, group=NavGroup.DELIVERY)
    register_nav_item(url_name="delivery:pdi_items", label=_("PDI checklist"),
                      roles=(Role.MANAGER,), order=243, group=NavGroup.SETTINGS)
    register_my_day_panel(name="deliveries", template="delivery/my_day_panels.html#deliveries",
                          selector=deliveries_for_my_day, order=15, roles=(Role.CONSULTANT,))


# --- Demo data ----------------------------------------------------------------------------
def _register_demo() -> None:
    """The delivery stage's demo: after the money stage's (order 30), whose signed
    contracts it plays on to the handover."""
    from dealership.registry import register_demo_seeder

    register_demo_seeder(order=40, seed=_seed_demo)


def _seed_demo(rng, *, store, scale: str) -> None:
    # Imported when seeding: no other process needs the demo's modules.
    from delivery.demo import seed_delivery

    seed_delivery(rng, store=store, scale=scale)


# --- Search of the core (dealership.search): plates in the header's search box --------------
def _register_search() -> None:
    """Delivered cars by plate, opening their contract, for those who read contracts."""
    from contracts.permissions import CONTRACT_VIEW_ROLES
    from dealership.search import register_search_provider
    from delivery.search import search_plates

    register_search_provider(kind="plates", label=_("Plates"), order=50,
                             roles=CONTRACT_VIEW_ROLES, search=search_plates)
