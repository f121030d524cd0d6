"""The talk track (话术) form. It validates and normalises; the views hand `cleaned_data`
to showroom.services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from showroom.models import TalkTrack


class TalkTrackForm(forms.ModelForm):
    class Meta:
        model = TalkTrack
        fields = ["kind", "series", "title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, series, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["series"].queryset = series
        self.fields["series"].empty_label = _("Every model")
