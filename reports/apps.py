from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dealership.enums import Role
from dealership.registry import register_nav_item, register_role_home


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        _register_navigation_roles()


# --- Registries of the core (dealership.registry): menu and role homes --------------------
def _register_navigation_roles() -> None:
    """The store and group figures in the menu and as the manager's and the executive's
    homes."""
    register_nav_item(url_name="reports:store_overview", label=_("Store overview"),
                      roles=(Role.MANAGER,), order=90)
    register_nav_item(url_name="reports:group_overview", label=_("Group figures"),
                      roles=(Role.GROUP_EXEC, Role.ADMIN), order=290)
    register_role_home(role=Role.MANAGER, url_name="reports:store_overview")
    register_role_home(role=Role.GROUP_EXEC, url_name="reports:group_overview")
