"""The filters of the quote and contract lists, applied by their selectors
(contracts.selectors.quotes.quote_list_for_user, contracts.selectors.contracts.
contract_list_for_user)."""

from __future__ import annotations

import datetime as dt
import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contracts.enums import ContractStatus, PackageKind, QuoteStatus
from contracts.models import Accessory, Contract, Quote, ValuePackage
from contracts.permissions import QUOTE_WRITE_ROLES
from dealership.enums import Role
from dealership.filters import CatalogueFilter
from dealership.models import Store, User
from dealership.permissions import has_role

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class MonthField(forms.CharField):
    """A month as YYYY-MM (what <input type="month"> sends), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})

    def to_python(self, value) -> dt.date | None:
        value = super().to_python(value).strip()
        if not value:
            return None
        match = _MONTH.match(value)
        # The last year is refused too: its month has no following month (month_bounds).
        if (match is None or not 1 <= int(match[2]) <= 12
                or not 2000 <= int(match[1]) < dt.MAXYEAR):
            raise ValidationError(_("Enter a month as YYYY-MM, e.g. 2026-03."),
                                  code="invalid")
        return dt.date(int(match[1]), int(match[2]), 1)


class MonthFilter(django_filters.Filter):
    field_class = MonthField


def month_bounds(first: dt.date, tz) -> tuple[dt.datetime, dt.datetime]:
    """The instants a local calendar month starts and ends in time zone `tz`."""
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return (dt.datetime.combine(first, dt.time.min, tzinfo=tz),
            dt.datetime.combine(following, dt.time.min, tzinfo=tz))


def sellers_for(user: User) -> QuerySet[User]:
    """The sellers a list may be narrowed to, as far as the user sees their rows: the
    store's (every store's for the administrator), a supervisor's own team and themselves.
    Departed sellers stay: their quotes and contracts stay listed."""
    sellers = User.objects.filter(role__in=QUOTE_WRITE_ROLES)
    if not has_role(user, Role.ADMIN):
        sellers = sellers.filter(store_id=user.store_id)
    if user.role == Role.SUPERVISOR:
        sellers = sellers.filter(Q(pk=user.pk) | Q(team__supervisor=user))
    return sellers.order_by("name", "username")


class QuoteFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=QuoteStatus.choices,
                                         empty_label=_("Any status"))
    consultant = django_filters.ModelChoiceFilter(label=_("Consultant"),
                                                  queryset=User.objects.none(),
                                                  empty_label=_("Anyone"))

    class Meta:
        model = Quote
        fields = ["status", "consultant"]

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if user.role == Role.CONSULTANT:
            del self.filters["consultant"]
            return
        self.filters["consultant"].queryset = sellers_for(user)


class ContractFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Number or buyer"), method="filter_search",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off",
                                      "placeholder": _("Contract number or buyer's name")}),
    )
    status = django_filters.ChoiceFilter(label=_("State"), choices=ContractStatus.choices,
                                         empty_label=_("Any state"))
    consultant = django_filters.ModelChoiceFilter(label=_("Consultant"),
                                                  queryset=User.objects.none(),
                                                  empty_label=_("Any consultant"))
    # Signed in the month: a month's contracts are its deals (DESIGN §3), so unsigned
    # drafts have no month.
    month = MonthFilter(label=_("Signed in (month)"), method="filter_month")

    class Meta:
        model = Contract
        fields = ["q", "status", "consultant", "month"]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = user.store.tzinfo if user.store_id else timezone.get_current_timezone()
        if user.role == Role.CONSULTANT:
            del self.filters["consultant"]
            return
        self.filters["consultant"].queryset = sellers_for(user)

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(buyer_name__icontains=value))

    def filter_month(self, queryset: QuerySet, name: str, value: dt.date | None) -> QuerySet:
        if value is None:
            return queryset
        start, end = month_bounds(value, self.tz)
        return queryset.filter(signed_at__gte=start, signed_at__lt=end)


# --- The store's catalogue (contracts.selectors.catalogue) ---------------------------------
class _StoreCatalogueFilter(CatalogueFilter):
    """The administrator sees every store's items and picks one; a manager only their own
    store's, so the store filter is left out for them."""

    store = django_filters.ModelChoiceFilter(label=_("Store"), queryset=Store.objects.none(),
                                             empty_label=_("All stores"))

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        if has_role(user, Role.ADMIN):
            self.filters["store"].queryset = Store.objects.filter(is_active=True).order_by(
                "code")
        else:
            del self.filters["store"]


class AccessoryCatalogueFilter(_StoreCatalogueFilter):
    search_fields = ("name", "code")

    class Meta:
        model = Accessory
        fields = ["q", "state", "store"]


class PackageCatalogueFilter(_StoreCatalogueFilter):
    kind = django_filters.ChoiceFilter(label=pgettext_lazy("package", "Kind"),
                                       choices=PackageKind.choices,
                                       empty_label=_("All kinds"))

    class Meta:
        model = ValuePackage
        fields = ["q", "kind", "state", "store"]
