from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dealership.enums import Role
from dealership.registry import (
    register_nav_item,
    register_role_home,
    register_role_permissions,
)


class DeliveryConfig(AppConfig):
    name = "delivery"
    verbose_name = _("Delivery and payment")

    def ready(self) -> None:
        _register_navigation_roles()


# --- Registries of the core (dealership.registry): menu, role home, permissions -----------
def _register_navigation_roles() -> None:
    """The finance desk in the menu and as the finance role's home, and the permissions
    the desk works with."""
    register_nav_item(url_name="delivery:finance_desk", label=_("Finance desk"),
                      roles=(Role.FINANCE,), order=260)
    register_role_home(role=Role.FINANCE, url_name="delivery:finance_desk")
    register_role_permissions(role=Role.FINANCE, codenames=(
        "contracts.view_payment", "contracts.change_payment",
        "contracts.view_refundobligation", "contracts.change_refundobligation",
    ))
