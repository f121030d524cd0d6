"""Forms of the team board: deciding a lost request, and the report period of the lost
report and the marketing home. They validate and normalise; the services write."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

# A report's dates: the store's days become aware datetimes, which overflow near the ends
# of the calendar (year 1, year 9999).
FIRST_REPORT_DAY, LAST_REPORT_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


def _report_date(label: str) -> forms.DateField:
    return forms.DateField(
        label=label, required=False,
        validators=[MinValueValidator(FIRST_REPORT_DAY), MaxValueValidator(LAST_REPORT_DAY)],
        widget=forms.DateInput(attrs={"type": "date", "min": FIRST_REPORT_DAY.isoformat(),
                                      "max": LAST_REPORT_DAY.isoformat()}))


class DecideLostForm(forms.Form):
    APPROVE, RETURN = "approve", "return"

    decision = forms.ChoiceField(choices=[(APPROVE, _("Approve")), (RETURN, _("Send back"))])
    note = forms.CharField(label=_("Comment"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.RETURN and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Tell the consultant why the request goes back."))
        return cleaned


class PeriodForm(forms.Form):
    """A report period in the store's days; both ends included."""

    MAX_DAYS = 366

    date_from = _report_date(_("From"))
    date_to = _report_date(_("To"))

    def __init__(self, *args, default_from: dt.date, default_to: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_from, self.default_to = default_from, default_to

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        first = cleaned.get("date_from") or self.default_from
        last = cleaned.get("date_to") or self.default_to
        if first > last:
            self.add_error("date_to", _("The end date comes after the start date."))
        elif (last - first).days >= self.MAX_DAYS:
            self.add_error("date_to", _("Choose a period of at most a year."))
        cleaned["first"], cleaned["last"] = first, last
        return cleaned
