"""Forms of the consultant-facing lead screens. They validate and normalise; the views hand
`cleaned_data` to the services in leads.services."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealership.enums import ConsentSource
from dealership.models import User
from dealership.validators import ensure_within, normalize_phone
from leads.enums import Channel, Grade, LostReason, PurchaseWindow, TouchKind, TouchOutcome
from leads.forms.intake import MAX_BUDGET
from leads.models import Campaign
from leads.services.work import FOLLOW_UP_HORIZON

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LeadCaptureForm(forms.Form):
    """The quick "new lead" form: phone first, then what the customer told us."""

    phone = forms.CharField(
        label=_("Mobile phone"), max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off",
                                      "autofocus": True}),
    )
    name = forms.CharField(label=_("Customer name"), max_length=50)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices,
                                initial=Channel.WALK_IN)
    purchase_window = forms.ChoiceField(
        label=_("Plans to buy"), required=False,
        choices=[("", _("Not stated")), *PurchaseWindow.choices],
        help_text=_("Sets the grade: A within 3 days, B within a month, C later."),
    )
    model_interest = forms.CharField(label=_("Model of interest"), max_length=100,
                                     required=False)
    # Bounded by the column (as the API's form is): beyond it the save overflows, a 500.
    budget_min = forms.IntegerField(label=_("Budget from (CNY)"), min_value=0,
                                    max_value=MAX_BUDGET, required=False)
    budget_max = forms.IntegerField(label=_("Budget up to (CNY)"), min_value=0,
                                    max_value=MAX_BUDGET, required=False)
    city = forms.CharField(label=_("City"), max_length=50, required=False)
    note = forms.CharField(label=_("Note"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    campaign = forms.ModelChoiceField(label=_("Campaign"), required=False,
                                      queryset=Campaign.objects.none(),
                                      empty_label=_("No campaign"))
    marketing_consent = forms.BooleanField(label=_("Agrees to marketing messages"),
                                           required=False)
    consent_source = forms.ChoiceField(
        label=_("Consent given via"), required=False,
        choices=[("", "—"), *ConsentSource.choices],
    )

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(_("Enter the customer's name."))
        return name

    def clean(self) -> dict:
        cleaned = super().clean()
        low, high = cleaned.get("budget_min"), cleaned.get("budget_max")
        if low is not None and high is not None and low > high:
            self.add_error("budget_max", _("The upper budget must not be below the lower one."))
        if cleaned.get("marketing_consent") and not cleaned.get("consent_source"):
            self.add_error("consent_source", _("Say how the customer gave consent."))
        return cleaned

    def capture_kwargs(self) -> dict:
        """The keyword arguments of leads.services.lead_capture."""
        data = self.cleaned_data
        return {key: data[key] for key in (
            "name", "phone", "channel", "purchase_window", "model_interest", "budget_min",
            "budget_max", "city", "note", "campaign", "marketing_consent",
        )} | {"consent_source": data["consent_source"] if data["marketing_consent"] else ""}


class TouchForm(forms.Form):
    """Log a follow-up: how, what came of it, notes, and when to follow up next."""

    kind = forms.ChoiceField(label=_("How"), choices=TouchKind.choices,
                             initial=TouchKind.CALL)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=TouchOutcome.choices,
                                initial=TouchOutcome.REACHED)
    note = forms.CharField(label=_("Notes"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    next_follow_up_on = forms.DateField(label=_("Next follow-up"), required=False,
                                        widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        # Several forms share a page (and a list may open several rows): ids stay unique.
        kwargs.setdefault("auto_id", "touch_%s")
        super().__init__(*args, **kwargs)
        # Today to a year ahead (the store's day: the active time zone is the store's).
        today = timezone.localdate()
        self.fields["next_follow_up_on"].widget.attrs.update(
            min=today.isoformat(), max=(today + FOLLOW_UP_HORIZON).isoformat())

    def clean_next_follow_up_on(self):
        value = self.cleaned_data.get("next_follow_up_on")
        today = timezone.localdate()
        if value and value < today:
            raise ValidationError(_("The next follow-up cannot be in the past."))
        ensure_within(value, latest=today + FOLLOW_UP_HORIZON)
        return value


class GradeForm(forms.Form):
    grade = forms.ChoiceField(label=_("Grade"), choices=Grade.choices)
    reason = forms.CharField(label=_("Why"), max_length=500,
                             widget=forms.TextInput(attrs={"autocomplete": "off"}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "grade_%s")
        super().__init__(*args, **kwargs)


class LostRequestForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"),
                               choices=[("", _("Choose a reason")), *LostReason.choices])
    note = forms.CharField(label=_("Note"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Required when the reason is “other”."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "lost_%s")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("reason") == LostReason.OTHER and not cleaned.get("note", "").strip():
            self.add_error("note", _("Describe the reason when you choose “other”."))
        return cleaned


class ReassignForm(forms.Form):
    to = forms.ModelChoiceField(label=_("New consultant"), queryset=User.objects.none())
    reason = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, candidates, **kwargs):
        kwargs.setdefault("auto_id", "reassign_%s")
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = candidates
