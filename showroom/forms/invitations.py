"""Forms of invitations (邀约): inviting, cancelling, the list's period. They validate and
normalise; the views hand `cleaned_data` to showroom.services.invitations."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealership.forms import BoundedDateTimeField
from showroom.enums import InvitationStatus
from showroom.services.invitations import INVITATION_HORIZON

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local", "step": 300},
                                     format="%Y-%m-%dT%H:%M")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class InvitationForm(forms.Form):
    """Book the customer: when (the store's local time) and what for."""

    expected_at = BoundedDateTimeField(label=_("Expected at"), widget=DATETIME_INPUT,
                                       input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    purpose = forms.CharField(label=_("Reason for coming"), max_length=100, required=False,
                              help_text=_("e.g. test drive, price talk, pick up a brochure"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # From now to the invitation horizon (90 days); opening hours are the service's.
        now = timezone.now()
        field = self.fields["expected_at"]
        field.set_range(now, now + INVITATION_HORIZON)
        # The browser counts the 5-minute steps from `min`: now's odd minute would make
        # 14:30 invalid there. The server checks the lower bound.
        field.widget.attrs.pop("min", None)


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
