from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from dealership.enums import NavGroup, Role
from dealership.registry import (
    register_nav_item,
    register_role_home,
    register_role_permissions,
)


class DealershipConfig(AppConfig):
    name = "dealership"
    verbose_name = _("Dealership core")

    def ready(self) -> None:
        from dealership.roles import roles_sync_after_migrate

        # Every app's post_migrate: permissions of later apps exist only after theirs.
        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="dealership.roles_sync")
        _register_navigation_roles()

        # Login throttling: a lockout is audited (django-axes sends the signal).
        from axes.signals import user_locked_out

        from dealership.services.security import on_user_locked_out

        user_locked_out.connect(on_user_locked_out, dispatch_uid="dealership.lockout_audit")

        # Slots (dealership.slots): every registered panel and action template must exist.
        from django.core import checks

        from dealership.slots import check_slots

        checks.register(check_slots, checks.Tags.templates)
        _register_search()


# --- Registries (dealership.registry): the core's own menu items, homes and permissions ----
_CUSTOMER_ROLES = (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER, Role.FINANCE,
                   Role.SERVICE_ADVISOR, Role.CUSTOMER_CARE, Role.MARKETING, Role.ADMIN)


def _register_navigation_roles() -> None:
    """The core's screens in the menu, between the stages' (see their `order`), the
    consultant's and the administrator's homes, the core's share of every role's
    permissions, and the start-up checks of every app's entries."""
    from django.core import checks

    from dealership.checks import check_navigation, check_role_homes, check_role_permissions
    from dealership.roles import CORE_ROLE_PERMISSIONS

    checks.register(check_navigation, checks.Tags.urls)
    checks.register(check_role_homes, checks.Tags.urls)
    checks.register(check_role_permissions)

    register_nav_item(url_name="customers:list", label=_("Customers"), roles=_CUSTOMER_ROLES,
                      order=180, group=NavGroup.LEADS)
    register_nav_item(url_name="stock:list", label=_("Stock"),
                      roles=(Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER, Role.FINANCE,
                             Role.ADMIN), order=250, group=NavGroup.DELIVERY)
    register_nav_item(url_name="catalogue:trim_list", label=_("Trims"),
                      roles=(Role.MANAGER, Role.ADMIN), order=302, group=NavGroup.SETTINGS)
    register_nav_item(url_name="catalogue:colour_list", label=_("Colours"),
                      roles=(Role.MANAGER, Role.ADMIN), order=303, group=NavGroup.SETTINGS)
    register_nav_item(url_name="console", label=_("Administration"), roles=(Role.ADMIN,),
                      order=310, group=NavGroup.SETTINGS)
    register_role_home(role=Role.CONSULTANT, url_name="my_day")
    register_role_home(role=Role.ADMIN, url_name="console")
    for role, codenames in CORE_ROLE_PERMISSIONS.items():
        register_role_permissions(role=role, codenames=codenames)


# --- Search (dealership.search): the core's records in the header's search box -----------
def _register_search() -> None:
    """Customers by name or phone, stock vehicles by VIN."""
    from dealership.search import register_search_provider, search_customers, search_stock
    from dealership.views.stock import STOCK_ROLES

    register_search_provider(kind="customers", label=_("Customers"), order=10,
                             roles=_CUSTOMER_ROLES, search=search_customers)
    register_search_provider(kind="stock", label=_("Stock vehicles"), order=60,
                             roles=STOCK_ROLES, search=search_stock)
