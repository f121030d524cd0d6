"""The manager's form for a new wall-screen link."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class KioskLinkForm(forms.Form):
    label = forms.CharField(label=_("Where the screen is"), max_length=50, required=False,
                            help_text=_("E.g. showroom screen, meeting room."))
