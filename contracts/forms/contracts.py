"""Forms of the contract screens. They read and normalise the input; the rules of a
contract (deposit cap, ID number, completeness, who may act) are the services', so they hold
for every caller."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.enums import PaymentChannel
from contracts.models import Contract
from contracts.services.contracts import EDITABLE_FIELDS, delivery_day_range
from dealership.forms import BoundedDateField, MaskedOnEditMixin
from dealership.masking import mask_id_number, mask_phone

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ContractEditForm(MaskedOnEditMixin, forms.Form):
    """The editable parts of a draft (contracts.services.contracts.EDITABLE_FIELDS). The
    buyer's phone and ID number start masked: left empty they keep the stored numbers."""

    masked_fields = {"buyer_phone": mask_phone, "buyer_id_number": mask_id_number}

    buyer_name = forms.CharField(label=_("Buyer"), max_length=50)
    buyer_id_number = forms.CharField(
        label=_("ID number"), max_length=18, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("18 characters, as on the resident identity card."))
    buyer_phone = forms.CharField(label=_("Mobile phone"), max_length=32,
                                  widget=forms.TextInput(attrs={"inputmode": "tel"}))
    buyer_address = forms.CharField(label=_("Address"), max_length=255, required=False)
    configuration = forms.CharField(label=_("Configuration"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 3}))
    deposit_amount = forms.DecimalField(
        label=_("Deposit (CNY)"), min_value=0, max_digits=12, decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": 0}),
        # xgettext:no-python-format
        help_text=_("At most 20 % of the contract amount; 0 for no deposit."))
    promised_delivery_date = BoundedDateField(label=_("Promised delivery date"),
                                              required=False, widget=DATE_INPUT)
    promised_payment_date = BoundedDateField(
        label=_("Balance due by"), required=False, widget=DATE_INPUT,
        help_text=_("The day the customer promises to pay the rest; empty for on delivery."))
    extra_terms = forms.CharField(label=_("Additional terms"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    @classmethod
    def for_contract(cls, contract: Contract, data=None) -> ContractEditForm:
        initial = {name: getattr(contract, name) for name in EDITABLE_FIELDS}
        form = cls(data, initial=initial)
        # The store's today to two years ahead, as contract_update checks again.
        for name in ("promised_delivery_date", "promised_payment_date"):
            form.fields[name].set_range(*delivery_day_range(contract.store))
        return form

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.mask_stored_values()

    def clean_buyer_phone(self) -> str:
        return self.kept_value("buyer_phone", self.cleaned_data["buyer_phone"])

    def clean_buyer_id_number(self) -> str:
        return self.kept_value("buyer_id_number", self.cleaned_data["buyer_id_number"])

    def update_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}


class _OwnIds(forms.Form):
    """Several action forms share one page: each gets its own element ids."""

    id_prefix = ""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class ApproveForm(_OwnIds):
    id_prefix = "approve"
    comment = forms.CharField(label=_("Comment (optional)"), max_length=300, required=False)


class RejectForm(_OwnIds):
    id_prefix = "reject"
    reason = forms.CharField(label=_("What must change"), max_length=300, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class CancelForm(_OwnIds):
    id_prefix = "cancel"
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=300, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class SignForm(forms.Form):
    """The customer signed the printed contract; with a deposit, how it was paid."""

    customer_signed = forms.BooleanField(label=_("The customer has signed the contract"),
                                         required=False)
    deposit_channel = forms.ChoiceField(
        label=_("Deposit paid by"), required=False,
        choices=[("", "—"), *PaymentChannel.choices])
    receipt_number = forms.CharField(label=_("Receipt number"), max_length=40, required=False)

    def __init__(self, *args, deposit_required: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not deposit_required:
            del self.fields["deposit_channel"]
            del self.fields["receipt_number"]

    def sign_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"customer_signed": data["customer_signed"],
                "deposit_channel": data.get("deposit_channel", ""),
                "receipt_number": data.get("receipt_number", "")}
