"""Forms of the inventory screens: the board's filters, receiving one car, the CSV file,
an arrival and the store's thresholds. They parse the input; the rules (a VIN once, the
colour of the trim's series, the arrival's business range) are the services', asked
again there."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dealership.enums import StockStatus
from dealership.forms import BoundedDateField
from dealership.models import Colour, Series, StockVehicle, Store, Trim
from dealership.validators import normalize_vin
from delivery.models import DeliverySettings
from delivery.services.inventory import RECEIVE_STATUSES, arrival_range

# Aging buckets of the board, in whole store days on hand: (key, label, first, last).
AGING_BUCKETS: tuple[tuple[str, str, int, int | None], ...] = (
    ("0-30", _("0–30 days"), 0, 30),
    ("31-60", _("31–60 days"), 31, 60),
    ("61-90", _("61–90 days"), 61, 90),
    ("90+", _("over 90 days"), 91, None),
)


def bucket_arrival_range(today: dt.date, first: int, last: int | None
                         ) -> tuple[dt.date | None, dt.date]:
    """The arrival dates of cars aged `first`..`last` store days today (inclusive): a
    range on the indexed date column, never a computed age."""
    latest = today - dt.timedelta(days=first)
    earliest = None if last is None else today - dt.timedelta(days=last)
    return earliest, latest


class StockBoardFilter(django_filters.FilterSet):
    series = django_filters.ModelChoiceFilter(label=_("Series"), field_name="trim__series",
                                              queryset=Series.objects.none())
    status = django_filters.ChoiceFilter(label=_("Status"), choices=StockStatus.choices,
                                         empty_label=_("All but delivered"))
    age = django_filters.ChoiceFilter(
        label=_("Days in stock"), method="filter_age",
        choices=[(key, label) for key, label, _first, _last in AGING_BUCKETS])
    vin = django_filters.CharFilter(
        label=_("VIN"), lookup_expr="icontains",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off",
                                      "placeholder": _("Part of the VIN")}))

    class Meta:
        model = StockVehicle
        fields = ["series", "status", "age", "vin"]

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.filters["series"].queryset = Series.objects.select_related("brand")

    def filter_age(self, queryset, name, value):
        for key, _label, first, last in AGING_BUCKETS:
            if key == value:
                earliest, latest = bucket_arrival_range(self.today, first, last)
                queryset = queryset.on_hand().filter(arrival_date__lte=latest)
                if earliest is not None:
                    queryset = queryset.filter(arrival_date__gte=earliest)
        return queryset


class StockReceiveForm(forms.Form):
    vin = forms.CharField(label=_("VIN"), max_length=20,
                          widget=forms.TextInput(attrs={"autocomplete": "off",
                                                        "autocapitalize": "characters",
                                                        "spellcheck": "false"}))
    trim = forms.ModelChoiceField(label=_("Trim"), queryset=Trim.objects.none())
    colour = forms.ModelChoiceField(label=_("Colour"), queryset=Colour.objects.none(),
                                    required=False)
    status = forms.ChoiceField(label=_("Status"),
                               choices=[(s, StockStatus(s).label) for s in RECEIVE_STATUSES],
                               initial=StockStatus.IN_STOCK)
    arrival_date = BoundedDateField(label=_("Arrival date"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}),
                                    help_text=_("Needed when the car is in stock."))
    cost = forms.DecimalField(label=_("Purchase cost (CNY)"), min_value=0, max_digits=12,
                              decimal_places=2)
    list_price = forms.DecimalField(label=_("List price (CNY)"), min_value=0.01,
                                    max_digits=12, decimal_places=2)
    location = forms.CharField(label=_("Location"), max_length=100, required=False,
                               help_text=_("Where the car stands, e.g. showroom, yard B-12."))

    def __init__(self, *args, store: Store, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trim"].queryset = (Trim.objects.filter(is_active=True)
                                        .select_related("series__brand"))
        self.fields["colour"].queryset = Colour.objects.select_related("series")
        self.fields["colour"].label_from_instance = lambda c: f"{c.series.name} · {c.name}"
        earliest, latest = arrival_range(store)
        self.fields["arrival_date"].set_range(earliest, latest)
        self.fields["arrival_date"].initial = latest

    def clean_vin(self) -> str:
        return normalize_vin(self.cleaned_data["vin"])

    def clean(self):
        cleaned = super().clean()
        trim, colour = cleaned.get("trim"), cleaned.get("colour")
        if trim and colour and colour.series_id != trim.series_id:
            self.add_error("colour", _("This colour is not offered for this series."))
        if cleaned.get("status") == StockStatus.IN_STOCK and not cleaned.get("arrival_date") \
                and "arrival_date" not in self.errors:
            self.add_error("arrival_date", _("A car received in stock needs its arrival date."))
        return cleaned


class StockImportForm(forms.Form):
    MAX_BYTES = 2 * 1024 * 1024

    file = forms.FileField(label=_("CSV file"), help_text=_(
        "UTF-8 or GB18030, first row: vin, series, trim, colour, status, arrival_date, cost, "
        "list_price, location."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise ValidationError(_("The file is larger than 2 MB; split it in parts."))
        return upload


class StockArriveForm(forms.Form):
    arrival_date = BoundedDateField(label=_("Arrived on"),
                                    widget=forms.DateInput(attrs={"type": "date"}))
    location = forms.CharField(label=_("Location"), max_length=100, required=False)

    def __init__(self, *args, store: Store, **kwargs):
        super().__init__(*args, **kwargs)
        earliest, latest = arrival_range(store)
        self.fields["arrival_date"].set_range(earliest, latest)
        self.fields["arrival_date"].initial = latest


class DeliverySettingsForm(forms.ModelForm):
    class Meta:
        model = DeliverySettings
        fields = ["slow_stock_days", "at_risk_days"]
