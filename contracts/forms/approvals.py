"""The approver's decision form. It validates and normalises; the rules (a rejection needs
a comment, a counter-offer is a smaller discount) are the services', so they hold for
every caller."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.enums import ApprovalDecision

MONEY_INPUT = forms.NumberInput(attrs={"inputmode": "decimal", "min": 0, "step": "0.01"})


class DecisionForm(forms.Form):
    """The decision comes from the button pressed (name="decision"); the comment and the
    counter-offer are typed above the buttons."""

    decision = forms.ChoiceField(label=_("Decision"), choices=ApprovalDecision.choices,
                                 error_messages={"required": _("Choose approve, reject or "
                                                               "counter-offer.")})
    comment = forms.CharField(
        label=_("Comment for the consultant"), max_length=300, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed to reject; optional otherwise."))
    counter_discount = forms.DecimalField(
        label=_("Counter-offer: discount (CNY)"), max_digits=12, decimal_places=2,
        min_value=Decimal("0"), required=False, widget=MONEY_INPUT,
        help_text=_("Needed to counter: a smaller discount than asked."))

    def decide_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"decision": data["decision"], "comment": data["comment"],
                "counter_discount": data["counter_discount"]}
