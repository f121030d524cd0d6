"""After-sales forms: care. The step list's filters, the outcome of a step or a task, the
store's care settings. They parse the input; the rules are the services' (asked again
there)."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.enums import CareStepKind, CareStepStatus
from aftersales.models import CareSettings, CareStep
from dealership.forms import BoundedDateField
from dealership.models import Store, User

OUTCOME_MAX = 500
# The list looks back two years (a plan lasts a month or two) and ahead one.
LIST_DAYS_BACK = 730
LIST_DAYS_AHEAD = 365


class BoundedDateFilter(django_filters.DateFilter):
    field_class = BoundedDateField


class CareStepFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CareStepStatus.choices,
                                         empty_label=_("Any status"))
    kind = django_filters.ChoiceFilter(label=_("Step"), choices=CareStepKind.choices,
                                       empty_label=_("Any step"))
    assignee = django_filters.ModelChoiceFilter(
        label=_("Assigned to"), queryset=User.objects.none(), empty_label=_("Anyone"),
        null_label=_("Customer care (pool)"))
    due_from = BoundedDateFilter(label=_("Due from"), field_name="due_on", lookup_expr="gte",
                                 widget=forms.DateInput(attrs={"type": "date"}))
    due_to = BoundedDateFilter(label=_("Due until"), field_name="due_on", lookup_expr="lte",
                               widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = CareStep
        fields = ["status", "kind", "assignee", "due_from", "due_to"]

    def __init__(self, *args, store: Store | None, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["assignee"].queryset = (
            User.objects.filter(store=store, is_active=True).order_by("name", "pk")
            if store is not None else User.objects.none())
        earliest = today - dt.timedelta(days=LIST_DAYS_BACK)
        latest = today + dt.timedelta(days=LIST_DAYS_AHEAD)
        for name in ("due_from", "due_to"):
            self.form.fields[name].set_range(earliest, latest)

    def is_valid(self) -> bool:
        valid = super().is_valid()
        data = self.form.cleaned_data if valid else {}
        if valid and data.get("due_from") and data.get("due_to") and (
                data["due_from"] > data["due_to"]):
            self.form.add_error("due_to", _("The end of the range is before its start."))
            return False
        return valid


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"), max_length=OUTCOME_MAX, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off",
                                      "placeholder": _("What happened")}),
        error_messages={"required": _("Say what happened: the outcome is needed.")})


class CareSettingsForm(forms.ModelForm):
    class Meta:
        model = CareSettings
        fields = list(CareSettings.AUDIT_FIELDS)
        widgets = {
            "thank_you_script": forms.Textarea(attrs={"rows": 4}),
            "usage_tips_template": forms.Textarea(attrs={"rows": 3}),
            "first_maintenance_template": forms.Textarea(attrs={"rows": 3}),
        }
