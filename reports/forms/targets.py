"""The targets grid, the month chooser and the working calendar's forms."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dealership.forms import BoundedDateField
from dealership.models import Store, User
from dealership.validators import ensure_within
from reports.enums import TargetMetric
from reports.services.targets import (
    cell_name,
    closed_day_range,
    target_month_range,
    target_value_error,
)

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
WEEKDAYS = (
    ("1", _("Monday")), ("2", _("Tuesday")), ("3", _("Wednesday")), ("4", _("Thursday")),
    ("5", _("Friday")), ("6", _("Saturday")), ("7", _("Sunday")),
)


def parse_month(raw: str) -> dt.date:
    """"2026-03" → 1 March 2026; ValidationError otherwise."""
    match = MONTH_RE.match((raw or "").strip())
    if match:
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12 and year >= 1:
            return dt.date(year, month, 1)
    raise ValidationError(_("Enter a month as YYYY-MM."), code="invalid")


class MonthField(forms.CharField):
    """A month typed as YYYY-MM (the browser's month input), within its business range."""

    widget = forms.TextInput(attrs={"type": "month"})

    def __init__(self, *args, **kwargs):
        self.earliest = self.latest = None
        super().__init__(*args, **kwargs)

    def set_range(self, earliest: dt.date, latest: dt.date) -> None:
        self.earliest, self.latest = earliest, latest
        self.widget.attrs.update(min=f"{earliest:%Y-%m}", max=f"{latest:%Y-%m}")

    def to_python(self, value):
        value = super().to_python(value)
        return parse_month(value) if value else None

    def validate(self, value) -> None:
        super().validate(value)
        ensure_within(value, earliest=self.earliest, latest=self.latest)


class MonthForm(forms.Form):
    month = MonthField(label=_("Month"))

    def __init__(self, *args, store: Store, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].set_range(*target_month_range(store))


def _cell_field(metric: str) -> forms.DecimalField:
    if metric == TargetMetric.VALUE_ADDED:
        field = forms.DecimalField(required=False, min_value=0, max_digits=12,
                                   decimal_places=2)
        field.widget.attrs.update(step="0.01")
    else:
        field = forms.DecimalField(required=False, min_value=0, max_digits=10)
        field.widget.attrs.update(step="1")
    field.widget.attrs.update(min="0", inputmode="decimal")
    return field


class TargetGridForm(forms.Form):
    """One cell per (active consultant or the store, metric); an empty cell removes the
    target. `rows` pairs each row's label with its cells, for the template."""

    # The page's month chooser is `id_month` already: ids are unique in a page.
    month = MonthField(label=_("Month"), widget=forms.HiddenInput(attrs={"id": "id_grid_month"}))

    def __init__(self, *args, store: Store, consultants: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].set_range(*target_month_range(store))
        self.keys: list[tuple[int | None, str]] = []
        self.rows = []
        for consultant in [None, *consultants]:
            consultant_id = consultant.pk if consultant else None
            names = []
            for metric in TargetMetric.values:
                name = cell_name(consultant_id, metric)
                field = _cell_field(metric)
                field.label = TargetMetric(metric).label
                self.fields[name] = field
                self.keys.append((consultant_id, metric))
                names.append(name)
            self.rows.append((consultant, names))

    def bound_rows(self):
        """[(consultant or None for the store, [bound field, …]), …] for the template."""
        return [(consultant, [self[name] for name in names]) for consultant, names in self.rows]

    def clean(self):
        cleaned = super().clean()
        for consultant_id, metric in self.keys:
            name = cell_name(consultant_id, metric)
            value = cleaned.get(name)
            if value is not None and (reason := target_value_error(metric, value)):
                self.add_error(name, reason)
        return cleaned

    def cells(self) -> dict[tuple[int | None, str], object]:
        return {key: self.cleaned_data.get(cell_name(*key)) for key in self.keys}


class ReportSettingsForm(forms.Form):
    working_weekdays = forms.MultipleChoiceField(
        label=_("Working weekdays"), choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one working day.")})
    daily_report_at = forms.TimeField(
        label=_("Daily report made at (store time)"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))


class ClosedDayForm(forms.Form):
    day = BoundedDateField(label=_("Closed day"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=100, required=False,
                           widget=forms.TextInput(attrs={"placeholder": _("e.g. National Day")}))

    def __init__(self, *args, store: Store, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].set_range(*closed_day_range(store))
