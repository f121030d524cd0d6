"""The pages the benchmark opens: every main page of every stage, each as the role that
works on it, on real objects of the store (its newest open lead, that lead's customer's
phone, its newest contract).

`kind` picks the target (reports.bench.figures.TARGETS); `key` names the page across runs
(the growth column matches on it), so keys never change meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

from contracts.models import Contract
from dealership.demo.logins import ROLE_LOGINS
from dealership.enums import Role
from dealership.models import Store, User
from dealership.navigation import home_url_name
from leads.models import Lead

HTMX = {"HX-Request": "true"}


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    kind: str
    user: User
    path: str
    headers: dict[str, str] = field(default_factory=dict)


class MissingData(Exception):
    """The store lacks what a page needs (a role's user, an open lead)."""


def staff(store: Store, role: str, username: str = "") -> User:
    """The store's demo login for the role, else its first active user of that role."""
    people = User.objects.filter(role=role, is_active=True, store=store)
    if role in (Role.GROUP_EXEC, Role.ADMIN) and not people.exists():
        # A group's executives and the administrators may belong to no store.
        people = User.objects.filter(role=role, is_active=True, store__isnull=True)
    person = people.filter(username=username).first() if username else None
    person = person or people.order_by("username").first()
    if person is None:
        raise MissingData(f"store {store.code} has no active {role}")
    return person


def floor_page(store: Store) -> Page:
    return Page("floor", "Account page (floor)", "floor", staff(store, Role.MANAGER, "manager"),
                reverse("account"))


def main_pages(store: Store) -> tuple[list[Page], list[str]]:
    """(pages, notes): a page whose URL or objects are missing is left out with a note."""
    notes: list[str] = []
    manager = staff(store, Role.MANAGER, "manager")
    supervisor = staff(store, Role.SUPERVISOR, "supervisor")
    lead = (Lead.objects.filter(store=store, open=True, owner__role=Role.CONSULTANT)
            .select_related("customer", "owner").order_by("-pk").first())
    if lead is None:
        raise MissingData(f"store {store.code} has no open lead of a consultant")
    consultant = lead.owner
    national = lead.customer.phone.removeprefix("+86")
    last4 = national[-4:]
    lead_list = reverse("leads:list")
    search = reverse("search")
    pages = [
        Page("lead_list_25", "Lead list, 25 rows", "list", manager, lead_list),
        Page("lead_list_100", "Lead list, 100 rows", "list", manager,
             f"{lead_list}?per_page=100"),
        Page("lead_list_consultant", "Lead list (consultant)", "list", consultant, lead_list),
        Page("lead_list_rows_htmx", "Lead list rows (htmx partial)", "partial", manager,
             f"{lead_list}?page=2", {**HTMX, "HX-Target": "lead-rows"}),
        Page("lead_list_search_phone", "Lead list, search full phone", "search_phone",
             manager, f"{lead_list}?{urlencode({'q': national})}"),
        Page("lead_list_search_last4", "Lead list, search last 4 digits", "search_suffix",
             manager, f"{lead_list}?{urlencode({'q': last4})}"),
        Page("search_phone", "Header search, full phone", "search_phone", manager,
             f"{search}?{urlencode({'q': national})}"),
        Page("search_last4", "Header search, last 4 digits", "search_suffix", manager,
             f"{search}?{urlencode({'q': last4})}"),
        Page("search_phone_htmx", "Header search, full phone (htmx)", "search_phone",
             manager, f"{search}?{urlencode({'q': national})}", HTMX),
        Page("lead_detail", "Lead detail", "detail", manager,
             reverse("leads:detail", args=[lead.pk])),
        Page("team_board", "Team board (supervisor)", "board", supervisor,
             reverse("leads:team_board")),
        Page("my_day", "My day (consultant)", "board", consultant, reverse("my_day")),
        Page("nav_badges", "Navigation badges (htmx partial)", "partial", manager,
             reverse("nav_badges"), HTMX),
        Page("reception_desk", "Reception desk", "board",
             staff(store, Role.RECEPTIONIST, "receptionist"), reverse("showroom:desk")),
        Page("test_drive_calendar", "Test-drive calendar", "board", consultant,
             reverse("showroom:calendar")),
        Page("quote_builder", "Quote builder", "detail", consultant,
             f"{reverse('contracts:quote_create')}?"
             f"{urlencode({'customer': lead.customer_id, 'lead': lead.pk})}"),
        Page("contract_list", "Contract list", "list", manager,
             reverse("contracts:contract_list")),
        Page("customer_list", "Customer list", "list", manager, reverse("customers:list")),
        Page("customer_detail", "Customer detail", "detail", manager,
             reverse("customers:detail", args=[lead.customer_id])),
        Page("delivery_calendar", "Delivery calendar", "board", manager,
             reverse("delivery:calendar")),
        Page("inventory_board", "Inventory board", "board", manager,
             reverse("delivery:stock_board")),
        Page("complaint_board", "Complaint board", "board",
             staff(store, Role.CUSTOMER_CARE, "customer_care"),
             reverse("aftersales:complaint_board")),
        Page("morning_meeting", "Morning meeting", "board", manager,
             reverse("reports:morning_meeting")),
        Page("evening_meeting", "Evening meeting", "board", manager,
             reverse("reports:evening_meeting")),
    ]
    contract = Contract.objects.filter(store=store).order_by("-pk").first()
    if contract is not None:
        pages.append(Page("contract_detail", "Contract detail", "detail", manager,
                          reverse("contracts:contract_detail", args=[contract.pk])))
    else:
        notes.append("no contract in the store: contract detail left out")
    pages += _role_homes(store, pages, notes, consultant=consultant)
    return pages, notes


def _role_homes(store: Store, pages: list[Page], notes: list[str], *,
                consultant: User) -> list[Page]:
    """Each role's home page (the manager's store overview, the finance desk...), unless
    one of the pages above already is that page for that role."""
    seen = {(page.user.role, page.path) for page in pages}
    homes = []
    logins = [(username, role) for username, role, _name in ROLE_LOGINS]
    for username, role in [(consultant.username, Role.CONSULTANT), *logins]:
        try:
            user = staff(store, role, username)
        except MissingData as missing:
            notes.append(str(missing))
            continue
        name = home_url_name(user)
        try:
            path = reverse(name)
        except NoReverseMatch:
            notes.append(f"home of {role} ({name}) needs arguments: left out")
            continue
        if name == "account" or (user.role, path) in seen:
            continue
        seen.add((user.role, path))
        homes.append(Page(f"home_{role}", f"Home ({role})", "board", user, path))
    return homes
