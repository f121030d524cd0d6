"""After-sales forms: the owners' list filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dealership.forms import ConsultantFilterMixin


class OwnerFilterForm(ConsultantFilterMixin):
    """Search an owner by name, plate or the last characters of the VIN; the store-wide
    roles and the supervisor may narrow to one consultant's owners."""

    q = forms.CharField(label=_("Name, plate or VIN ending"), required=False, max_length=50,
                        strip=True, widget=forms.SearchInput(attrs={"autocomplete": "off"}))
    field_order = ("q", "consultant")
