"""Forms of the daily showroom inspection: ticking an item, editing the checklist. They
validate and normalise; the views hand `cleaned_data` to showroom.services.inspection."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from showroom.models import InspectionItem
from showroom.services.inspection import validate_inspection_photo


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
