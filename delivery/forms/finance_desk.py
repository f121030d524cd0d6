"""Forms of the finance desk. They parse the input; the ledger's rules (a known channel,
a receipt number used once per store) are the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.enums import PaymentChannel


class RefundSettleForm(forms.Form):
    channel = forms.ChoiceField(label=_("Paid back by"), choices=PaymentChannel.choices)
    receipt_number = forms.CharField(
        label=_("Receipt or transfer number"), max_length=40, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}))
