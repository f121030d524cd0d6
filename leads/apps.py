from __future__ import annotations

import random
from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dealership.enums import NavGroup, Role
from dealership.registry import register_demo_seeder, register_nav_item, register_role_home

if TYPE_CHECKING:
    from dealership.models import Store


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = _("Leads")

    def ready(self) -> None:
        _register_navigation_roles_demo()
        _register_slots_timeline()
        _register_personal_data()
        _register_search()


# --- Registries of the core (dealership.registry): menu, role homes, demo data -------------
def _register_navigation_roles_demo() -> None:
    """The leads screens in the menu (their places among every app's items), the homes of
    the roles that start their day there, and the demo leads everything else builds on."""
    today, leads, reports, settings = (NavGroup.TODAY, NavGroup.LEADS, NavGroup.REPORTS,
                                       NavGroup.SETTINGS)
    for url_name, label, roles, order, group in (
        ("leads:team_board", _("Sales board"), (Role.SUPERVISOR, Role.MANAGER), 20, today),
        ("leads:marketing_home", _("Marketing"), (Role.MARKETING,), 140, today),
        ("leads:list", _("Leads"), (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER,
                                    Role.MARKETING, Role.ADMIN), 150, leads),
        ("leads:create", _("New lead"), (Role.RECEPTIONIST, Role.CONSULTANT,
                                         Role.MARKETING), 160, leads),
        ("leads:pool", _("Lead pool"), (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER),
         170, leads),
        ("leads:campaigns", _("Campaigns"), (Role.SUPERVISOR, Role.MANAGER,
                                             Role.MARKETING), 190, leads),
        ("leads:import", _("Import leads"), (Role.MARKETING,), 200, leads),
        ("leads:message_list", _("Messages"), (Role.MARKETING,), 210, leads),
        ("leads:lost_report", _("Lost report"), (Role.SUPERVISOR, Role.MANAGER), 220, reports),
        ("leads:team", _("Team members"), (Role.SUPERVISOR, Role.MANAGER), 230, settings),
        ("leads:policy", _("Lead policy"), (Role.MANAGER,), 240, settings),
    ):
        register_nav_item(url_name=url_name, label=label, roles=roles, order=order,
                          group=group)
    # "My day" is the core's page of every stage's panels; its badge counts the unread
    # notifications, which are the leads stage's.
    from leads.selectors.notifications import unread_count
    register_nav_item(url_name="my_day", label=_("My day"), roles=(Role.CONSULTANT,), order=10,
                      group=NavGroup.TODAY, badge=unread_count)
    register_role_home(role=Role.SUPERVISOR, url_name="leads:team_board")
    register_role_home(role=Role.MARKETING, url_name="leads:marketing_home")
    register_demo_seeder(order=10, seed=_seed_demo)
    # Last of all stages: the later stages win and lose leads in bulk, so the routing's
    # maintained open-lead loads are counted once the store's history is written.
    register_demo_seeder(order=90, seed=_seed_demo_loads, label="routing loads")


def _seed_demo(rng: random.Random, *, store: Store, scale: str) -> None:
    # Imported when seeding: no other process needs the demo's modules.
    from leads.demo import seed_leads

    seed_leads(rng, store=store, scale=scale)


def _seed_demo_loads(rng: random.Random, *, store: Store, scale: str) -> None:
    from leads.models import ConsultantRouting
    from leads.services.routing import routing_loads_refresh

    routing_loads_refresh(owner_ids=ConsultantRouting.objects.filter(store=store)
                          .values_list("user_id", flat=True))


# --- Slots and timeline kinds of the core (dealership.slots, dealership.timeline) ----------
def _register_slots_timeline() -> None:
    """The leads panels of "my day" (one selector for all of them: what changed since the
    last visit first), its "new lead" button, the opt-out on the customer page, the lead
    page's place for later stages' buttons, and the leads' own timeline kinds."""
    from dealership.slots import declare_slot, register_my_day_panel, register_slot_action
    from dealership.timeline import register_timeline_kinds
    from leads.enums import EventKind
    from leads.selectors.my_day import my_day_for_user

    register_timeline_kinds(kinds=EventKind)
    panels = "leads/my_day_panels.html"
    register_my_day_panel(name="stats", template=f"{panels}#stats", selector=my_day_for_user,
                          order=10, roles=(Role.CONSULTANT,), summary=True)
    for name, order in (("since", 5), ("overdue", 20), ("due-today", 30), ("tasks", 40),
                        ("notifications", 50), ("customers", 60)):
        register_my_day_panel(name=name, template=f"{panels}#{name}",
                              selector=my_day_for_user, order=order, roles=(Role.CONSULTANT,))
    register_slot_action(slot="my_day_actions",
                         template="leads/components/my_day_actions.html", order=10)
    register_slot_action(slot="customer_consent_actions",
                         template="leads/components/customer_consent_actions.html", order=10)
    # Shown with `lead` on the lead page to those who work the open lead.
    declare_slot(name="lead_actions")


# --- Personal data of the core (dealership.privacy): export, erasure, retention, consent ---
def _register_personal_data() -> None:
    """The leads, their events, touches, tasks, messages and consent changes in a
    customer's export and erasure; leads worked or won keep a customer from the retention
    job; a withdrawn consent suppresses every unsent message."""
    from dealership.privacy import register_personal_data
    from leads.privacy import (
        leads_anonymise,
        leads_export,
        leads_retention_hold,
        messages_suppress_unsent,
    )

    register_personal_data(app="leads", export=leads_export, anonymise=leads_anonymise,
                           retention_hold=leads_retention_hold,
                           consent_withdrawn=messages_suppress_unsent)


# --- Search of the core (dealership.search): leads in the header's search box ----------------
def _register_search() -> None:
    """Leads by the customer's name or phone, for those who open leads."""
    from dealership.search import register_search_provider
    from leads.permissions import LEAD_ROLES
    from leads.search import search_leads

    register_search_provider(kind="leads", label=_("Leads"), order=20, roles=LEAD_ROLES,
                             search=search_leads)
