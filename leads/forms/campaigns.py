"""The campaign form. It validates and normalises; the campaign services write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dealership.validators import ensure_within
from leads.models import Campaign
from leads.services.board import campaign_day_range


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
        # From 2000 (history typed in) to about five years ahead, start ≤ end (clean()).
        self.day_range = campaign_day_range(store)
        for name in ("starts_on", "ends_on"):
            self.fields[name].widget.attrs.update(min=self.day_range[0].isoformat(),
                                                  max=self.day_range[1].isoformat())

    def clean_starts_on(self):
        value = self.cleaned_data["starts_on"]
        ensure_within(value, earliest=self.day_range[0], latest=self.day_range[1])
        return value

    def clean_ends_on(self):
        value = self.cleaned_data["ends_on"]
        ensure_within(value, earliest=self.day_range[0], latest=self.day_range[1])
        return value

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
