"""After-sales forms: the owners' list filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dealership.enums import Role
from dealership.models import User


class OwnerFilterForm(forms.Form):
    """Search an owner by name, plate or the last characters of the VIN; the store-wide
    roles and the supervisor may narrow to one consultant's owners."""

    q = forms.CharField(label=_("Name, plate or VIN ending"), required=False, max_length=50,
                        strip=True, widget=forms.SearchInput(attrs={"autocomplete": "off"}))
    consultant = forms.ModelChoiceField(label=_("Consultant"), required=False,
                                        queryset=User.objects.none(),
                                        empty_label=_("Everyone"))

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        if user.role == Role.CONSULTANT:
            del self.fields["consultant"]
        else:
            self.fields["consultant"].queryset = User.objects.filter(
                store_id=user.store_id, role__in=(Role.CONSULTANT, Role.SUPERVISOR),
                is_active=True).order_by("name")
