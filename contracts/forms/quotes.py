"""Forms of the quote screens. The builder parses what the consultant typed into a
`QuoteInput`; the rules of a quote (colour of the series, stock of the store, trade-in
details, loan terms, the floor) are the service's, so they hold for every caller."""

from __future__ import annotations

from decimal import Decimal
from itertools import groupby

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from contracts.enums import PaymentPlan, TradeInCondition
from contracts.models import QuoteVersion, ValuePackage
from contracts.selectors.quotes import (
    accessories_for,
    colours_for,
    packages_for,
    stock_for,
    trims_on_sale,
)
from contracts.services.quotes import LOAN_TERMS, MAX_QUANTITY, QuoteInput
from dealership.enums import StockStatus
from dealership.forms import apply_service_errors
from dealership.models import Colour, StockVehicle, Trim, User
from dealership.money import ZERO
from dealership.templatetags.money_tags import cny

ACCESSORY_PREFIX = "acc_"
# The builder's fields in the order the service's QuoteInput names them; the service's
# errors are keyed by these names.
INPUT_FIELDS = (
    "trim", "colour", "vehicle", "discount", "trade_in_make", "trade_in_model",
    "trade_in_year", "trade_in_mileage_km", "trade_in_condition", "trade_in_value",
    "trade_in_appraiser", "insurance_estimate", "fees", "payment_plan", "down_payment",
    "loan_term_months", "loan_annual_rate", "floor_reason", "note",
)
MONEY_FIELDS = ("discount", "trade_in_value", "insurance_estimate", "fees", "down_payment")


class GroupedChoiceIterator(ModelChoiceIterator):
    """Options in <optgroup>s, one per value of the field's `group_of` (the queryset is
    ordered by it)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for group, items in groupby(self.queryset, key=self.field.group_of):
            yield (group, [self.choice(item) for item in items])


class TrimChoiceField(forms.ModelChoiceField):
    iterator = GroupedChoiceIterator

    @staticmethod
    def group_of(trim: Trim) -> str:
        return str(trim.series)

    def label_from_instance(self, obj: Trim) -> str:
        # The series too: a select's closed box shows the option, not its optgroup. The
        # queryset joins the series (trims_on_sale), so no query per option.
        return f"{obj.series.name} {obj.model_year} {obj.name} · {cny(obj.msrp)}"


class ColourChoiceField(forms.ModelChoiceField):
    iterator = GroupedChoiceIterator

    @staticmethod
    def group_of(colour: Colour) -> str:
        return str(colour.series)

    def label_from_instance(self, obj: Colour) -> str:
        return f"{obj.name} (+{cny(obj.surcharge)})" if obj.surcharge else obj.name


class VehicleChoiceIterator(ModelChoiceIterator):
    """The options of a store's stock: hundreds of cars of a dozen trims. Their trims and
    colours are loaded once each (two more queries) rather than joined and built again for
    every car, and of a car only what its label shows: building full rows made this list
    the builder's slowest part. Only the options: validating the chosen car still uses the
    field's queryset. A label that shows more of the car must add it to `only()`."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        vehicles = self.queryset.select_related(None).only(
            "vin", "status", "trim", "colour").prefetch_related(
            Prefetch("trim", queryset=Trim.objects.select_related("series__brand")),
            "colour")
        for vehicle in vehicles:
            yield self.choice(vehicle)


class VehicleChoiceField(forms.ModelChoiceField):
    iterator = VehicleChoiceIterator

    def label_from_instance(self, obj: StockVehicle) -> str:
        colour = f" · {obj.colour}" if obj.colour_id else ""
        # The enum's label, not get_status_display(), which rebuilds the choices per call.
        return f"{obj.trim}{colour} · …{obj.vin[-6:]} · {StockStatus(obj.status).label}"


