"""Forms of visits: registering a walk-in, adding a phone, closing a visit, recording an
objection. They validate and normalise; the views hand `cleaned_data` to showroom.services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealership.forms import BoundedDateTimeField
from dealership.models import Customer, Series, Store, User
from dealership.validators import normalize_phone
from showroom.enums import ObjectionType, OwnerBusy, VisitOutcome
from showroom.models import Visit
from showroom.services import NEEDS_FIELDS
from showroom.services.floor import arrival_range, departure_range

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def _local_now():
    return timezone.localtime().replace(second=0, microsecond=0)


def _no_browser_max_for_now(field: BoundedDateTimeField) -> None:
    """A bound that is "now" moves on while the page stays open (a visit lasts an hour): the
    browser would then refuse the current time, so only the server checks it."""
    if field.latest is not None and field.latest >= timezone.now():
        field.widget.attrs.pop("max", None)


class WalkInForm(forms.Form):
    """Fast on a tablet: everything but arrival and party size may stay empty."""

    arrived_at = BoundedDateTimeField(label=_("Arrived at"), widget=DATETIME_INPUT,
                                      input_formats=DATETIME_FORMATS)
    party_size = forms.IntegerField(label=_("Party size"), min_value=1, max_value=20,
                                    initial=1,
                                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    first_visit = forms.TypedChoiceField(
        label=_("Been here before?"), coerce=lambda v: v == "first", initial="first",
        choices=[("first", _("First visit")), ("return", _("Returning"))],
        widget=forms.RadioSelect)
    phone = forms.CharField(
        label=_("Mobile phone"), max_length=32, required=False,
        help_text=_("Optional: a known number goes to the customer's own consultant."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    name = forms.CharField(label=_("Customer name"), max_length=50, required=False)
    description = forms.CharField(label=_("How to recognise them"), max_length=100,
                                  required=False)
    consultant = forms.ModelChoiceField(
        label=_("Consultant"), required=False, queryset=User.objects.none(),
        empty_label=_("Next in the queue"),
        help_text=_("Leave as is to follow the queue or the customer's own consultant."))
    routing_note = forms.CharField(label=_("Reason for the choice"), max_length=200,
                                   required=False)
    # A returning customer found by name at the desk (the search above the form).
    customer = forms.ModelChoiceField(queryset=Customer.objects.none(), required=False,
                                      widget=forms.HiddenInput)
    # Asked only when the customer's own consultant is with someone else.
    owner_busy = forms.ChoiceField(label=_("Their consultant is with another customer"),
                                   choices=OwnerBusy.choices, required=False,
                                   widget=forms.HiddenInput)

    def __init__(self, *args, store: Store, consultants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultant"].queryset = consultants
        self.fields["customer"].queryset = Customer.objects.for_store(store)
        if self.is_bound and self.data.get("owner_busy"):
            self.ask_owner_busy()
        self.fields["arrived_at"].set_range(*arrival_range(store))
        _no_browser_max_for_now(self.fields["arrived_at"])
        if not self.is_bound:
            self.initial.setdefault("arrived_at", _local_now())

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"].strip()
        return normalize_phone(raw) if raw else ""

    def clean(self) -> dict:
        data = super().clean()
        returning = data.get("first_visit") is False
        if returning and not data.get("phone") and not data.get("customer") \
                and "phone" not in self.errors:
            self.add_error("phone", _("A returning customer: ask for their mobile number, "
                                      "or find them by name."))
        return data

    def ask_owner_busy(self) -> None:
        """Show the choice: wait for their consultant, or the next in the queue."""
        self.fields["owner_busy"].widget = forms.RadioSelect(choices=OwnerBusy.choices)


class PhoneForm(forms.Form):
    phone = forms.CharField(label=_("Mobile phone"), max_length=32,
                            widget=forms.TextInput(attrs={"inputmode": "tel",
                                                          "autocomplete": "off"}))
    name = forms.CharField(label=_("Customer name"), max_length=50, required=False,
                           help_text=_("Needed when the number is new to the store."))

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])


# What closing a visit asks, in order: the outcome first, then the needs analysis that an
# interested customer gets, then the rest, folded (issue 14: one phone screen, not three).
OUTCOME_FIELDS = ("outcome", "departed_at", "note")
NEEDS_CORE_FIELDS = ("usage", "budget_min", "budget_max", "powertrain", "seats", "payment",
                     "timing", "competitors", "models_presented")
NEEDS_MORE_FIELDS = ("customer_type", "trade_in", "trade_in_vehicle", "decision_maker",
                     "focus_points")
# Outcomes after which the needs analysis is usually empty: folded, still fillable.
OUTCOMES_WITHOUT_NEEDS = (VisitOutcome.BROWSING, VisitOutcome.LOST)


@dataclass
class FormSection:
    key: str
    legend: str
    fields: list
    foldable: bool
    open: bool


class VisitCloseForm(forms.ModelForm):
    """Departure, needs analysis (需求分析), models presented and the outcome. `refresh_url`
    (the visit page) re-renders the form when the outcome changes, to open what it needs."""

    departed_at = BoundedDateTimeField(label=_("Left at"), widget=DATETIME_INPUT,
                                       input_formats=DATETIME_FORMATS)

    class Meta:
        model = Visit
        fields = ["outcome", "departed_at", "note", *NEEDS_FIELDS, "models_presented"]
        widgets = {"models_presented": forms.CheckboxSelectMultiple,
                   "note": forms.Textarea(attrs={"rows": 3}),
                   "trade_in": forms.NullBooleanSelect}

    def __init__(self, *args, visit: Visit, series, refresh_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.visit = visit
        self.fields["models_presented"].queryset = series
        outcome = self.fields["outcome"]
        outcome.required = True
        outcome.choices = [("", _("Choose how the visit ended")),
                           *VisitOutcome.choices]
        if refresh_url:
            outcome.widget.attrs.update({
                "hx-get": refresh_url, "hx-trigger": "change", "hx-include": "closest form",
                "hx-target": "#close-form", "hx-swap": "outerHTML"})
        field = self.fields["departed_at"]
        field.set_range(*departure_range(visit))
        _no_browser_max_for_now(field)
        # Leaving before arriving has its own message (clean_departed_at), not the range's.
        field.earliest = None
        if not self.is_bound:
            self.initial.setdefault("departed_at", _local_now())

    def _chosen_outcome(self) -> str:
        if self.is_bound:
            return self.data.get("outcome", "")
        return self.initial.get("outcome") or ""

    def _has_input(self, name: str) -> bool:
        value = self[name].value()
        return bool(self[name].errors) or value not in (None, "", [], "unknown")

    def sections(self) -> list[FormSection]:
        """The outcome, then the needs analysis (open unless the outcome needs none), then
        the rest of it, folded unless something there is filled in or wrong."""
        needs_open = self._chosen_outcome() not in OUTCOMES_WITHOUT_NEEDS or any(
            self._has_input(name) for name in NEEDS_CORE_FIELDS)
        more_open = any(self._has_input(name) for name in NEEDS_MORE_FIELDS)
        return [
            FormSection("outcome", _("How the visit ended"),
                        [self[name] for name in OUTCOME_FIELDS], False, True),
            FormSection("needs", _("Needs analysis"),
                        [self[name] for name in NEEDS_CORE_FIELDS], True, needs_open),
            FormSection("more", _("More about the customer"),
                        [self[name] for name in NEEDS_MORE_FIELDS], True, more_open),
        ]

    def clean_departed_at(self) -> dt.datetime:
        value = self.cleaned_data["departed_at"]
        if value < self.visit.arrived_at:
            raise ValidationError(_("The customer cannot leave before they arrived."))
        return value

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"departed_at": data["departed_at"], "outcome": data["outcome"],
                "note": data.get("note", ""),
                "models_presented": list(data.get("models_presented") or []),
                "needs": {name: data.get(name) for name in NEEDS_FIELDS}}


class ObjectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("About"), choices=ObjectionType.choices)
    series = forms.ModelChoiceField(label=_("Model"), required=False,
                                    queryset=Series.objects.none(),
                                    empty_label=_("No particular model"))
    note = forms.CharField(label=_("What the customer said"), max_length=300)

    def __init__(self, *args, series, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["series"].queryset = series
