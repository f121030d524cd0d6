"""The admin may enter a car but not move its status: statuses move only through the
delivery stage's services (receiving, allocation, handover), each audited."""

from __future__ import annotations

import pytest
from django.utils import translation

from dealership.enums import StockStatus
from tests.factories import StockVehicleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


@pytest.fixture
def superuser_client(client, django_user_model, store):
    user = django_user_model.objects.create_superuser(
        username="root", password="x-very-long-password-2026", store=store)
    client.force_login(user)
    return client


def test_the_change_page_shows_the_status_without_an_input(superuser_client, store):
    vehicle = StockVehicleFactory(store=store, status=StockStatus.RESERVED)

    page = superuser_client.get(f"/admin/dealership/stockvehicle/{vehicle.pk}/change/")

    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    with translation.override(page.wsgi_request.LANGUAGE_CODE):
        shown = str(StockStatus.RESERVED.label)
    assert f"<div class=\"readonly\">{shown}</div>" in page.content.decode()


def test_a_new_car_can_only_be_in_transit_or_in_stock(superuser_client):
    page = superuser_client.get("/admin/dealership/stockvehicle/add/")

    field = page.context["adminform"].form.fields["status"]
    assert [value for value, _label in field.choices if value] == [
        StockStatus.IN_TRANSIT, StockStatus.IN_STOCK]


def _admin_form(vehicle, store):
    from dealership.admin import StockVehicleAdminForm

    return StockVehicleAdminForm(data={
        "store": store.pk, "trim": vehicle.trim_id, "vin": vehicle.vin,
        "status": StockStatus.IN_STOCK, "arrival_date": vehicle.arrival_date.isoformat(),
        "cost": "100000.00", "list_price": "120000.00", "location": "",
        "created_at": "2026-12-01 10:00"})


def test_a_vin_the_store_has_already_is_refused_on_the_vin(store):
    vehicle = StockVehicleFactory(store=store)

    form = _admin_form(vehicle, store)

    assert (form.is_valid(), form.errors) == (
        False, {"vin": ["Stock vehicle with this Store and VIN already exists."]})


def test_a_vin_of_another_store_is_taken(store, other_store):
    vehicle = StockVehicleFactory(store=other_store)

    form = _admin_form(vehicle, store)

    assert (form.is_valid(), form.errors) == (True, {})
