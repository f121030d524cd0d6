"""After-sales forms: complaints (intake, the actions of the detail page, the filters)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.enums import (
    ComplaintCategory,
    ComplaintChannel,
    ComplaintDepartment,
    ComplaintSeverity,
    ComplaintStatus,
)
from aftersales.services.complaints import RECEIVED_WITHIN
from contracts.models import Contract
from dealership.forms import BoundedDateTimeField
from dealership.models import Customer, User

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def _text(label, *, max_length: int = 2000, rows: int = 3, **kwargs) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length,
                           widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


class ComplaintForm(forms.Form):
    """Intake: the customer is chosen before (`?customer=`), the contract among theirs."""

    customer = forms.ModelChoiceField(queryset=Customer.objects.none(),
                                      widget=forms.HiddenInput)
    channel = forms.ChoiceField(label=_("Received via"), choices=ComplaintChannel.choices)
    category = forms.ChoiceField(label=_("Category"), choices=ComplaintCategory.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=ComplaintSeverity.choices,
                                 initial=ComplaintSeverity.MEDIUM)
    department = forms.ChoiceField(label=_("Owner department"),
                                   choices=ComplaintDepartment.choices)
    summary = forms.CharField(label=_("Summary"), max_length=200,
                              help_text=_("One line the board shows."))
    description = _text(_("What the customer says"), max_length=4000, rows=5)
    received_at = BoundedDateTimeField(
        label=_("Received at"), widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS,
        help_text=_("The clocks run from here: first response within 2 h, a proposal "
                    "within 24 h, the resolution within 48 h."))
    contract = forms.ModelChoiceField(label=_("Related contract"), required=False,
                                      queryset=Contract.objects.none(),
                                      empty_label=_("None"))

    def __init__(self, *args, customers: QuerySet[Customer], contracts: QuerySet[Contract],
                 now: dt.datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers
        self.fields["contract"].queryset = contracts
        self.fields["received_at"].initial = timezone.localtime(now).replace(second=0,
                                                                             microsecond=0)
        field = self.fields["received_at"]
        field.set_range(now - RECEIVED_WITHIN, now)
        # "Now" moves on while the form is open: only the server checks the upper bound.
        field.widget.attrs.pop("max", None)


class CustomerSearchForm(forms.Form):
    q = forms.CharField(label=_("Customer's name or phone"), max_length=50, required=False)


class RespondForm(forms.Form):
    note = _text(_("What you told the customer"))


class ProposeForm(forms.Form):
    proposal = _text(_("Proposal"))


class ResolveForm(forms.Form):
    resolution = _text(_("Resolution"))
    cause_analysis = _text(_("Cause analysis"))
    corrective_action = _text(_("Corrective action"))


class CloseForm(forms.Form):
    customer_feedback = _text(
        _("The customer's feedback"), required=False,
        help_text=_("Closing requires the customer's feedback, in their words."))
    customer_satisfied = forms.TypedChoiceField(
        label=_("Is the customer satisfied?"), widget=forms.RadioSelect,
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes", required=False, empty_value=None)


class ReopenForm(forms.Form):
    customer_words = _text(_("What the customer says"),
                           help_text=_("Reopening starts the clocks again from now."))


class AssignForm(forms.Form):
    handler = forms.ModelChoiceField(label=_("Hand over to"), queryset=User.objects.none())

    def __init__(self, *args, handlers: QuerySet[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = handlers


class NoteForm(forms.Form):
    note = _text(pgettext_lazy("complaint", "Note"), rows=2)


class ComplaintFilterForm(forms.Form):
    """The board's and the list's filters (the list adds the status and a search)."""

    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("All")), *ComplaintCategory.choices])
    severity = forms.ChoiceField(label=_("Severity"), required=False,
                                 choices=[("", _("All")), *ComplaintSeverity.choices])
    department = forms.ChoiceField(label=_("Owner department"), required=False,
                                   choices=[("", _("All")), *ComplaintDepartment.choices])
    handler = forms.ModelChoiceField(label=_("Handled by"), required=False,
                                     queryset=User.objects.none(), empty_label=_("All"))

    def __init__(self, *args, handlers: QuerySet[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = handlers


class ComplaintListFilterForm(ComplaintFilterForm):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All")), *ComplaintStatus.choices])
    q = forms.CharField(label=_("Number, summary or customer"), max_length=50,
                        required=False)
