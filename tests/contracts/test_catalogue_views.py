"""The store catalogue's screens: a manager edits their store's accessories and packages,
never another store's; the administrator every store's."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts.models import Accessory, ValuePackage
from contracts.services.catalogue import ACCESSORY_FIELDS, PACKAGE_FIELDS, accessory_update
from dealership.enums import PriceKind, Role
from dealership.models import PriceChange
from dealership.services.catalogue import catalogue_version
from tests.contracts.factories import AccessoryFactory, ValuePackageFactory
from tests.helpers import HTMX, english

pytestmark = pytest.mark.django_db


def _version(item: Accessory) -> str:
    return catalogue_version(instance=Accessory.objects.get(pk=item.pk), fields=ACCESSORY_FIELDS)


def _post(item: Accessory, **changes) -> dict:
    data = {"code": item.code, "name": item.name, "price": str(item.price),
            "version": _version(item)}
    data.update(changes)
    return data


# --- Who may open what ---------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/contracts/catalogue/accessories/",
                                 "/contracts/catalogue/packages/",
                                 "/contracts/catalogue/accessories/new/"])
def test_catalogue_screens_refuse_a_consultant(client, consultant, url):
    client.force_login(consultant)

    assert client.get(url).status_code == 403


def test_another_stores_accessory_is_404_and_unchanged(client, manager, other_store):
    item = AccessoryFactory(store=other_store, price=Decimal("800.00"))
    client.force_login(manager)

    page = client.get(f"/contracts/catalogue/accessories/{item.pk}/")
    post = client.post(f"/contracts/catalogue/accessories/{item.pk}/", _post(item, price="1"))
    retire = client.post(f"/contracts/catalogue/accessories/{item.pk}/on-sale/",
                         {"is_active": "0"})

    assert (page.status_code, post.status_code, retire.status_code) == (404, 404, 404)
    item.refresh_from_db()
    assert (item.price, item.is_active) == (Decimal("800.00"), True)


def test_another_stores_package_is_404(client, manager, other_store):
    item = ValuePackageFactory(store=other_store)
    client.force_login(manager)

    assert client.get(f"/contracts/catalogue/packages/{item.pk}/").status_code == 404


def test_manager_list_shows_only_their_store(client, manager, store, other_store):
    mine = AccessoryFactory(store=store)
    AccessoryFactory(store=other_store)
    client.force_login(manager)

    response = client.get("/contracts/catalogue/accessories/")

    assert [row.url for row in response.context["rows"]] == [
        f"/contracts/catalogue/accessories/{mine.pk}/"]
    assert "store" not in response.context["filter"].form.fields


def test_admin_list_filters_by_store(client, make_user, store, other_store):
    AccessoryFactory(store=store)
    theirs = AccessoryFactory(store=other_store)
    client.force_login(make_user(Role.ADMIN))

    response = client.get("/contracts/catalogue/accessories/", {"store": other_store.pk})

    assert [row.url for row in response.context["rows"]] == [
        f"/contracts/catalogue/accessories/{theirs.pk}/"]


# --- Lists ---------------------------------------------------------------------------------
@pytest.mark.parametrize("count", [1, 3])
def test_accessory_list_query_count_is_constant(client, manager, store, count,
                                                django_assert_num_queries):
    AccessoryFactory.create_batch(count, store=store)
    client.force_login(manager)

    with django_assert_num_queries(5):
        response = client.get("/contracts/catalogue/accessories/")

    assert len(response.context["rows"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_package_list_query_count_is_constant(client, manager, store, count,
                                              django_assert_num_queries):
    ValuePackageFactory.create_batch(count, store=store)
    client.force_login(manager)

    with django_assert_num_queries(5):
        response = client.get("/contracts/catalogue/packages/")

    assert len(response.context["rows"]) == count


def test_accessory_list_filters_by_text_and_state(client, manager, store):
    wanted = AccessoryFactory(store=store, code="CAM-1", name="行车记录仪")
    AccessoryFactory(store=store, code="CAM-2", name="行车记录仪 旧款", is_active=False)
    AccessoryFactory(store=store, code="MAT-1", name="脚垫")
    client.force_login(manager)

    response = client.get("/contracts/catalogue/accessories/", {"q": "cam", "state": "active"},
                          **HTMX)

    assert [row.url for row in response.context["rows"]] == [
        f"/contracts/catalogue/accessories/{wanted.pk}/"]
    assert response.text.lstrip().startswith('<div id="catalogue-rows">')


# --- Create and edit -----------------------------------------------------------------------
def test_manager_adds_an_accessory_to_their_store(client, manager, store):
    client.force_login(manager)

    response = client.post("/contracts/catalogue/accessories/new/",
                           {"code": "MAT-01", "name": "全包脚垫", "price": "880"})

    item = Accessory.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/contracts/catalogue/accessories/{item.pk}/"
    assert (item.store, item.price) == (store, Decimal("880.00"))


def test_admin_adds_a_package_to_the_chosen_store(client, make_user, other_store):
    client.force_login(make_user(Role.ADMIN))

    response = client.post("/contracts/catalogue/packages/new/", {
        "store": other_store.pk, "name": "洗车券", "kind": "wash", "price": "0"})

    item = ValuePackage.objects.get()
    assert response.status_code == 302
    assert item.store == other_store
    assert PriceChange.objects.get().item_kind == PriceKind.PACKAGE


def test_admin_must_choose_a_store(client, make_user):
    client.force_login(english(make_user(Role.ADMIN)))

    response = client.post("/contracts/catalogue/packages/new/",
                           {"name": "洗车券", "kind": "wash", "price": "0"})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["store"]
    assert ValuePackage.objects.count() == 0


def test_a_duplicate_code_is_a_field_error_with_the_input_kept(client, manager, store):
    AccessoryFactory(store=store, code="MAT-01")
    client.force_login(english(manager))

    response = client.post("/contracts/catalogue/accessories/new/",
                           {"code": "MAT-01", "name": "新脚垫", "price": "880"})

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "code": ["The store has an accessory with this code already."]}
    assert 'value="新脚垫"' in response.text
    assert Accessory.objects.count() == 1


def test_a_negative_price_is_a_field_error(client, manager):
    client.force_login(manager)

    response = client.post("/contracts/catalogue/accessories/new/",
                           {"code": "A", "name": "B", "price": "-1"})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["price"]


def test_manager_changes_a_price_and_sees_the_history(client, manager, store):
    item = AccessoryFactory(store=store, price=Decimal("800.00"))
    client.force_login(english(manager))

    saved = client.post(f"/contracts/catalogue/accessories/{item.pk}/", _post(item, price="880"))
    page = client.get(f"/contracts/catalogue/accessories/{item.pk}/")

    assert saved.status_code == 302
    assert [(c.old, c.new, c.changed_by) for c in page.context["history"]] == [
        (Decimal("800.00"), Decimal("880.00"), manager)]
    assert "Price history" in page.text and "¥880.00" in page.text


def test_a_stale_accessory_edit_is_409(client, manager, store, make_user):
    item = AccessoryFactory(store=store, price=Decimal("800.00"))
    stale = _post(item, price="900")
    accessory_update(actor=make_user(Role.MANAGER, username="mgr2"), accessory=item,
                     version=stale["version"], price=Decimal("850"))
    client.force_login(english(manager))

    response = client.post(f"/contracts/catalogue/accessories/{item.pk}/", stale)

    assert response.status_code == 409
    assert "Someone else changed" in response.context["form"].non_field_errors()[0]
    item.refresh_from_db()
    assert item.price == Decimal("850.00")


def test_manager_retires_a_package_and_brings_it_back(client, manager, store):
    item = ValuePackageFactory(store=store)
    client.force_login(manager)

    retired = client.post(f"/contracts/catalogue/packages/{item.pk}/on-sale/",
                          {"is_active": "0"})
    again = client.post(f"/contracts/catalogue/packages/{item.pk}/on-sale/", {"is_active": "0"})
    back = client.post(f"/contracts/catalogue/packages/{item.pk}/on-sale/", {"is_active": "1"})

    assert (retired.status_code, again.status_code, back.status_code) == (302, 409, 302)
    assert ValuePackage.objects.get(pk=item.pk).is_active is True


def test_package_edit_keeps_the_store(client, manager, store):
    item = ValuePackageFactory(store=store, price=Decimal("0"))
    version = catalogue_version(instance=ValuePackage.objects.get(pk=item.pk),
                                fields=PACKAGE_FIELDS)
    client.force_login(manager)

    response = client.post(f"/contracts/catalogue/packages/{item.pk}/", {
        "name": item.name, "kind": item.kind, "description": "两次免费保养",
        "price": "1200", "version": version})

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.store, item.description, item.price) == (store, "两次免费保养",
                                                          Decimal("1200.00"))
