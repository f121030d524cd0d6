"""The store catalogue's forms: they validate and normalise; the rules (price range,
unique code or name per store) are the services' too, so they hold for every caller."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contracts.enums import PackageKind
from contracts.forms.approvals import MONEY_INPUT
from contracts.services.catalogue import MAX_ITEM_PRICE
from dealership.enums import Role
from dealership.forms import CatalogueForm
from dealership.models import Store, User
from dealership.permissions import has_role


class _StoreItemForm(CatalogueForm):
    """A new item of the administrator's asks for its store; a manager's goes to their own
    store, and an item never moves between stores."""

    store = forms.ModelChoiceField(label=_("Store"), queryset=Store.objects.none(),
                                   empty_label=_("Choose a store"))

    def __init__(self, *args, user: User, editing: bool = False, **kwargs):
        super().__init__(*args, editing=editing, **kwargs)
        if editing or not has_role(user, Role.ADMIN):
            del self.fields["store"]
        else:
            self.fields["store"].queryset = Store.objects.filter(is_active=True).order_by(
                "code")


def _price_field(label) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=10, decimal_places=2,
                              min_value=Decimal("0"), max_value=MAX_ITEM_PRICE,
                              widget=MONEY_INPUT)


class AccessoryForm(_StoreItemForm):
    code = forms.CharField(label=_("Code"), max_length=30,
                           help_text=_("The store's own code, e.g. MAT-01."))
    name = forms.CharField(label=_("Name"), max_length=80)
    price = _price_field(_("Price (CNY)"))


class PackageForm(_StoreItemForm):
    name = forms.CharField(label=_("Name"), max_length=80)
    kind = forms.ChoiceField(label=pgettext_lazy("package", "Kind"),
                             choices=[("", _("Choose a kind")), *PackageKind.choices])
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    price = _price_field(_("Price (CNY)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["price"].help_text = _("0 for a gift.")
