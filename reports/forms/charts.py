"""The period every chart report is filtered by: from / to, store days."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from dealership.forms import BoundedDateField
from dealership.models import Store

HISTORY_DAYS = 400  # how far back a report reaches


class ChartPeriodForm(forms.Form):
    """From and to (inclusive), within the last 400 store days up to today. Left out, a
    bound defaults to this month so far (the first of the month, today)."""

    first_day = BoundedDateField(label=_("From"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    last_day = BoundedDateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, params, *, store: Store):
        today = store.today()
        data = {"first_day": today.replace(day=1).isoformat(), "last_day": today.isoformat()}
        data.update({name: params[name] for name in data if name in params})
        super().__init__(data)
        for name in ("first_day", "last_day"):
            self.fields[name].set_range(today - dt.timedelta(days=HISTORY_DAYS), today)

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", _("The period ends on or after the day it starts."))
        return cleaned
