"""The form of the store's pool: hand a lead to a consultant."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dealership.models import User


class PoolAssignForm(forms.Form):
    consultant = forms.ModelChoiceField(label=_("Consultant"), queryset=User.objects.none(),
                                        error_messages={"invalid_choice": _(
                                            "Choose an active consultant of your store.")})

    def __init__(self, *args, consultants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultant"].queryset = consultants
