"""Forms of the daily report list: the month filter and a manager's "make this day"."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from dealership.forms import BoundedDateField

MONTH_FORMAT = "%Y-%m"


class DailyReportFilterForm(forms.Form):
    """Which month's reports to list (all months when empty)."""

    month = BoundedDateField(
        label=_("Month"), required=False, input_formats=[MONTH_FORMAT],
        widget=forms.DateInput(attrs={"type": "month"}, format=MONTH_FORMAT),
        error_messages={"invalid": _("Enter a month as YYYY-MM.")})

    def __init__(self, *args, earliest: dt.date, latest: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["month"]
        field.set_range(earliest.replace(day=1), latest)
        # The browser's month input takes YYYY-MM bounds.
        field.widget.attrs.update(min=f"{earliest:{MONTH_FORMAT}}", max=f"{latest:{MONTH_FORMAT}}")

    def chosen_month(self) -> dt.date | None:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["month"]
        return None


class DailyReportRequestForm(forms.Form):
    """The day a manager makes (again): a new version of its report."""

    day = BoundedDateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, earliest: dt.date, latest: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].set_range(earliest, latest)
