"""Forms of the inspection, the appointment and the handover. They validate and normalise;
the services check again and own every write."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dealership.forms import BoundedDateField, BoundedDateTimeField
from delivery.enums import HANDOVER_CHECKLIST, GateCondition
from delivery.models import PdiItem
from delivery.services.handover import (
    APPOINTMENT_PLACE_MAX,
    REASON_MAX,
    normalize_plate,
    validate_photo,
)
from delivery.services.pdi import LABEL_MAX, NOTE_MAX, note_field

PASS, FAIL = "pass", "fail"


class PdiItemForm(forms.Form):
    label = forms.CharField(label=_("Item"), max_length=LABEL_MAX)


class PdiItemEditForm(forms.Form):
    label = forms.CharField(label=_("Item"), max_length=LABEL_MAX)
    order = forms.IntegerField(label=_("Position"), min_value=0, max_value=32767)
    active = forms.BooleanField(label=_("In use"), required=False)


class PdiCheckForm(forms.Form):
    """One result and note per item in use: `result_<id>` (pass / fail / not checked now)
    and `note_<id>` (needed for a failed item)."""

    def __init__(self, *args, items: list[PdiItem], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"result_{item.pk}"] = forms.ChoiceField(
                label=item.label, required=False, widget=forms.RadioSelect,
                choices=[(PASS, _("Pass")), (FAIL, _("Fail"))])
            self.fields[note_field(item)] = forms.CharField(
                label=_("Note"), required=False, max_length=NOTE_MAX)

    def rows(self):
        """(item, result field, note field) per item, for the template."""
        return [(item, self[f"result_{item.pk}"], self[note_field(item)])
                for item in self.items]

    def clean(self):
        cleaned = super().clean()
        results = []
        for item in self.items:
            result = cleaned.get(f"result_{item.pk}")
            note = (cleaned.get(note_field(item)) or "").strip()
            if result == FAIL and not note:
                self.add_error(note_field(item), _("Say what is wrong, so it can be put "
                                                   "right."))
            if result in (PASS, FAIL):
                results.append((item, result == PASS, note))
        if not results and not self.errors:
            raise ValidationError(_("Mark at least one item as passed or failed."))
        cleaned["results"] = results
        return cleaned


class AppointmentForm(forms.Form):
    scheduled_at = BoundedDateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                   format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    place = forms.CharField(label=_("Where"), max_length=APPOINTMENT_PLACE_MAX, required=False,
                            help_text=_("E.g. delivery bay 2, or the customer's address."))


class HandoverForm(forms.Form):
    """The ceremony as the consultant fills it in next to the car."""

    photo = forms.FileField(
        label=_("Photo with the customer"), required=False,
        widget=forms.FileInput(attrs={"accept": "image/*",
                                               "capture": "environment"}))
    plate_number = forms.CharField(
        label=_("Plate number"), required=False, max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "粤B12345",
                                      "autocapitalize": "characters"}))
    plate_registered_on = BoundedDateField(
        label=_("Plate registered on"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        checklist = {name: forms.BooleanField(label=label, required=False)
                     for name, label in HANDOVER_CHECKLIST}
        self.fields = {**checklist, **self.fields}

    def checklist(self):
        return [self[name] for name, _label in HANDOVER_CHECKLIST]

    def clean_plate_number(self) -> str:
        return normalize_plate(self.cleaned_data.get("plate_number", ""))

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo:
            validate_photo(photo)
        return photo


class HandoverCompleteForm(forms.Form):
    """A manager's override of one condition of the gate, with the reason."""

    override_condition = forms.ChoiceField(
        label=_("Hand over without"), required=False,
        choices=[("", "—"), *GateCondition.choices])
    override_reason = forms.CharField(
        label=_("Why"), required=False, max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}))
