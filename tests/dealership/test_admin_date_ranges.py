"""The stock vehicle's arrival date typed in the admin (the only screen that writes it) has
a business range (issue 10): 2000-01-01 to a year ahead."""

from __future__ import annotations

import datetime as dt

import pytest
from django.forms import modelform_factory

from dealership.admin import StockVehicleAdminForm
from dealership.models import StockVehicle

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def _form(store, day: str):
    form_class = modelform_factory(StockVehicle, form=StockVehicleAdminForm,
                                   fields=["store", "arrival_date"])
    return form_class(data={"store": store.pk, "arrival_date": day})


@pytest.mark.parametrize("offset", [None, 367])
def test_arrival_date_outside_its_range_is_refused(store, offset):
    latest = store.today() + dt.timedelta(days=366)
    day = "1999-12-31" if offset is None else str(store.today() + dt.timedelta(days=offset))

    errors = _form(store, day).errors

    assert errors == {"arrival_date": [f"Enter a date between 2000-01-01 and {latest}."]}


@pytest.mark.parametrize("day", ["2000-01-01", "latest"])
def test_arrival_date_on_its_bounds_is_accepted(store, day):
    if day == "latest":
        day = str(store.today() + dt.timedelta(days=366))

    form = _form(store, day)

    assert form.is_valid(), form.errors
