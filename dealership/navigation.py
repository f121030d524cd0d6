"""The navigation: which screens each role reaches, and each role's home page."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dealership.enums import Role

ROLE_HOME: dict[str, str] = {
    Role.CONSULTANT: "leads:my_day",
    Role.SUPERVISOR: "leads:team_board",
    Role.RECEPTIONIST: "showroom:desk",
    Role.MANAGER: "reports:store_overview",
    Role.FINANCE: "delivery:finance_desk",
    Role.SERVICE_ADVISOR: "aftersales:service_desk",
    Role.CUSTOMER_CARE: "aftersales:care_desk",
    Role.MARKETING: "leads:marketing_home",
    Role.GROUP_EXEC: "reports:group_overview",
    Role.ADMIN: "console",
}


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    roles: tuple[str, ...]
    # A count shown next to the label ("3 waiting"): "module:function" taking the user.
    badge: str = ""

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_ALL_CUSTOMER_ROLES = (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER, Role.FINANCE,
                       Role.SERVICE_ADVISOR, Role.CUSTOMER_CARE, Role.MARKETING, Role.ADMIN)

NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("leads:my_day", _("My day"), (Role.CONSULTANT,)),
    NavItem("leads:team_board", _("Team board"), (Role.SUPERVISOR, Role.MANAGER)),
    NavItem("showroom:desk", _("Reception desk"), (Role.RECEPTIONIST, Role.MANAGER)),
    NavItem("showroom:calendar", _("Test drives"), (Role.CONSULTANT, Role.SUPERVISOR,
                                                    Role.MANAGER, Role.RECEPTIONIST)),
    NavItem("showroom:invitations", _("Invitations"), (Role.CONSULTANT, Role.SUPERVISOR,
                                                       Role.MANAGER)),
    NavItem("showroom:roster", _("Roster"), (Role.RECEPTIONIST, Role.MANAGER)),
    NavItem("showroom:talk_tracks", _("Talk tracks"), (Role.CONSULTANT, Role.SUPERVISOR,
                                                       Role.MANAGER)),
    NavItem("showroom:inspection", _("Inspection"), (Role.SUPERVISOR, Role.MANAGER)),
    NavItem("reports:store_overview", _("Store overview"), (Role.MANAGER,)),
    NavItem("contracts:approval_inbox", _("Approvals"), (Role.SUPERVISOR, Role.MANAGER),
            badge="contracts.selectors_approvals:approval_inbox_count"),
    NavItem("contracts:review_queue", _("Contract review"), (Role.MANAGER,),
            badge="contracts.selectors_contracts:review_queue_count"),
    NavItem("contracts:quote_list", _("Quotes"), (Role.CONSULTANT, Role.SUPERVISOR,
                                                  Role.MANAGER, Role.FINANCE, Role.ADMIN)),
    NavItem("contracts:contract_list", _("Contracts"), (Role.CONSULTANT, Role.SUPERVISOR,
                                                        Role.MANAGER, Role.FINANCE,
                                                        Role.ADMIN)),
    NavItem("leads:marketing_home", _("Marketing"), (Role.MARKETING,)),
    NavItem("leads:list", _("Leads"), (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER,
                                       Role.MARKETING, Role.ADMIN)),
    NavItem("leads:create", _("New lead"), (Role.RECEPTIONIST, Role.CONSULTANT,
                                            Role.MARKETING)),
    NavItem("leads:pool", _("Lead pool"), (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER)),
    NavItem("customers:list", _("Customers"), _ALL_CUSTOMER_ROLES),
    NavItem("leads:campaigns", _("Campaigns"), (Role.SUPERVISOR, Role.MANAGER,
                                                Role.MARKETING)),
    NavItem("leads:import", _("Import leads"), (Role.MARKETING,)),
    NavItem("leads:message_list", _("Messages"), (Role.MARKETING,)),
    NavItem("leads:lost_report", _("Lost report"), (Role.SUPERVISOR, Role.MANAGER)),
    NavItem("leads:team", _("Team"), (Role.SUPERVISOR, Role.MANAGER)),
    NavItem("leads:policy", _("Lead policy"), (Role.MANAGER,)),
    NavItem("stock:list", _("Stock"), (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER,
                                        Role.FINANCE, Role.ADMIN)),
    NavItem("delivery:finance_desk", _("Finance desk"), (Role.FINANCE,)),
    NavItem("aftersales:service_desk", _("Service desk"), (Role.SERVICE_ADVISOR,)),
    NavItem("aftersales:care_desk", _("Customer care"), (Role.CUSTOMER_CARE,)),
    NavItem("reports:group_overview", _("Group figures"), (Role.GROUP_EXEC, Role.ADMIN)),
    NavItem("contracts:discount_policy", _("Discount policy"), (Role.ADMIN,)),
    NavItem("console", _("Administration"), (Role.ADMIN,)),
)


def home_url_name(user) -> str:
    if user.is_superuser and user.role not in ROLE_HOME:
        return ROLE_HOME[Role.ADMIN]
    return ROLE_HOME.get(user.role, "account")


def nav_for(user) -> list[NavItem]:
    role = Role.ADMIN if (user.is_superuser and user.role == Role.ADMIN) else user.role
    return [item for item in NAV_ITEMS if role in item.roles]


def nav_badges(user, items: list[NavItem]) -> dict[str, int]:
    """The counts of the user's items that have one (one COUNT query per such item)."""
    badges = {}
    for item in items:
        if item.badge:
            module, function = item.badge.split(":")
            badges[item.url_name] = getattr(import_module(module), function)(user)
    return badges
