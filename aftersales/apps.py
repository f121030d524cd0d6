from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dealership.enums import Role
from dealership.registry import register_nav_item, register_role_home


class AftersalesConfig(AppConfig):
    name = "aftersales"
    verbose_name = _("After-sales")

    def ready(self) -> None:
        _register_navigation_roles()


# --- Registries of the core (dealership.registry): menu and role homes --------------------
def _register_navigation_roles() -> None:
    """The service and care desks in the menu and as their roles' homes."""
    register_nav_item(url_name="aftersales:service_desk", label=_("Service desk"),
                      roles=(Role.SERVICE_ADVISOR,), order=270)
    register_nav_item(url_name="aftersales:care_desk", label=_("Customer care"),
                      roles=(Role.CUSTOMER_CARE,), order=280)
    register_role_home(role=Role.SERVICE_ADVISOR, url_name="aftersales:service_desk")
    register_role_home(role=Role.CUSTOMER_CARE, url_name="aftersales:care_desk")
