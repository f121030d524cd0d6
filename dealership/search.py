"""The header's search box: one query read once (`SearchQuery`), and the registry of the
providers that answer it.

The core owns the search page, yet most records it finds belong to the stages (leads,
quotes, contracts, plates), which the core may not import. So each app registers, from its
`AppConfig.ready()`, a provider: a function that takes the user and the parsed query and
returns its rows already scoped to the user (store; a consultant's own customers), capped
at `GROUP_SIZE`, in one query at most (none when the query is nothing it can look for).
The page then costs a fixed number of queries, one per provider the user's role has.

Customers are found on indexes, however many a store has (`customer_match_q`): a whole
phone on the unique (store, phone), its last four digits on the stored `phone_last4`, a
name on a trigram index on PostgreSQL. The lists' search boxes read their text the same way
(`customer_search_q`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dealership.enums import Role
from dealership.permissions import has_role
from dealership.validators import normalize_phone

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from dealership.models import User

# Rows shown per kind; a provider fetches one more to know whether there are more.
GROUP_SIZE = 5
MIN_LENGTH = 2
MAX_LENGTH = 64
# Digits read as a whole phone number (when valid), and the shortest tail searched.
PHONE_MIN_DIGITS = 7
PHONE_TAIL_DIGITS = 4

_PHONE_CHARS = re.compile(r"^\+?[\d\s\-()]+$")
# A Chinese plate: province character, the city letter, then 5 (fuel) or 6 (new energy)
# letters and digits; typed with or without the separating dot or space.
_PLATE = re.compile(r"^[\u4e00-\u9fff][A-Z][A-Z0-9]{5,6}$")
# Quotes are numbered from their id: Q000123 (contracts.models.Quote.number).
_QUOTE = re.compile(r"^Q(\d{1,9})$")
# Contracts: STORECODE-YEAR-SEQUENCE (contracts.services.contracts.contract_number_next);
# the store code may be left out, and the sequence typed in part.
_CONTRACT = re.compile(r"^(?:[A-Z][A-Z0-9]{0,9}-)?20\d{2}-\d{1,6}$")
# A VIN or its tail: letters and digits without I, O, Q, with at least one digit.
_VIN = re.compile(r"^(?=.*\d)[A-HJ-NPR-Z0-9]{6,17}$")


@dataclass(frozen=True)
class SearchQuery:
    """What the typed text can be, read once. A text may be several things at once (six
    digits are a phone's tail and a VIN's tail): each provider looks at the parts it can
    search and returns nothing when none applies. `error` is set for a text too short or
    too long to search, and then nothing else is."""

    text: str
    error: str | Promise = ""
    name: str = ""            # a name (name_q): any text with a letter in it
    phone: str = ""           # a whole mobile number, E.164
    phone_suffix: str = ""    # the last 4+ digits of a phone (any digits not a whole number)
    vin: str = ""             # a whole VIN (17) or its last 6+ characters, upper case
    plate: str = ""           # a plate without separators, upper case
    quote_id: int | None = None
    contract_number: str = ""  # a whole contract number or its year-sequence tail

    @classmethod
    def parse(cls, raw: str | None) -> SearchQuery:
        text = " ".join((raw or "").split())
        if not text:
            return cls(text="")
        if len(text) < MIN_LENGTH:
            return cls(text=text, error=_("Type at least %(n)d characters.") % {"n": MIN_LENGTH})
        if len(text) > MAX_LENGTH:
            return cls(text=text[:MAX_LENGTH],
                       error=_("Type at most %(n)d characters.") % {"n": MAX_LENGTH})
        parts: dict = {}
        compact = re.sub(r"[\s·.\-]", "", text).upper()
        if _CONTRACT.match(text.upper()):
            # 2026-000123 is a contract's number, not a phone's or a VIN's digits.
            return cls(text=text, contract_number=text.upper(),
                       name=text if any(ch.isalpha() for ch in text) else "")
        phone, phone_suffix = read_phone(text)
        if phone:
            parts["phone"] = phone
        elif phone_suffix:
            parts["phone_suffix"] = phone_suffix
        if _VIN.match(compact) and "phone" not in parts:
            parts["vin"] = compact
        if _PLATE.match(compact):
            parts["plate"] = compact
        if match := _QUOTE.match(compact):
            parts["quote_id"] = int(match[1])
        if any(ch.isalpha() for ch in text) and not ({"plate", "quote_id"} & parts.keys()):
            parts["name"] = text
        return cls(text=text, **parts)

    @property
    def is_searchable(self) -> bool:
        return bool(self.text) and not self.error

    def customer_q(self, prefix: str = "") -> Q | None:
        """The customers (through `prefix`, such as "customer__") this query names."""
        return customer_match_q(name=self.name, phone=self.phone,
                                phone_suffix=self.phone_suffix, prefix=prefix)


def read_phone(text: str) -> tuple[str, str]:
    """A typed text read as a phone: (the whole number in E.164, "") when it is one, ("", its
    digits) when it is at least the last four digits of one, else ("", "")."""
    if not _PHONE_CHARS.match(text):
        return "", ""
    digits = re.sub(r"\D", "", text)
    if len(digits) >= PHONE_MIN_DIGITS:
        with suppress(ValidationError):
            return normalize_phone(text), ""
    if len(digits) >= PHONE_TAIL_DIGITS:
        return "", digits
    return "", ""


def name_q(name: str, *, prefix: str = "") -> Q:
    """A name containing `name`, in a form the trigram index on PostgreSQL serves (migration
    dealership/0007). A trigram index needs three characters in a row, so a two-character
    text (a Chinese surname and given name, 张伟) is matched at either end of the name
    instead of anywhere: 张伟, 张伟明 or 李张伟, each an index look-up, not a scan."""
    if len(name) < 3:
        return (Q(**{f"{prefix}name__istartswith": name})
                | Q(**{f"{prefix}name__iendswith": name}))
    return Q(**{f"{prefix}name__icontains": name})


def customer_match_q(*, name: str = "", phone: str = "", phone_suffix: str = "",
                     prefix: str = "") -> Q | None:
    """Customers (through `prefix`) by name, whole phone or its tail, each an index on
    PostgreSQL: the whole number is the unique (store, phone); a tail is the stored
    `phone_last4` (store, phone_last4), and a longer tail is checked on those few rows.
    None when there is nothing to look for."""
    condition = Q()
    if phone:
        condition |= Q(**{f"{prefix}phone": phone})
    if phone_suffix:
        tail = Q(**{f"{prefix}phone_last4": phone_suffix[-PHONE_TAIL_DIGITS:]})
        if len(phone_suffix) > PHONE_TAIL_DIGITS:
            tail &= Q(**{f"{prefix}phone__endswith": phone_suffix})
        condition |= tail
    if name:
        condition |= name_q(name, prefix=prefix)
    return condition or None


def customer_search_q(raw: str, *, prefix: str = "") -> Q | None:
    """A list's search box (customers, leads, the reception desk), read once: a whole phone
    number, or its last four digits or more, or else a name. Never a name *or* a phone:
    digits are not looked for in names, so each search is one index look-up."""
    text = " ".join((raw or "").split())
    if not text:
        return None
    phone, phone_suffix = read_phone(text)
    if phone or phone_suffix:
        return customer_match_q(phone=phone, phone_suffix=phone_suffix, prefix=prefix)
    return customer_match_q(name=text, prefix=prefix)


@dataclass(frozen=True)
class SearchHit:
    """One row of results: what it is (`title`), where it opens, and a line of detail
    (already masked where the row shows personal data)."""

    title: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class SearchGroup:
    """A provider's answer: up to GROUP_SIZE hits, whether there were more, and the list
    that shows them all (empty when no list filters by this query)."""

    hits: list[SearchHit] = field(default_factory=list)
    more: bool = False
    see_all_url: str = ""

    @classmethod
    def of(cls, hits: Iterable[SearchHit], *, see_all_url: str = "") -> SearchGroup:
        """From up to GROUP_SIZE + 1 fetched hits (the extra one only says "more")."""
        hits = list(hits)
        return cls(hits=hits[:GROUP_SIZE], more=len(hits) > GROUP_SIZE,
                   see_all_url=see_all_url)


SearchFunction = Callable[["User", SearchQuery], SearchGroup]


@dataclass(frozen=True)
class SearchProvider:
    """A kind of record the search box finds, for the listed roles; `order` places its
    group among every app's (lower first)."""

    kind: str
    label: str | Promise
    order: int
    roles: tuple[str, ...]
    search: SearchFunction