class MoneyField(forms.DecimalField):
    """An amount in CNY; empty means zero.

    Two digits fewer than the version's money columns (12): the out-the-door price adds
    several amounts up and must still fit in its column."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(max_digits=10, decimal_places=2, min_value=ZERO, **kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal", "step": "0.01"}

    def clean(self, value) -> Decimal:
        amount = super().clean(value)
        return ZERO if amount is None else amount


def _chosen(quantity: str) -> bool:
    try:
        return int(quantity) > 0
    except (TypeError, ValueError):
        return False


def _number(**attrs) -> forms.NumberInput:
    return forms.NumberInput(attrs={"inputmode": "numeric", **attrs})


class QuoteForm(forms.Form):
    """The quote builder: the car, the discount, the extras, the trade-in, the payment.

    One number input per accessory of the store (`acc_<id>`, 0 = none), so no formset."""

    trim = TrimChoiceField(label=_("Model and trim"), queryset=Trim.objects.none(),
                           empty_label=_("Choose a trim"))
    colour = ColourChoiceField(
        label=_("Colour"), queryset=Colour.objects.none(), required=False,
        empty_label=_("Not chosen yet"),
        error_messages={"invalid_choice": _("This colour is not offered for this trim.")})
    vehicle = VehicleChoiceField(
        label=_("Vehicle in stock"), queryset=StockVehicle.objects.none(), required=False,
        empty_label=_("None: order or allocate later"),
        error_messages={"invalid_choice": _("Choose an unsold vehicle of this trim from "
                                            "the store's stock, or none.")})
    discount = MoneyField(label=_("Discount"), initial=ZERO)
    packages = forms.ModelMultipleChoiceField(
        label=_("Value-added packages"), required=False, queryset=ValuePackage.objects.none(),
        widget=forms.CheckboxSelectMultiple)
    trade_in_make = forms.CharField(label=_("Make"), max_length=40, required=False)
    trade_in_model = forms.CharField(label=_("Model"), max_length=60, required=False)
    trade_in_year = forms.IntegerField(label=_("Year"), required=False, min_value=1900,
                                       max_value=2100, widget=_number())
    trade_in_mileage_km = forms.IntegerField(label=_("Mileage (km)"), required=False,
                                             min_value=0, max_value=2_000_000,
                                             widget=_number())
    trade_in_condition = forms.ChoiceField(
        label=_("Condition"), required=False,
        choices=[("", "—"), *TradeInCondition.choices])
    trade_in_value = MoneyField(label=_("Offered value"))
    trade_in_appraiser = forms.CharField(label=_("Appraised by"), max_length=50,
                                         required=False)
    insurance_estimate = MoneyField(label=_("Insurance estimate"))
    fees = MoneyField(label=_("Registration and fees"))
    payment_plan = forms.ChoiceField(label=_("Payment"), choices=PaymentPlan.choices,
                                     initial=PaymentPlan.FULL, widget=forms.RadioSelect)
    down_payment = MoneyField(label=_("Down payment"))
    loan_term_months = forms.TypedChoiceField(
        label=_("Loan term"), required=False, coerce=int, empty_value=None,
        choices=[("", "—"), *((term, _("%(months)s months") % {"months": term})
                              for term in LOAN_TERMS)])
    loan_annual_rate = forms.DecimalField(
        label=_("Annual rate (%)"), required=False, max_digits=5, decimal_places=2,
        min_value=ZERO, widget=forms.NumberInput(attrs={"inputmode": "decimal",
                                                        "step": "0.01"}))
    floor_reason = forms.CharField(
        label=_("Reason for going below the floor"), max_length=200, required=False,
        help_text=_("Needed only when the discount is larger than the store's floor."))
    note = forms.CharField(label=_("Note"), max_length=300, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.service_errors: dict[str, list[str]] = {}
        self.fields["trim"].queryset = trims_on_sale()
        trim = self._chosen_trim()
        self.chosen_trim = trim
        self.fields["colour"].queryset = colours_for(trim)
        self.fields["vehicle"].queryset = stock_for(user.store, trim)
        if trim is None:
            self.fields["vehicle"].empty_label = _("Choose a trim first to see its cars")
        self.fields["packages"].queryset = packages_for(user.store)
        self.accessories = accessories_for(user.store)
        for accessory in self.accessories:
            self.fields[f"{ACCESSORY_PREFIX}{accessory.pk}"] = forms.IntegerField(
                label=accessory.name, required=False, min_value=0, max_value=MAX_QUANTITY,
                initial=0, help_text=cny(accessory.price), widget=_number(min=0))

    def _chosen_trim(self) -> Trim | None:
        """The trim the colours and stock are offered for: the submitted one, else the
        initial one."""
        raw = self.data.get(self.add_prefix("trim")) if self.is_bound else None
        if raw is None:
            raw = self.initial.get("trim")
        if isinstance(raw, Trim):
            return raw
        try:
            return self.fields["trim"].queryset.filter(pk=int(raw)).first() if raw else None
        except (TypeError, ValueError):
            return None

    def clean(self) -> dict:
        cleaned = super().clean()
        # A builder opened before an accessory was taken off sale still posts its quantity,
        # which no field reads any more: say so rather than save the quote without it.
        offered = {f"{ACCESSORY_PREFIX}{item.pk}" for item in self.accessories}
        if any(name.startswith(ACCESSORY_PREFIX) and name not in offered and _chosen(value)
               for name, value in self.data.items()):
            self.add_error(None, _("An accessory you chose is no longer on sale: check the "
                                   "accessories, then save again."))
        return cleaned

    # --- What the template walks ---------------------------------------------------------
    def accessory_fields(self) -> list[tuple]:
        return [(item, self[f"{ACCESSORY_PREFIX}{item.pk}"]) for item in self.accessories]

    def has_trade_in(self) -> bool:
        """Open the trade-in section when it holds anything (or an error)."""
        names = [name for name in INPUT_FIELDS if name.startswith("trade_in_")]
        if self.is_bound and any(name in self.errors for name in names):
            return True
        return any(self[name].value() not in (None, "", "0", "0.00", 0, ZERO)
                   for name in names)

    # --- Towards the service ---------------------------------------------------------------
    def quote_input(self) -> QuoteInput | None:
        """The input as far as it is valid: a field with an error counts as empty, so the
        totals show what can be computed while the rest is still being typed. None while
        no valid trim is chosen."""
        data = getattr(self, "cleaned_data", {})
        if data.get("trim") is None:
            return None
        accessories = []
        for item in self.accessories:
            quantity = data.get(f"{ACCESSORY_PREFIX}{item.pk}")
            if quantity:
                accessories.append((item, quantity))
        values = {name: data.get(name) for name in INPUT_FIELDS if data.get(name) is not None}
        for name in MONEY_FIELDS:
            values.setdefault(name, ZERO)
        if values.get("payment_plan") not in PaymentPlan.values:
            values["payment_plan"] = PaymentPlan.FULL
        return QuoteInput(accessories=accessories, packages=list(data.get("packages") or []),
                          **values)

    def show_service_errors(self, error: ValidationError) -> None:
        """A service's refusal on the fields it names (QuoteInput names); accessories have
        no single field, so their errors are kept for the accessories fieldset."""
        if hasattr(error, "error_dict") and "accessories" in error.error_dict:
            self.service_errors.setdefault("accessories", []).extend(
                ValidationError(error.error_dict["accessories"]).messages)
            error = ValidationError({name: errors for name, errors in error.error_dict.items()
                                     if name != "accessories"})
        apply_service_errors(self, error)

    def accessory_errors(self) -> list[str]:
        errors = list(self.service_errors.get("accessories", []))
        for _item, field in self.accessory_fields():
            errors.extend(f"{field.label}: {message}" for message in field.errors)
        return errors


def initial_from_version(version: QuoteVersion) -> dict:
    """The builder prefilled with a saved version (for a revision)."""
    initial = {name: getattr(version, name) for name in INPUT_FIELDS
               if name not in ("trim", "colour", "vehicle")}
    initial.update(trim=version.trim_id, colour=version.colour_id, vehicle=version.vehicle_id,
                   packages=[item["id"] for item in version.packages])
    for item in version.accessories:
        initial[f"{ACCESSORY_PREFIX}{item['id']}"] = item["quantity"]
    return {name: value for name, value in initial.items() if value is not None}


class WithdrawForm(forms.Form):
    # Required by the service, which says why when it is missing.
    reason = forms.CharField(label=_("Why is the quote withdrawn?"), max_length=200,
                             required=False)
