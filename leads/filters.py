"""The "my leads" list filters. Applied by leads.selectors.leads.lead_list_for_user."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealership.enums import Role
from dealership.models import User
from dealership.permissions import has_role
from dealership.search import customer_search_q
from leads.enums import ACTIVE_STATUSES, Channel, Grade, LeadStatus
from leads.models import Campaign, Lead

YES_NO = (("yes", _("Yes")), ("no", _("No")))
# Roles that may narrow the list to one consultant's leads.
OWNER_FILTER_ROLES = (Role.SUPERVISOR, Role.MANAGER, Role.MARKETING, Role.ADMIN)


def end_of_local_day(now: dt.datetime) -> dt.datetime:
    """Midnight at the end of today in the active (store's) time zone."""
    tomorrow = timezone.localdate(now) + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, dt.time.min, tzinfo=timezone.get_current_timezone())


class LeadFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name or phone"), method="filter_search",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off",
                                      "placeholder": _("Name, phone or its last 4 digits")}),
    )
    grade = django_filters.ChoiceFilter(label=_("Grade"), choices=Grade.choices,
                                        empty_label=_("Any grade"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=LeadStatus.choices,
                                         empty_label=_("Any status"))
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices,
                                          empty_label=_("Any channel"))
    campaign = django_filters.ModelChoiceFilter(label=_("Campaign"),
                                                queryset=Campaign.objects.none(),
                                                empty_label=_("Any campaign"))
    overdue = django_filters.ChoiceFilter(label=_("Overdue"), choices=YES_NO,
                                          method="filter_overdue", empty_label=_("Either"))
    due_today = django_filters.ChoiceFilter(label=_("Due today"), choices=YES_NO[:1],
                                            method="filter_due_today", empty_label=_("Any day"))
    owner = django_filters.ModelChoiceFilter(label=_("Consultant"),
                                             queryset=User.objects.none(),
                                             empty_label=_("Any consultant"))

    class Meta:
        model = Lead
        fields = ["q", "grade", "status", "channel", "campaign", "overdue", "due_today", "owner"]

    def __init__(self, *args, user: User, now: dt.datetime | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()
        self.search_store_id = None if has_role(user, Role.ADMIN) else user.store_id
        consultants = User.objects.filter(role=Role.CONSULTANT).order_by("name", "username")
        campaigns = Campaign.objects.order_by("-starts_on", "name")
        if not has_role(user, Role.ADMIN):
            consultants = consultants.filter(store_id=user.store_id)
            campaigns = campaigns.filter(store_id=user.store_id)
        self.filters["campaign"].queryset = campaigns
        if has_role(user, *OWNER_FILTER_ROLES):
            self.filters["owner"].queryset = consultants
        else:
            del self.filters["owner"]

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if (condition := customer_search_q(value, prefix="customer__")) is None:
            return queryset
        queryset = queryset.filter(condition)
        if self.search_store_id is not None:
            # A lead's customer is of the lead's store. Said to the database, it finds the
            # customers on their (store, phone) / (store, phone_last4) indexes first.
            queryset = queryset.filter(customer__store_id=self.search_store_id)
        return queryset

    def filter_overdue(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        overdue = Q(status__in=ACTIVE_STATUSES, follow_up_due_at__lt=self.now)
        if value == "yes":
            return queryset.filter(overdue)
        if value == "no":
            return queryset.exclude(overdue)
        return queryset

    def filter_due_today(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value != "yes":
            return queryset
        return queryset.filter(status__in=ACTIVE_STATUSES, follow_up_due_at__gte=self.now,
                               follow_up_due_at__lt=end_of_local_day(self.now))
