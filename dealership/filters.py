from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dealership.enums import Role, StockStatus
from dealership.models import Colour, Customer, Series, StockVehicle, Trim, User
from dealership.search import customer_search_q


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name or phone"), method="filter_search",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off",
                                      "placeholder": _("Name, phone or its last 4 digits")}),
    )
    owner = django_filters.ModelChoiceFilter(label=_("Consultant"), queryset=User.objects.none())
    city = django_filters.CharFilter(label=_("City"), lookup_expr="icontains")
    marketing_consent = django_filters.BooleanFilter(label=_("Agrees to marketing"))

    class Meta:
        model = Customer
        fields = ["q", "owner", "city", "marketing_consent"]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        if user.role == Role.CONSULTANT:
            del self.filters["owner"]
        else:
            self.filters["owner"].queryset = User.objects.filter(
                store_id=user.store_id, role=Role.CONSULTANT
            ).order_by("username")

    def filter_search(self, queryset, name, value):
        if (condition := customer_search_q(value)) is None:
            return queryset
        return queryset.filter(condition)


class StockFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=StockStatus.choices)
    trim = django_filters.ModelChoiceFilter(
        label=_("Trim"), queryset=Trim.objects.select_related("series__brand")
    )
    vin = django_filters.CharFilter(label=_("VIN"), lookup_expr="icontains")

    class Meta:
        model = StockVehicle
        fields = ["status", "trim", "vin"]


class CatalogueFilter(django_filters.FilterSet):
    """What every catalogue list filters on: a text search and on sale / retired."""

    STATES = (("active", _("On sale")), ("retired", _("Retired")))
    search_fields: tuple[str, ...] = ("name",)

    q = django_filters.CharFilter(
        label=_("Search"), method="filter_search",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))
    state = django_filters.ChoiceFilter(label=_("On sale"), choices=STATES,
                                        method="filter_state", empty_label=_("All"))

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)

    def filter_state(self, queryset, name, value):
        return queryset.filter(is_active=(value == "active")) if value else queryset


class TrimCatalogueFilter(CatalogueFilter):
    series = django_filters.ModelChoiceFilter(
        label=_("Series"), queryset=Series.objects.select_related("brand"),
        empty_label=_("All series"))

    class Meta:
        model = Trim
        fields = ["q", "series", "state"]


class ColourCatalogueFilter(CatalogueFilter):
    series = django_filters.ModelChoiceFilter(
        label=_("Series"), queryset=Series.objects.select_related("brand"),
        empty_label=_("All series"))

    class Meta:
        model = Colour
        fields = ["q", "series", "state"]
