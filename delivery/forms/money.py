"""Forms of money to collect, the loan and the insurance. They parse the input and carry
the business ranges of typed dates; the rules are the services' (delivery.services.finance,
contracts.services.ledger), which check again."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.enums import PaymentChannel, PaymentKind, PaymentPlan
from dealership.forms import BoundedDateField, BoundedDateTimeField
from delivery.enums import InsuranceKind, LoanDocument, LoanStatus

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
MONEY_INPUT = forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0.01"})


def _money(label, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=12, decimal_places=2,
                              min_value=Decimal("0.01"), widget=MONEY_INPUT, **kwargs)


class PaymentRecordForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of payment"), widget=forms.RadioSelect,
        choices=[(PaymentKind.BALANCE, _("Balance paid by the customer")),
                 (PaymentKind.LOAN, _("Loan disbursed by the lender"))],
        initial=PaymentKind.BALANCE)
    channel = forms.ChoiceField(label=_("Paid by"), choices=PaymentChannel.choices)
    amount = _money(_("Amount (CNY)"))
    receipt_number = forms.CharField(
        label=_("Receipt or transfer number"), max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off"}))
    received_at = BoundedDateTimeField(label=_("Received at"), widget=DATETIME_INPUT,
                                       input_formats=DATETIME_FORMATS)

    def __init__(self, *args, received_range=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_at"].initial = (
            timezone.localtime().replace(second=0, microsecond=0))
        if received_range is not None:
            field = self.fields["received_at"]
            field.set_range(*received_range)
            # "Now" moves on while the form is open: only the server checks the upper bound.
            field.widget.attrs.pop("max", None)


class PaymentDateForm(forms.Form):
    promised_payment_date = BoundedDateField(
        label=_("Balance due by"), required=False, widget=DATE_INPUT,
        help_text=_("The day the customer has promised to pay the balance by; empty clears it."))

    def __init__(self, *args, day_range=None, **kwargs):
        super().__init__(*args, **kwargs)
        if day_range is not None:
            self.fields["promised_payment_date"].set_range(*day_range)


class LoanForm(forms.Form):
    lender = forms.CharField(label=_("Lender"), max_length=100,
                             help_text=_("The bank or finance company."))
    amount = _money(_("Loan amount (CNY)"))
    term_months = forms.IntegerField(
        label=_("Term (months)"), min_value=6, max_value=96,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    annual_rate = forms.DecimalField(
        label=_("Annual rate (%)"), max_digits=5, decimal_places=2, min_value=Decimal("0"),
        max_value=Decimal("36"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}))
    documents = forms.MultipleChoiceField(
        label=_("Documents received"), required=False, choices=LoanDocument.choices,
        widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def documents_dict(self) -> dict[str, bool]:
        ticked = set(self.cleaned_data.get("documents") or ())
        return {value: value in ticked for value in LoanDocument.values}


class LoanDocumentsForm(forms.Form):
    """Once the lender has approved: only the documents checklist is still ticked."""

    documents = forms.MultipleChoiceField(
        label=_("Documents received"), required=False, choices=LoanDocument.choices,
        widget=forms.CheckboxSelectMultiple)

    def documents_dict(self) -> dict[str, bool]:
        ticked = set(self.cleaned_data.get("documents") or ())
        return {value: value in ticked for value in LoanDocument.values}


class LoanDecideForm(forms.Form):
    status = forms.ChoiceField(
        label=_("The lender's answer"), widget=forms.RadioSelect,
        choices=[(LoanStatus.APPROVED, LoanStatus.APPROVED.label),
                 (LoanStatus.REJECTED, LoanStatus.REJECTED.label)])
    note = forms.CharField(label=_("Note"), max_length=300, required=False,
                           help_text=_("Required when the loan is rejected: say why."))


class InsuranceForm(forms.Form):
    insurer = forms.CharField(label=_("Insurer"), max_length=100)
    kind = forms.ChoiceField(label=_("Type"), choices=InsuranceKind.choices)
    premium = _money(_("Premium (CNY)"))
    policy_number = forms.CharField(label=_("Policy number"), max_length=40,
                                    widget=forms.TextInput(attrs={"autocomplete": "off"}))
    starts_on = BoundedDateField(label=_("Starts on"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE_INPUT)

    def __init__(self, *args, start_range=None, **kwargs):
        super().__init__(*args, **kwargs)
        if start_range is not None:
            self.fields["starts_on"].set_range(*start_range)


class ReceivablesFilterForm(forms.Form):
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    consultant = forms.TypedChoiceField(label=_("Consultant"), required=False, coerce=int,
                                        empty_value=None)
    plan = forms.ChoiceField(label=_("Payment plan"), required=False,
                             choices=[("", _("All")), *PaymentPlan.choices])

    def __init__(self, *args, consultants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultant"].choices = [("", _("All")), *[
            (user.pk, user.get_full_name() or user.username) for user in consultants]]
