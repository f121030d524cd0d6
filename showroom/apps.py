from __future__ import annotations

import random
from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dealership.enums import NavGroup, Role
from dealership.registry import register_demo_seeder, register_nav_item, register_role_home

if TYPE_CHECKING:
    from dealership.models import Store


class ShowroomConfig(AppConfig):
    name = "showroom"
    verbose_name = _("Showroom")

    def ready(self) -> None:
        _register_navigation_roles_demo()
        _register_slots_timeline()
        _register_personal_data()


# --- Registries of the core (dealership.registry): menu, role homes, demo data -------------
def _register_navigation_roles_demo() -> None:
    """The showroom's screens in the menu, the receptionist's home, and the demo visits,
    invitations and test drives (after the demo leads they follow)."""
    for url_name, label, roles, order in (
        ("showroom:desk", _("Reception desk"), (Role.RECEPTIONIST, Role.MANAGER), 30),
        ("showroom:calendar", _("Test drives"), (Role.CONSULTANT, Role.SUPERVISOR,
                                                 Role.MANAGER, Role.RECEPTIONIST), 40),
        ("showroom:invitations", _("Invitations"), (Role.CONSULTANT, Role.SUPERVISOR,
                                                    Role.MANAGER), 50),
        ("showroom:roster", _("Roster"), (Role.RECEPTIONIST, Role.MANAGER), 60),
        ("showroom:talk_tracks", _("Talk tracks"), (Role.CONSULTANT, Role.SUPERVISOR,
                                                    Role.MANAGER), 70),
        ("showroom:inspection", _("Showroom inspection"), (Role.SUPERVISOR, Role.MANAGER), 80),
    ):
        register_nav_item(url_name=url_name, label=label, roles=roles, order=order,
                          group=NavGroup.SHOWROOM)
    register_role_home(role=Role.RECEPTIONIST, url_name="showroom:desk")
    register_demo_seeder(order=20, seed=_seed_demo)


def _seed_demo(rng: random.Random, *, store: Store, scale: str) -> None:
    # Imported when seeding: no other process needs the demo's modules.
    from showroom.demo import seed_showroom

    seed_showroom(rng, store=store, scale=scale)


# --- Slots and timeline kinds of the core (dealership.slots, dealership.timeline) ----------
def _register_slots_timeline() -> None:
    """The showroom's card of "my day" (first, before the leads' cards), the "invite" and
    "book a test drive" buttons of the lead page, and the showroom's timeline kinds."""
    from dealership.slots import register_my_day_panel, register_slot_action
    from dealership.timeline import register_timeline_kinds
    from showroom.enums import LeadEventKind
    from showroom.selectors.my_day import showroom_day_for_consultant

    register_timeline_kinds(kinds=LeadEventKind)
    register_my_day_panel(name="showroom-today",
                          template="showroom/my_day_panels.html#showroom-today",
                          selector=showroom_day_for_consultant, order=10,
                          roles=(Role.CONSULTANT,))
    register_slot_action(slot="lead_actions", template="showroom/components/lead_actions.html",
                         order=10)


# --- Personal data of the core (dealership.privacy): export, erasure, retention ------------
def _register_personal_data() -> None:
    """Visits, objections, invitations and test drives in a customer's export and erasure;
    recent ones keep a customer from the retention job."""
    from dealership.privacy import register_personal_data
    from showroom.privacy import showroom_anonymise, showroom_export, showroom_retention_hold

    register_personal_data(app="showroom", export=showroom_export,
                           anonymise=showroom_anonymise,
                           retention_hold=showroom_retention_hold)
