"""Forms for invitations (邀约) and the daily showroom inspection. They validate and
normalise; the views hand `cleaned_data` to showroom.services.invitations / .inspection."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from showroom.enums import InvitationStatus
from showroom.models import InspectionItem
from showroom.services.inspection import validate_inspection_photo

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local", "step": 300},
                                     format="%Y-%m-%dT%H:%M")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class InvitationForm(forms.Form):
    """Book the customer: when (the store's local time) and what for."""

    expected_at = forms.DateTimeField(label=_("Expected at"), widget=DATETIME_INPUT,
                                      input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    purpose = forms.CharField(label=_("Reason for coming"), max_length=100, required=False,
                              help_text=_("e.g. test drive, price talk, pick up a brochure"))


class InvitationCancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}))


class InvitationPeriodForm(forms.Form):
    """The invitations list's filters: a month (YYYY-MM) and a status."""

    month = forms.CharField(label=_("Month"), required=False,
                            widget=forms.TextInput(attrs={"type": "month"}))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All")), *InvitationStatus.choices])

    def clean_month(self) -> dt.date | None:
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return None
        match = _MONTH.match(value)
        try:
            # The first and last year a date can hold leave no previous/next month.
            if not match or not dt.MINYEAR < int(match[1]) < dt.MAXYEAR:
                raise ValueError
            return dt.date(int(match[1]), int(match[2]), 1)
        except ValueError:
            raise ValidationError(_("Give the month as YYYY-MM.")) from None


class InspectionCheckForm(forms.Form):
    """One item of today's checklist: in order, or a problem with a note (and a photo)."""

    ok = forms.TypedChoiceField(
        label=_("Result"), coerce=lambda value: value == "1", widget=forms.RadioSelect,
        choices=[("1", _("In order")), ("0", _("Problem"))])
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    photo = forms.ImageField(label=_("Photo of the problem"), required=False,
                             help_text=_("JPEG or PNG, at most 5 MB."),
                             widget=forms.ClearableFileInput(
                                 attrs={"accept": "image/jpeg,image/png"}))

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo:
            validate_inspection_photo(photo)
        return photo

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("ok") is False and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Describe the problem."))
        return cleaned


class InspectionItemForm(forms.ModelForm):
    class Meta:
        model = InspectionItem
        fields = ["text", "position", "is_active"]
