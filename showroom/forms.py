"""Forms of the showroom floor. They validate and normalise; the views hand `cleaned_data`
to the services in showroom.services."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealership.models import Series, User
from dealership.validators import normalize_phone
from showroom.enums import ObjectionType
from showroom.models import TalkTrack, Visit
from showroom.services import NEEDS_FIELDS

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def _local_now():
    return timezone.localtime().replace(second=0, microsecond=0)


class RosterForm(forms.Form):
    """Today's roster: a checkbox and a queue place per active consultant of the store."""

    def __init__(self, *args, candidates, shifts, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        current = {s.consultant_id: s for s in shifts}
        for index, consultant in enumerate(self.candidates, start=1):
            shift = current.get(consultant.pk)
            on_duty = shift is not None and shift.state != "off"
            self.fields[f"on_{consultant.pk}"] = forms.BooleanField(
                label=consultant.get_full_name(), required=False, initial=on_duty)
            self.fields[f"order_{consultant.pk}"] = forms.IntegerField(
                label=_("Place in the queue"), min_value=1, max_value=99, required=False,
                initial=shift.position if shift else index)

    def rows(self):
        return [(c, self[f"on_{c.pk}"], self[f"order_{c.pk}"]) for c in self.candidates]

    def clean(self) -> dict:
        cleaned = super().clean()
        chosen = [c for c in self.candidates if cleaned.get(f"on_{c.pk}")]
        order = {c.pk: cleaned.get(f"order_{c.pk}") or 99 for c in chosen}
        cleaned["consultants"] = sorted(chosen, key=lambda c: (order[c.pk], c.get_full_name()))
        return cleaned


class DutyStateForm(forms.Form):
    state = forms.ChoiceField(choices=[("available", _("Waiting")),
                                       ("away", _("Away / at lunch")), ("off", _("Off"))])


class WalkInForm(forms.Form):
    """Fast on a tablet: everything but arrival and party size may stay empty."""

    arrived_at = forms.DateTimeField(label=_("Arrived at"), widget=DATETIME_INPUT,
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

    def __init__(self, *args, consultants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultant"].queryset = consultants
        if not self.is_bound:
            self.initial.setdefault("arrived_at", _local_now())

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"].strip()
        return normalize_phone(raw) if raw else ""


class PhoneForm(forms.Form):
    phone = forms.CharField(label=_("Mobile phone"), max_length=32,
                            widget=forms.TextInput(attrs={"inputmode": "tel",
                                                          "autocomplete": "off"}))
    name = forms.CharField(label=_("Customer name"), max_length=50, required=False,
                           help_text=_("Needed when the number is new to the store."))

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])


class VisitCloseForm(forms.ModelForm):
    """Departure, needs analysis (需求分析), models presented and the outcome."""

    departed_at = forms.DateTimeField(label=_("Left at"), widget=DATETIME_INPUT,
                                      input_formats=DATETIME_FORMATS)

    class Meta:
        model = Visit
        fields = ["departed_at", *NEEDS_FIELDS, "models_presented", "outcome", "note"]
        widgets = {"models_presented": forms.CheckboxSelectMultiple,
                   "note": forms.Textarea(attrs={"rows": 3}),
                   "trade_in": forms.NullBooleanSelect}

    def __init__(self, *args, series, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["models_presented"].queryset = series
        self.fields["outcome"].required = True
        if not self.is_bound:
            self.initial.setdefault("departed_at", _local_now())

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


class TalkTrackForm(forms.ModelForm):
    class Meta:
        model = TalkTrack
        fields = ["kind", "series", "title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, series, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["series"].queryset = series
        self.fields["series"].empty_label = _("Every model")
