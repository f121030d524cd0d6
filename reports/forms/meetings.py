"""The meeting pages' day chooser and the manager's note form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dealership.forms import BoundedDateField
from dealership.models import Store
from reports.enums import NoteTopic
from reports.selectors.meetings import meeting_day_range
from reports.services.meetings import BODY_MAX


class MeetingDayForm(forms.Form):
    """?day=YYYY-MM-DD: 400 days back to 7 ahead of the store's today."""

    day = BoundedDateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, store: Store, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].set_range(*meeting_day_range(store))


class MeetingNoteForm(forms.Form):
    # The page's day chooser is `id_day` already: ids are unique in a page.
    day = BoundedDateField(label=_("Day"),
                           widget=forms.HiddenInput(attrs={"id": "id_note_day"}))
    topic = forms.ChoiceField(label=_("Topic"), choices=NoteTopic.choices)
    body = forms.CharField(label=_("Note"), max_length=BODY_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, store: Store, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].set_range(*meeting_day_range(store))
