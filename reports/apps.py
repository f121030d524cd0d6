from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dealership.enums import NavGroup, Role
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
                      roles=(Role.MANAGER,), order=90, group=NavGroup.TODAY)
    register_role_home(role=Role.MANAGER, url_name="reports:store_overview")


# --- Monthly targets and the working calendar ----------------------------------------------
def _register_targets() -> None:
    register_nav_item(url_name="reports:targets", label=_("Targets"),
                      roles=(Role.MANAGER, Role.SUPERVISOR, Role.CONSULTANT), order=95,
                      group=NavGroup.REPORTS)


# --- Morning and evening meetings, the manager's notes ------------------------------------
def _register_meetings() -> None:
    for url_name, label, order in (("reports:morning_meeting", _("Morning meeting"), 91),
                                   ("reports:evening_meeting", _("Evening meeting"), 92)):
        register_nav_item(url_name=url_name, label=label,
                          roles=(Role.MANAGER, Role.SUPERVISOR), order=order,
                          group=NavGroup.TODAY)


# --- The wall screen and its kiosk links ------------------------------------------------
def _register_wall() -> None:
    from django.db.models.signals import post_delete, post_save

    from reports.freshness import BOARD_MODELS, bump_on_change

    register_nav_item(url_name="reports:kiosk_links", label=_("Wall screen"),
                      roles=(Role.MANAGER,), order=93, group=NavGroup.REPORTS)
    # The wall screen's ETags (reports.freshness): a row the boards read changed.
    for label in BOARD_MODELS:
        for signal in (post_save, post_delete):
            signal.connect(bump_on_change, sender=label, weak=False,
                           dispatch_uid=f"reports.wall.{signal is post_save}.{label}")


# --- Reports with charts and their CSV exports -------------------------------------------
def _register_charts() -> None:
    from reports.permissions import CHART_ROLES

    register_nav_item(url_name="reports:charts", label=_("Reports"), roles=CHART_ROLES,
                      order=296, group=NavGroup.REPORTS)


# --- The daily report PDF --------------------------------------------------------------
def _register_daily() -> None:
    from reports.permissions import DAILY_REPORT_ROLES

    register_nav_item(url_name="reports:daily_reports", label=_("Daily reports"),
                      roles=DAILY_REPORT_ROLES, order=297, group=NavGroup.REPORTS)


# --- Commission -------------------------------------------------------------------------
def _register_commission() -> None:
    """One "Commission" item: a consultant's own statement, the manager's table of everyone
    (and from it the scheme), finance's payroll download."""
    register_nav_item(url_name="reports:commission", label=_("Commission"),
                      roles=(Role.CONSULTANT, Role.MANAGER, Role.FINANCE), order=298,
                      group=NavGroup.REPORTS)


# --- The group executive's view ----------------------------------------------------------
def _register_group() -> None:
    register_nav_item(url_name="reports:group_overview", label=_("Group figures"),
                      roles=(Role.GROUP_EXEC, Role.ADMIN), order=290, group=NavGroup.REPORTS)
    register_role_home(role=Role.GROUP_EXEC, url_name="reports:group_overview")


# --- Demo data (seed_demo): after every stage's own -----------------------------------------
def _register_demo() -> None:
    """Reports' demo: after after-sales' (order 50), whose history it reads."""
    from dealership.registry import register_demo_seeder

    register_demo_seeder(order=60, seed=_seed_demo)


def _seed_demo(rng, *, store, scale: str) -> None:
    from reports.demo import seed_reports

    seed_reports(rng, store=store, scale=scale)
