"""The discount policy form. It validates and normalises; the rules (the supervisor's
limit covers the consultant's, the floor is a percentage) are the services', so they hold
for every caller."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.forms.approvals import MONEY_INPUT


class PolicyForm(forms.Form):
    consultant_limit = forms.DecimalField(
        label=_("A consultant may give up to (CNY)"), max_digits=10, decimal_places=2,
        widget=MONEY_INPUT)
    supervisor_limit = forms.DecimalField(
        label=_("A supervisor may give up to (CNY)"), max_digits=10, decimal_places=2,
        widget=MONEY_INPUT, help_text=_("Above this the manager decides."))
    floor_pct = forms.DecimalField(
        # xgettext:no-python-format
        label=_("Floor (% of the list price)"), max_digits=5, decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
        help_text=_("A larger discount needs a recorded reason and the manager's approval."))
    quote_valid_days = forms.IntegerField(
        label=_("Quotes are valid for (days)"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    contract_terms = forms.CharField(
        label=_("Standard contract terms"), required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One term per line; printed in every contract of the store. Empty: the "
                    "built-in terms."))
    show_purchase_tax = forms.BooleanField(
        label=_("Show purchase tax in quotes"), required=False,
        help_text=_("Adds the vehicle purchase tax (10 per cent of the price before VAT, less "
                    "the new-energy relief) to the out-the-door price of new quotes."))
