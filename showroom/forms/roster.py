"""Forms of the reception desk's roster: who is on duty today, in which order, and a
consultant's state."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class RosterForm(forms.Form):
    """Today's roster: a checkbox and a queue place per active consultant of the store."""

    def __init__(self, *args, candidates, shifts, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        current = {s.consultant_id: s for s in shifts}
        for index, consultant in enumerate(self.candidates, start=1):
            shift = current.get(consultant.pk)
            on_duty = shift is not None and shift.state != "off"
            self.fields[f"on_{consultant.pk}"] = forms.BooleanField(
                label=consultant.get_full_name(), required=False, initial=on_duty)
            self.fields[f"order_{consultant.pk}"] = forms.IntegerField(
                label=_("Place in the queue"), min_value=1, max_value=99, required=False,
                initial=shift.position if shift else index)

    def rows(self):
        return [(c, self[f"on_{c.pk}"], self[f"order_{c.pk}"]) for c in self.candidates]

    def clean(self) -> dict:
        cleaned = super().clean()
        chosen = [c for c in self.candidates if cleaned.get(f"on_{c.pk}")]
        order = {c.pk: cleaned.get(f"order_{c.pk}") or 99 for c in chosen}
        cleaned["consultants"] = sorted(chosen, key=lambda c: (order[c.pk], c.get_full_name()))
        return cleaned


class DutyStateForm(forms.Form):
    state = forms.ChoiceField(choices=[("available", _("Waiting")),
                                       ("away", _("Away / at lunch")), ("off", _("Off"))])
