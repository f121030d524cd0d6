"""Forms of the referral and points screens: they validate and normalise; the views hand
`cleaned_data` to aftersales.services.loyalty."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.models import ServicePackage
from aftersales.services.loyalty import MAX_ADJUSTMENT
from dealership.validators import normalize_phone


class ReferralForm(forms.Form):
    """The friend an owner refers: phone first, as on the lead form."""

    phone = forms.CharField(
        label=_("Friend's mobile phone"), max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off",
                                      "autofocus": True}))
    name = forms.CharField(label=_("Friend's name"), max_length=50)
    model_interest = forms.CharField(label=_("Model of interest"), max_length=100,
                                     required=False)
    note = forms.CharField(label=_("Note"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    marketing_consent = forms.BooleanField(label=_("The friend agrees to marketing messages"),
                                           required=False)

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(_("Enter the friend's name."))
        return name


class RedeemForm(forms.Form):
    package = forms.ModelChoiceField(label=_("Service package"),
                                     queryset=ServicePackage.objects.none(),
                                     empty_label=_("Choose a package"))

    def __init__(self, *args, packages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["package"].queryset = packages
        self.fields["package"].label_from_instance = (
            lambda package: _("%(name)s — %(points)s points") % {"name": package.name,
                                                                 "points": package.points})


class AdjustForm(forms.Form):
    points = forms.IntegerField(
        label=pgettext_lazy("adjustment", "Points (+ to add, − to take off)"),
        min_value=-MAX_ADJUSTMENT, max_value=MAX_ADJUSTMENT)
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def clean_points(self) -> int:
        points = self.cleaned_data["points"]
        if points == 0:
            raise ValidationError(_("Enter a number of points other than 0."))
        return points


class PackageForm(forms.Form):
    name = forms.CharField(label=_("Package"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    points = forms.IntegerField(label=_("Points"), min_value=1, max_value=1_000_000)
    active = forms.BooleanField(label=_("Offered"), required=False, initial=True,
                                help_text=_("Untick to retire the package: it can no "
                                            "longer be redeemed."))


class ReferralFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Points"), required=False,
        choices=[("", _("All")), ("open", _("Not credited yet")), ("credited", _("Credited")),
                 ("reversed", _("Reversed"))])
    q = forms.CharField(label=_("Name"), max_length=50, required=False)
