from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dealership.enums import NavGroup, Role
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
    # The purposes of the messages this stage queues, as the Messages page names them.
    from aftersales.jobs_care import PURPOSE_CARE
    from aftersales.jobs_service import PURPOSE_SERVICE_REMINDER
    from aftersales.services.campaigns import PURPOSE_CARE_CAMPAIGN
    from aftersales.services.surveys import PURPOSE_SURVEY
    from leads.messaging import register_message_purpose

    for code, label in ((PURPOSE_CARE, _("Care plan message")),
                        (PURPOSE_SERVICE_REMINDER, _("Service appointment reminder")),
                        (PURPOSE_SURVEY, _("Satisfaction survey")),
                        (PURPOSE_CARE_CAMPAIGN, _("Care campaign"))):
        register_message_purpose(code=code, label=label)


# --- The owner's file and the data-quality list --------------------------------------------
def _register_owners() -> None:
    from dealership.slots import register_slot_action

    register_nav_item(url_name="aftersales:owner_list", label=_("Owners"),
                      roles=(Role.SERVICE_ADVISOR, Role.CUSTOMER_CARE, Role.SUPERVISOR,
                             Role.MANAGER), order=275, group=NavGroup.AFTERSALES)
    # The customer page links to the file; the include decides (role, scope, owns a car).
    register_slot_action(slot="customer_actions",
                         template="aftersales/owner_file_link.html", order=30)


# --- Care plan (vehicle_delivered), care tasks, the care desk --------------------------------
def _register_care() -> None:
    from aftersales.selectors.care import care_steps_for_my_day
    from aftersales.services.care import care_plan_on_delivery
    from dealership.slots import register_my_day_panel
    from delivery.signals import vehicle_delivered

    register_nav_item(url_name="aftersales:care_desk", label=_("Customer care"),
                      roles=(Role.CUSTOMER_CARE,), order=280, group=NavGroup.AFTERSALES)
    register_nav_item(url_name="aftersales:care_steps", label=_("Care calls"),
                      roles=(Role.SUPERVISOR, Role.MANAGER), order=281, group=NavGroup.AFTERSALES)
    register_nav_item(url_name="aftersales:care_settings", label=_("Care settings"),
                      roles=(Role.MANAGER,), order=282, group=NavGroup.SETTINGS)
    register_role_home(role=Role.CUSTOMER_CARE, url_name="aftersales:care_desk")
    register_my_day_panel(name="care-steps", template="aftersales/care_my_day.html#care-steps",
                          selector=care_steps_for_my_day, order=18, roles=(Role.CONSULTANT,))
    vehicle_delivered.connect(care_plan_on_delivery,
                              dispatch_uid="aftersales.care_plan_on_delivery")


# --- Service desk: capacity, appointments, records, calendars --------------------------------
def _register_service() -> None:
    """The desk in the menu of the roles that open it (the advisor's home), and the week
    calendar for those who look on."""
    register_nav_item(url_name="aftersales:service_desk", label=_("Service desk"),
                      roles=(Role.SERVICE_ADVISOR, Role.MANAGER), order=270,
                      group=NavGroup.AFTERSALES)
    register_nav_item(url_name="aftersales:service_week", label=_("Workshop calendar"),
                      roles=(Role.SERVICE_ADVISOR, Role.CUSTOMER_CARE, Role.MANAGER),
                      order=271, group=NavGroup.AFTERSALES)
    register_role_home(role=Role.SERVICE_ADVISOR, url_name="aftersales:service_desk")
    from dealership.slots import register_slot_action

    register_slot_action(slot="customer_actions",
                         template="aftersales/service_customer_actions.html", order=40)


# --- Satisfaction surveys --------------------------------------------------------------------
def _register_surveys() -> None:
    from aftersales.permissions import SURVEY_RESULT_ROLES
    from aftersales.services.surveys import on_vehicle_delivered
    from delivery.signals import vehicle_delivered

    vehicle_delivered.connect(on_vehicle_delivered, dispatch_uid="aftersales.survey_delivery")
    register_nav_item(url_name="aftersales:survey_results", label=_("Survey results"),
                      roles=SURVEY_RESULT_ROLES, order=285, group=NavGroup.AFTERSALES)


# --- Complaints --------------------------------------------------------------------------------
def _register_complaints() -> None:
    """The board in the menu of who works complaints and of who looks on at their share
    (a consultant: own customers'; a service advisor: the service department's), and the
    customer page's "Record a complaint" for who takes them in."""
    from aftersales.permissions import COMPLAINT_VIEW_ROLES
    from dealership.slots import register_slot_action

    register_nav_item(url_name="aftersales:complaint_board", label=_("Complaints"),
                      roles=COMPLAINT_VIEW_ROLES, order=286, group=NavGroup.AFTERSALES)
    register_slot_action(slot="customer_actions",
                         template="aftersales/complaint_customer_action.html", order=35)


# --- Referrals and loyalty points ------------------------------------------------------------
def _register_loyalty() -> None:
    """Referrals in the sellers' and customer care's menu, packages in the manager's; the
    customer page's "Refer a friend" and "Points"; the points credited when a referred
    lead's contract is signed and taken back when it is cancelled (both inside the
    contract's transaction)."""
    from aftersales.permissions import PACKAGE_ROLES, REFERRAL_ROLES
    from aftersales.services.loyalty import on_contract_cancelled, on_contract_signed
    from contracts.signals import contract_cancelled, contract_signed
    from dealership.slots import register_slot_action

    register_nav_item(url_name="aftersales:referral_list", label=_("Referrals"),
                      roles=REFERRAL_ROLES, order=287, group=NavGroup.AFTERSALES)
    register_nav_item(url_name="aftersales:package_list", label=_("Service packages"),
                      roles=PACKAGE_ROLES, order=288, group=NavGroup.AFTERSALES)
    register_slot_action(slot="customer_actions",
                         template="aftersales/loyalty_customer_actions.html", order=40)
    contract_signed.connect(on_contract_signed, dispatch_uid="aftersales.loyalty.credit")
    contract_cancelled.connect(on_contract_cancelled,
                               dispatch_uid="aftersales.loyalty.reverse")


# --- Segments and care campaigns -------------------------------------------------------------
def _register_campaigns() -> None:
    """Owner segments and care campaigns in the menu of marketing, customer care and the
    manager."""
    from aftersales.permissions import CAMPAIGN_ROLES

    register_nav_item(url_name="aftersales:campaign_list", label=_("Care campaigns"),
                      roles=CAMPAIGN_ROLES, order=292, group=NavGroup.AFTERSALES)
    register_nav_item(url_name="aftersales:segment_list", label=_("Owner segments"),
                      roles=CAMPAIGN_ROLES, order=293, group=NavGroup.AFTERSALES)


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
