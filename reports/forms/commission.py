"""The commission page's month, and a new version of the scheme with its tiers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from dealership.models import Store
from reports.selectors.commission import commission_months
from reports.services.commission import (
    MAX_TIER_AMOUNT,
    MAX_TIER_UNITS,
    MAX_TIERS,
    SchemePercents,
    TierInput,
    scheme_month_range,
    tier_errors,
)


def _month_choices(months: list[dt.date]) -> list[tuple[str, str]]:
    return [(month.strftime("%Y-%m"), month.strftime("%Y-%m")) for month in months]


class CommissionMonthForm(forms.Form):
    """Which month's statement: this store month or one of the 24 before it."""

    month = forms.ChoiceField(label=_("Month"), required=False)

    def __init__(self, *args, store: Store, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.months = commission_months(store=store)
        self.fields["month"].choices = _month_choices(self.months)

    def chosen_month(self) -> dt.date:
        """The month asked for, this month when none was (call after is_valid())."""
        value = self.cleaned_data.get("month")
        return dt.datetime.strptime(value, "%Y-%m").date() if value else self.months[0]


def _percent_field(label) -> forms.DecimalField:
    return forms.DecimalField(label=label, min_value=Decimal(0), max_value=Decimal(100),
                              max_digits=5, decimal_places=2, initial=Decimal(0))


class CommissionSchemeForm(forms.Form):
    valid_from = forms.ChoiceField(label=_("In force from"))
    value_added_percent = _percent_field(_("Value-added: packages and accessories (%)"))
    finance_percent = _percent_field(_("Finance attached: loan amount (%)"))
    insurance_percent = _percent_field(_("Insurance attached: premiums (%)"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, store: Store, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        earliest, latest = scheme_month_range(store=store)
        months, month = [], earliest
        while month <= latest:
            months.append(month)
            month = (month + dt.timedelta(days=32)).replace(day=1)
        self.fields["valid_from"].choices = [(m.isoformat(), m.strftime("%Y-%m"))
                                             for m in months]

    def clean_valid_from(self) -> dt.date:
        return dt.date.fromisoformat(self.cleaned_data["valid_from"])

    def percents(self) -> SchemePercents:
        data = self.cleaned_data
        return SchemePercents(value_added=data["value_added_percent"],
                              finance=data["finance_percent"],
                              insurance=data["insurance_percent"])


class CommissionTierForm(forms.Form):
    """One tier; a row left empty is no tier."""

    min_units = forms.IntegerField(label=_("From units in the month"), required=False,
                                   min_value=0, max_value=MAX_TIER_UNITS)
    amount_per_unit = forms.DecimalField(label=_("Amount per unit (CNY)"), required=False,
                                         min_value=Decimal(0), max_value=MAX_TIER_AMOUNT,
                                         max_digits=10, decimal_places=2)

    def clean(self):
        cleaned = super().clean()
        units, amount = cleaned.get("min_units"), cleaned.get("amount_per_unit")
        if units is None and amount is not None and "min_units" not in self.errors:
            self.add_error("min_units", _("Enter from how many units this amount applies."))
        if amount is None and units is not None and "amount_per_unit" not in self.errors:
            self.add_error("amount_per_unit", _("Enter the amount per unit of this tier."))
        return cleaned


class BaseCommissionTierFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        problems = tier_errors(self.tiers())
        if problems:
            raise forms.ValidationError(problems)

    def tiers(self) -> list[TierInput]:
        return [TierInput(min_units=form.cleaned_data["min_units"],
                          amount_per_unit=form.cleaned_data["amount_per_unit"])
                for form in self.forms
                if form.cleaned_data.get("min_units") is not None]


CommissionTierFormSet = forms.formset_factory(
    CommissionTierForm, formset=BaseCommissionTierFormSet, extra=0, min_num=4,
    max_num=MAX_TIERS, validate_max=True, absolute_max=MAX_TIERS)