@dataclass(frozen=True)
class ResultGroup:
    """A group as the page shows it."""

    kind: str
    label: str | Promise
    hits: list[SearchHit]
    more: bool
    see_all_url: str


_providers: list[SearchProvider] = []


def register_search_provider(*, kind: str, label: str | Promise, order: int,
                             roles: Iterable[str], search: SearchFunction) -> None:
    provider = SearchProvider(kind=kind, label=label, order=order,
                              roles=tuple(map(str, roles)), search=search)
    # Django may run ready() twice: the same provider again is a no-op.
    if provider not in _providers:
        _providers.append(provider)


def search_providers_for(user: User) -> list[SearchProvider]:
    """The providers of the user's role, in page order."""
    return sorted((p for p in _providers if has_role(user, *p.roles)), key=lambda p: p.order)


def search_for_user(*, user: User, query: SearchQuery) -> list[ResultGroup]:
    """The groups that found something, one provider call (one query at most) each."""
    if not query.is_searchable:
        return []
    groups = []
    for provider in search_providers_for(user):
        group = provider.search(user, query)
        if group.hits:
            groups.append(ResultGroup(kind=provider.kind, label=provider.label,
                                      hits=group.hits, more=group.more,
                                      see_all_url=group.see_all_url))
    return groups


def detail_line(*parts: object) -> str:
    """A hit's detail: its parts that are set, joined by a middle dot."""
    return " · ".join(str(part) for part in parts if part)


