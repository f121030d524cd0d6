"""Forms of the service desk. They validate and normalise; the services decide (capacity,
state, ranges again) and their refusals come back on the field they name."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.enums import AppointmentType
from aftersales.selectors.service import SLOT_TIMES, owner_vehicles, owners_for_store
from aftersales.services.service import (
    CAPACITY_MAX,
    ITEM_DESCRIPTION_MAX,
    MILEAGE_MAX,
    NOTE_MAX,
    REASON_MAX,
    RECORD_NOTE_MAX,
)
from dealership.forms import BoundedDateField
from dealership.models import Customer, StockVehicle

ITEM_ROWS = 5
# The browser's date picker reads and sends ISO dates, whatever the language.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SLOT_CHOICES = [(slot.strftime("%H:%M"), slot.strftime("%H:%M")) for slot in SLOT_TIMES]


class CapacityForm(forms.Form):
    """One number per appointment type."""

    def __init__(self, *args, capacity: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in AppointmentType:
            self.fields[kind.value] = forms.IntegerField(
                label=kind.label, min_value=0, max_value=CAPACITY_MAX,
                initial=capacity[kind.value],
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


class _CustomerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Customer) -> str:
        return f"{obj.name} · {obj.phone_masked}"


class _VehicleChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: StockVehicle) -> str:
        return f"{obj.trim.series.name} {obj.trim.name} · …{obj.vin[-6:]}"


class BookingForm(forms.Form):
    customer = _CustomerChoice(label=_("Customer"), queryset=Customer.objects.none())
    vehicle = _VehicleChoice(label=_("Car"), queryset=StockVehicle.objects.none(),
                             required=False)
    appointment_type = forms.ChoiceField(label=_("Kind of visit"),
                                         choices=AppointmentType.choices)
    day = BoundedDateField(label=_("Day"), widget=DATE_INPUT)
    slot = forms.TypedChoiceField(label=_("Time"), choices=SLOT_CHOICES,
                                  coerce=lambda value: dt.time.fromisoformat(value))
    note = forms.CharField(label=_("Note"), max_length=NOTE_MAX, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    care_step = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1,
                                   widget=forms.HiddenInput)

    def __init__(self, *args, store_id: int, customer: Customer | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = owners_for_store(store_id=store_id)
        vehicles = owner_vehicles(store_id=store_id,
                                  customer_id=customer.pk if customer else None)
        self.fields["vehicle"].queryset = vehicles
        if customer is not None:
            self.fields["customer"].queryset = Customer.objects.filter(pk=customer.pk)

    def clean(self):
        cleaned = super().clean()
        customer, vehicle = cleaned.get("customer"), cleaned.get("vehicle")
        if customer is not None and vehicle is not None and not owner_vehicles(
                store_id=customer.store_id, customer_id=customer.pk
        ).filter(pk=vehicle.pk).exists():
            self.add_error("vehicle", _("This car was not delivered to this customer."))
        return cleaned


class CheckInForm(forms.Form):
    mileage = forms.IntegerField(label=_("Mileage (km)"), min_value=0, max_value=MILEAGE_MAX,
                                 widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


class CompleteForm(forms.Form):
    """The visit's record: the mileage, up to five items (description and amount), the
    next maintenance (empty: the store's interval) and a note. No JavaScript: five rows."""

    mileage = forms.IntegerField(label=_("Mileage (km)"), min_value=0, max_value=MILEAGE_MAX,
                                 widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    next_due_on = BoundedDateField(label=_("Next maintenance due"), required=False,
                                   widget=DATE_INPUT)
    next_due_km = forms.IntegerField(label=_("Next maintenance at (km)"), required=False,
                                     min_value=1, max_value=2 * MILEAGE_MAX,
                                     widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    note = forms.CharField(label=_("Note"), max_length=RECORD_NOTE_MAX, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for row in range(ITEM_ROWS):
            self.fields[f"item_{row}"] = forms.CharField(
                label=_("Item %(number)s") % {"number": row + 1},
                max_length=ITEM_DESCRIPTION_MAX, required=False)
            self.fields[f"amount_{row}"] = forms.DecimalField(
                label=_("Amount (CNY)"), required=False, min_value=Decimal(0),
                max_digits=10, decimal_places=2,
                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}))

    def item_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"item_{row}"], self[f"amount_{row}"]) for row in range(ITEM_ROWS)]

    def clean(self):
        cleaned = super().clean()
        items = []
        for row in range(ITEM_ROWS):
            description = (cleaned.get(f"item_{row}") or "").strip()
            amount = cleaned.get(f"amount_{row}")
            if f"amount_{row}" in self.errors or f"item_{row}" in self.errors:
                continue
            if description and amount is None:
                self.add_error(f"amount_{row}", _("Enter the amount (0 if free)."))
            elif amount is not None and not description:
                self.add_error(f"item_{row}", _("Say what this amount is for."))
            elif description:
                items.append((description, amount))
        if not items and not self.errors:
            self.add_error("item_0", _("Write at least one item of work or parts."))
        cleaned["items"] = items
        return cleaned

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {"mileage": data["mileage"], "items": data["items"],
                "next_due_on": data.get("next_due_on"), "next_due_km": data.get("next_due_km"),
                "note": data.get("note", "")}


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX)
