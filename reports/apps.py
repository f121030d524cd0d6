from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dealership.enums import Role
from dealership.registry import register_nav_item, register_role_home


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        _register_home()
        _register_targets()
        _register_meetings()
        _register_wall()
        _register_charts()
        _register_daily()
        _register_commission()
        _register_group()
        _register_demo()


# --- The manager's home: the live store overview -------------------------------------------
def _register_home() -> None:
    register_nav_item(url_name="reports:store_overview", label=_("Store overview"),
                      roles=(Role.MANAGER,), order=90)
    register_role_home(role=Role.MANAGER, url_name="reports:store_overview")


# --- Monthly targets and the working calendar ----------------------------------------------
def _register_targets() -> None:
    pass


# --- Morning and evening meetings, the manager's notes ------------------------------------
def _register_meetings() -> None:
    pass


# --- The wall screen and its kiosk links ------------------------------------------------
def _register_wall() -> None:
    pass


# --- Reports with charts and their CSV exports -------------------------------------------
def _register_charts() -> None:
    pass


# --- The daily report PDF --------------------------------------------------------------
def _register_daily() -> None:
    pass


# --- Commission -------------------------------------------------------------------------
def _register_commission() -> None:
    pass


# --- The group executive's view ----------------------------------------------------------
def _register_group() -> None:
    register_nav_item(url_name="reports:group_overview", label=_("Group figures"),
                      roles=(Role.GROUP_EXEC, Role.ADMIN), order=290)
    register_role_home(role=Role.GROUP_EXEC, url_name="reports:group_overview")


# --- Demo data (seed_demo): after every stage's own -----------------------------------------
def _register_demo() -> None:
    """Reports' demo: after after-sales' (order 50), whose history it reads."""
    from dealership.registry import register_demo_seeder

    register_demo_seeder(order=60, seed=_seed_demo)


def _seed_demo(rng, *, store, scale: str) -> None:
    from reports.demo import seed_reports

    seed_reports(rng, store=store, scale=scale)
