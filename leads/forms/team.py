"""Forms of the team page: the on-duty switch and handing a leaving consultant's book on."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dealership.models import User


class ReassignBookForm(forms.Form):
    to_user = forms.ModelChoiceField(label=_("Give the book to"), queryset=User.objects.none(),
                                     error_messages={"invalid_choice": _(
                                         "Choose another active consultant of your store.")})
    deactivate = forms.BooleanField(
        label=_("The consultant leaves: switch off their login"), required=False)

    def __init__(self, *args, consultants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = consultants


class OnDutyForm(forms.Form):
    on_duty = forms.TypedChoiceField(choices=[("1", _("On duty")), ("0", _("Off duty"))],
                                     coerce=lambda value: value == "1")
