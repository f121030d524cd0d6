"""The order list's filters, and the allocation, swap and release forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dealership.forms import ConsultantFilterMixin
from dealership.models import StockVehicle
from delivery.enums import OrderStage


class OrderFilterForm(ConsultantFilterMixin):
    stage = forms.ChoiceField(label=_("Stage"), required=False,
                              choices=[("", _("All stages")), *OrderStage.choices])
    at_risk = forms.BooleanField(label=_("Delivery date at risk"), required=False)
    field_order = ("stage", "at_risk", "consultant")


class AllocationForm(forms.Form):
    """A free car of the store (the service checks the rest); on a swap, the reason the
    current car is released."""

    vehicle = forms.ModelChoiceField(
        label=pgettext_lazy("one car", "Car"), queryset=StockVehicle.objects.none(),
        error_messages={"required": _("Choose the car to allocate."),
                        "invalid_choice": _("This car is not in your store's stock.")})
    override_reason = forms.CharField(
        label=_("Reason for a different trim or colour"), required=False, max_length=300,
        help_text=_("Only for a car that does not match the contract (the manager's "
                    "decision, with the customer's agreement)."))
    reason = forms.CharField(label=_("Why the current car is released"), max_length=300,
                             required=False)

    def __init__(self, *args, store_id: int, swap: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vehicle"].queryset = StockVehicle.objects.filter(store_id=store_id)
        self.swap = swap
        if swap:
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = _(
                "Say why the current car is released.")
        else:
            del self.fields["reason"]


class ReleaseForm(forms.Form):
    reason = forms.CharField(label=_("Why the car is released"), max_length=300,
                             error_messages={"required": _("Say why the car is released.")})
