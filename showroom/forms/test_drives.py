"""Forms of the test-drive screens. They validate and normalise the input; the rules of a
booking (slot, licence, agreement, scope) are the service's, so they hold for every caller."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealership.forms import BoundedDateField
from dealership.models import Customer, StockVehicle, User
from dealership.selectors import customer_scope_for_user
from dealership.validators import normalize_phone
from leads.models import Lead
from leads.selectors.leads import lead_scope_for_user
from showroom.models import Visit
from showroom.selectors.test_drives import day_slots, demo_vehicles_for_store
from showroom.services.test_drives import LICENCE_LATEST, booking_day_range

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER_INPUT = forms.NumberInput(attrs={"inputmode": "numeric", "min": 0})


class VehicleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: StockVehicle) -> str:
        colour = f" · {obj.colour}" if obj.colour_id else ""
        return f"{obj.trim}{colour} · …{obj.vin[-6:]}"


class CustomerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Customer) -> str:
        return f"{obj.name} · {obj.phone_masked}"


class LeadChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Lead) -> str:
        return f"#{obj.pk} {obj.customer.name} · {obj.get_status_display()}"


class BookingForm(forms.Form):
    """Vehicle and slot, the customer (found by phone or chosen from the list), an optional
    lead, the driving licence and the agreement checkbox."""

    vehicle = VehicleChoiceField(label=_("Demo vehicle"), queryset=StockVehicle.objects.none())
    day = BoundedDateField(label=_("Day"), widget=DATE_INPUT)
    time = forms.ChoiceField(label=_("Slot"), choices=())
    phone = forms.CharField(
        label=_("Customer's mobile phone"), max_length=32, required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        help_text=_("Type the phone number, or choose the customer below."))
    customer = CustomerChoiceField(label=_("Customer"), required=False,
                                   queryset=Customer.objects.none())
    lead = LeadChoiceField(label=_("Lead"), required=False, queryset=Lead.objects.none(),
                           help_text=_("Optional: the lead advances to “test driven” when "
                                       "the drive is done."))
    visit = forms.ModelChoiceField(queryset=Visit.objects.none(), required=False,
                                   widget=forms.HiddenInput)
    licence_number = forms.CharField(label=_("Driving licence number"), max_length=30)
    licence_expires_on = BoundedDateField(
        label=_("Licence valid until"), widget=DATE_INPUT,
        help_text=_("For a long-term (长期) licence, enter 2099-12-31."))
    agreement_accepted = forms.BooleanField(
        label=_("The customer has read and accepts the test-drive agreement"), required=False)

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        store = user.store
        self.customers = customer_scope_for_user(user)
        self.fields["vehicle"].queryset = demo_vehicles_for_store(store)
        self.fields["customer"].queryset = self.customers.order_by("name", "pk")
        self.fields["lead"].queryset = (lead_scope_for_user(user).open()
                                        .select_related("customer").order_by("-created_at"))
        self.fields["visit"].queryset = Visit.objects.filter(store=store)
        # The grid of a day: the same for every day of the store.
        slots = day_slots(store, timezone.localdate(timezone=store.tzinfo))
        self.fields["time"].choices = [(f"{s:%H:%M}", f"{s:%H:%M}") for s in slots]
        # Today to 60 days ahead; a licence valid today at least (the service checks it
        # against the slot's day) and at most until the long-term licences' 2099-12-31.
        self.today = store.today()
        self.fields["day"].set_range(*booking_day_range(store))
        self.fields["licence_expires_on"].set_range(self.today, LICENCE_LATEST)
        self.fields["licence_expires_on"].earliest = None  # clean_licence_expires_on says why

    def clean_licence_expires_on(self) -> dt.date:
        value = self.cleaned_data["licence_expires_on"]
        if value < self.today:
            raise ValidationError(
                _("The driving licence expired on %(date)s; a test drive needs a valid "
                  "licence."), params={"date": value.isoformat()})
        return value

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"].strip()
        if not raw:
            return ""
        try:
            return normalize_phone(raw)
        except ValidationError as error:
            raise ValidationError(error.messages) from None

    def clean(self) -> dict:
        data = super().clean()
        phone, chosen, lead = data.get("phone"), data.get("customer"), data.get("lead")
        if self.has_error("phone") or self.has_error("customer"):
            return data
        customer = chosen
        if phone:
            customer = self.customers.filter(phone=phone).first()
            if customer is None:
                self.add_error("phone", _("None of your customers has this phone number."))
                return data
            if chosen is not None and chosen != customer:
                self.add_error("customer", _("The phone number belongs to another customer "
                                             "than the one chosen."))
                return data
        if customer is None and lead is not None:
            customer = lead.customer
        if customer is None:
            self.add_error("customer", _("Type the customer's phone number or choose them."))
        data["customer"] = customer
        return data

    def slot_start(self) -> dt.datetime:
        day, time = self.cleaned_data["day"], self.cleaned_data["time"]
        hour, minute = (int(part) for part in time.split(":"))
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.user.store.tzinfo)

    def booking_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"vehicle": data["vehicle"], "slot_start": self.slot_start(),
                "customer": data["customer"], "lead": data.get("lead"),
                "visit": data.get("visit"), "licence_number": data["licence_number"],
                "licence_expires_on": data["licence_expires_on"],
                "agreement_accepted": data["agreement_accepted"]}


class OdometerStartForm(forms.Form):
    odometer_start = forms.IntegerField(label=_("Odometer at start (km)"), min_value=0,
                                        max_value=2_000_000, widget=NUMBER_INPUT)


class OdometerEndForm(forms.Form):
    odometer_end = forms.IntegerField(label=_("Odometer at end (km)"), min_value=0,
                                      max_value=2_000_000, widget=NUMBER_INPUT)


RATING_CHOICES = [("", "—"), *((str(n), str(n)) for n in range(1, 6))]


class FeedbackForm(forms.Form):
    rating_overall = forms.TypedChoiceField(label=_("Overall"), choices=RATING_CHOICES,
                                            coerce=int)
    rating_handling = forms.TypedChoiceField(label=_("Handling"), choices=RATING_CHOICES,
                                             coerce=int)
    rating_comfort = forms.TypedChoiceField(label=_("Comfort"), choices=RATING_CHOICES,
                                            coerce=int)
    feedback = forms.CharField(label=_("What the customer said"), max_length=2000,
                               required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the booking is cancelled"), max_length=200, required=False,
        help_text=_("Optional: e.g. the customer postponed, the car is in the workshop. "
                    "It is kept in the booking's history."))
