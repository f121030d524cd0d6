"""After-sales forms: the customer's survey answers, and the results' period and kind."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.enums import SurveyKind, SurveyQuestion
from aftersales.services.surveys import COMMENT_MAX_LENGTH, QUESTIONS, SCORE_MAX, SCORE_MIN
from dealership.forms import BoundedDateField

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SCORE_CHOICES = [(score, str(score)) for score in range(SCORE_MIN, SCORE_MAX + 1)]
# How far back the results look (a typed "from" before this is refused).
RESULTS_MAX_DAYS_BACK = 3 * 366
RESULTS_DEFAULT_DAYS = 90


class SurveyAnswerForm(forms.Form):
    """One 1–10 choice per question of the survey's kind, and a free comment."""

    comment = forms.CharField(
        label=_("Anything else you would like to tell us? (optional)"), required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_MAX_LENGTH}))

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        comment = self.fields.pop("comment")
        for question in QUESTIONS[kind]:
            self.fields[question] = forms.TypedChoiceField(
                label=SurveyQuestion(question).label, choices=SCORE_CHOICES, coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Please choose a score from 1 to 10.")})
        self.fields["comment"] = comment
        self.questions = [self[question] for question in QUESTIONS[kind]]

    def has_score_errors(self) -> bool:
        return any(field.errors for field in self.questions)

    def scores(self) -> dict[str, int]:
        return {name: value for name, value in self.cleaned_data.items() if name != "comment"}


class SurveyResultsFilterForm(forms.Form):
    """The period (the store's days, both included) and the kind of the results."""

    date_from = BoundedDateField(label=_("From"), required=False, widget=DATE_INPUT)
    date_to = BoundedDateField(label=_("To"), required=False, widget=DATE_INPUT)
    kind = forms.ChoiceField(label=_("Survey"), required=False,
                             choices=[("", _("All")), *SurveyKind.choices])

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        earliest = today - dt.timedelta(days=RESULTS_MAX_DAYS_BACK)
        for name in ("date_from", "date_to"):
            self.fields[name].set_range(earliest, today)

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end of the period is before its start."))
        return cleaned

    def period(self) -> tuple[dt.date, dt.date]:
        """The chosen period, the last 90 days by default (also for invalid input)."""
        values = self.cleaned_data if self.is_valid() else {}
        date_to = values.get("date_to") or self.today
        date_from = values.get("date_from") or date_to - dt.timedelta(
            days=RESULTS_DEFAULT_DAYS - 1)
        return date_from, date_to

    def chosen_kind(self) -> str:
        return (self.cleaned_data.get("kind") or "") if self.is_valid() else ""
