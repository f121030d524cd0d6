from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dealership.enums import Role
from dealership.registry import register_nav_item, register_role_home


class AftersalesConfig(AppConfig):
    name = "aftersales"
    verbose_name = _("After-sales")

    def ready(self) -> None:
        _register_timeline()
        _register_owners()
        _register_care()
        _register_service()
        _register_surveys()
        _register_complaints()
        _register_loyalty()
        _register_campaigns()
        _register_demo()


def _register_timeline() -> None:
    """After-sales' lead-timeline and notification kinds."""
    from aftersales.enums import LeadEventKind
    from dealership.timeline import register_timeline_kinds

    register_timeline_kinds(kinds=LeadEventKind)


# --- The owner's file and the data-quality list --------------------------------------------
def _register_owners() -> None:
    pass


# --- Care plan (vehicle_delivered), care tasks, the care desk --------------------------------
def _register_care() -> None:
    register_nav_item(url_name="aftersales:care_desk", label=_("Customer care"),
                      roles=(Role.CUSTOMER_CARE,), order=280)
    register_role_home(role=Role.CUSTOMER_CARE, url_name="aftersales:care_desk")


# --- Service desk: capacity, appointments, records, calendars --------------------------------
def _register_service() -> None:
    register_nav_item(url_name="aftersales:service_desk", label=_("Service desk"),
                      roles=(Role.SERVICE_ADVISOR,), order=270)
    register_role_home(role=Role.SERVICE_ADVISOR, url_name="aftersales:service_desk")


# --- Satisfaction surveys --------------------------------------------------------------------
def _register_surveys() -> None:
    pass


# --- Complaints --------------------------------------------------------------------------------
def _register_complaints() -> None:
    pass


# --- Referrals and loyalty points ------------------------------------------------------------
def _register_loyalty() -> None:
    pass


# --- Segments and care campaigns -------------------------------------------------------------
def _register_campaigns() -> None:
    pass


# --- Demo data ---------------------------------------------------------------------------------
def _register_demo() -> None:
    """After-sales' demo: after delivery's (order 40), whose delivered contracts it
    follows up."""
    from dealership.registry import register_demo_seeder

    register_demo_seeder(order=50, seed=_seed_demo)


def _seed_demo(rng, *, store, scale: str) -> None:
    # Imported when seeding: no other process needs the demo's modules.
    from aftersales.demo.seed import seed_aftersales

    seed_aftersales(rng, store=store, scale=scale)