def list_url(url_name: str, **params: str) -> str:
    """A list's URL filtered by `params`, for a group's "see all" link."""
    from urllib.parse import urlencode

    from django.urls import reverse

    return f"{reverse(url_name)}?{urlencode(params)}"


# --- The core's own providers: customers and stock vehicles ---------------------------------
def search_customers(user: User, query: SearchQuery) -> SearchGroup:
    """Customers by name, whole phone or its tail; the phone shown masked, as in lists."""
    from dealership.selectors import customer_scope_for_user

    if (condition := query.customer_q()) is None:
        return SearchGroup()
    customers = (customer_scope_for_user(user).filter(condition).select_related("owner")
                 .order_by("name", "id")[:GROUP_SIZE + 1])
    hits = [SearchHit(title=customer.name, url=customer.get_absolute_url(),
                      detail=detail_line(customer.phone_masked, customer.owner))
            for customer in customers]
    return SearchGroup.of(hits, see_all_url=list_url("customers:list", q=query.text))


def search_stock(user: User, query: SearchQuery) -> SearchGroup:
    """Stock vehicles (delivered ones too) by whole VIN or its tail, in the user's store."""
    from dealership.models import StockVehicle

    if not query.vin:
        return SearchGroup()
    vehicles = StockVehicle.objects.select_related("trim__series__brand", "colour")
    if not has_role(user, Role.ADMIN):
        vehicles = vehicles.filter(store_id=user.store_id)
    if len(query.vin) == 17:
        vehicles = vehicles.filter(vin=query.vin)
    else:
        vehicles = vehicles.filter(vin__endswith=query.vin)
    hits = [SearchHit(title=vehicle.vin, url=list_url("stock:list", vin=vehicle.vin),
                      detail=detail_line(vehicle.trim, vehicle.colour,
                                         vehicle.get_status_display()))
            for vehicle in vehicles.order_by("vin")[:GROUP_SIZE + 1]]
    return SearchGroup.of(hits, see_all_url=list_url("stock:list", vin=query.vin))


# Every staff role but the group executive (aggregates only) and the reception desk, which
# opens none of these records (it finds a returning customer on the walk-in form).
SEARCH_ROLES = (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER, Role.FINANCE,
                Role.SERVICE_ADVISOR, Role.CUSTOMER_CARE, Role.MARKETING, Role.ADMIN)
