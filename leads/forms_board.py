"""Forms of the supervisor's and manager's screens: they validate and normalise, the
services write."""

from __future__ import annotations

import datetime as dt
import string

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from dealership.models import User
from leads.models import Campaign, LeadPolicy

REACTIVATION_PLACEHOLDERS = ("name", "store", "consultant")
# A report's dates: the store's days become aware datetimes, which overflow near the ends
# of the calendar (year 1, year 9999).
FIRST_REPORT_DAY, LAST_REPORT_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
# The policy's numbers are small integers on PostgreSQL; SQLite would store more, and a
# cadence of millions of days overflows the date arithmetic of every later touch.
POLICY_NUMBER_MAX = 32767


def _report_date(label: str) -> forms.DateField:
    return forms.DateField(
        label=label, required=False,
        validators=[MinValueValidator(FIRST_REPORT_DAY), MaxValueValidator(LAST_REPORT_DAY)],
        widget=forms.DateInput(attrs={"type": "date", "min": FIRST_REPORT_DAY.isoformat(),
                                      "max": LAST_REPORT_DAY.isoformat()}))


class DecideLostForm(forms.Form):
    APPROVE, RETURN = "approve", "return"

    decision = forms.ChoiceField(choices=[(APPROVE, _("Approve")), (RETURN, _("Send back"))])
    note = forms.CharField(label=_("Comment"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.RETURN and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Tell the consultant why the request goes back."))
        return cleaned


class PeriodForm(forms.Form):
    """A report period in the store's days; both ends included."""

    MAX_DAYS = 366

    date_from = _report_date(_("From"))
    date_to = _report_date(_("To"))

    def __init__(self, *args, default_from: dt.date, default_to: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_from, self.default_to = default_from, default_to

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        first = cleaned.get("date_from") or self.default_from
        last = cleaned.get("date_to") or self.default_to
        if first > last:
            self.add_error("date_to", _("The end date comes after the start date."))
        elif (last - first).days >= self.MAX_DAYS:
            self.add_error("date_to", _("Choose a period of at most a year."))
        cleaned["first"], cleaned["last"] = first, last
        return cleaned


class PoolAssignForm(forms.Form):
    consultant = forms.ModelChoiceField(label=_("Consultant"), queryset=User.objects.none(),
                                        error_messages={"invalid_choice": _(
                                            "Choose an active consultant of your store.")})

    def __init__(self, *args, consultants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultant"].queryset = consultants


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "channel", "starts_on", "ends_on", "budget", "note"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "budget": forms.NumberInput(attrs={"min": "0", "step": "0.01",
                                               "inputmode": "decimal"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, store, **kwargs):
        super().__init__(*args, **kwargs)
        self.store = store

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = Campaign.objects.filter(store=self.store, name=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("This store already has a campaign of that name."))
        return name

    def clean_budget(self):
        budget = self.cleaned_data["budget"]
        if budget is not None and budget < 0:
            raise forms.ValidationError(_("The budget cannot be negative."))
        return budget

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and starts > ends:
            self.add_error("ends_on", _("A campaign ends on or after the day it starts."))
        return cleaned

    def _post_clean(self):
        # The model's own checks run in the service, which holds the lock.
        pass


class ReassignBookForm(forms.Form):
    to_user = forms.ModelChoiceField(label=_("Give the book to"), queryset=User.objects.none(),
                                     error_messages={"invalid_choice": _(
                                         "Choose another active consultant of your store.")})
    deactivate = forms.BooleanField(
        label=_("The consultant leaves: switch off their login"), required=False)

    def __init__(self, *args, consultants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = consultants


class OnDutyForm(forms.Form):
    on_duty = forms.TypedChoiceField(choices=[("1", _("On duty")), ("0", _("Off duty"))],
                                     coerce=lambda value: value == "1")


class PolicyForm(forms.ModelForm):
    class Meta:
        model = LeadPolicy
        fields = ["cadence_a_days", "cadence_b_days", "cadence_c_per_month",
                  "first_contact_minutes", "remind_owner_after_minutes",
                  "alert_supervisor_after_minutes", "reassign_after_minutes",
                  "dormant_after_days", "pool_after_days", "messages_per_week",
                  "reactivation_text"]
        widgets = {"reactivation_text": forms.Textarea(attrs={"rows": 3, "maxlength": 300})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.IntegerField) and field.max_value is None:
                field.max_value = POLICY_NUMBER_MAX
                field.validators.append(MaxValueValidator(POLICY_NUMBER_MAX))
                field.widget.attrs["max"] = str(POLICY_NUMBER_MAX)

    def clean_reactivation_text(self) -> str:
        text = self.cleaned_data["reactivation_text"].strip()
        try:
            names = [name for _literal, name, _spec, _conv in string.Formatter().parse(text)
                     if name is not None]
        except ValueError:
            raise forms.ValidationError(_("A brace is not closed: write placeholders as "
                                          "{name}, {store} or {consultant}.")) from None
        unknown = sorted({name for name in names if name not in REACTIVATION_PLACEHOLDERS})
        if unknown:
            raise forms.ValidationError(
                _("Unknown placeholder: %(names)s. Use {name}, {store} or {consultant}."),
                params={"names": ", ".join("{" + name + "}" for name in unknown)})
        return text

    def clean(self):
        cleaned = super().clean()
        remind = cleaned.get("remind_owner_after_minutes")
        alert = cleaned.get("alert_supervisor_after_minutes")
        reassign = cleaned.get("reassign_after_minutes")
        if None not in (remind, alert) and not remind < alert:
            self.add_error("alert_supervisor_after_minutes", _(
                "Alert the supervisor later than the owner is reminded."))
        if None not in (alert, reassign) and not alert < reassign:
            self.add_error("reassign_after_minutes", _(
                "Reassign later than the supervisor is alerted."))
        return cleaned
