"""The pre-delivery inspection: the store's list (copied once, edited by the manager,
audited), checks on the allocated car (a failed item needs a note and blocks until a later
pass), the PDI_PASSED notification, and the bulk reader order progress uses."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from dealership.models import AuditEntry
from delivery.enums import DEFAULT_PDI_ITEMS, LeadEventKind
from delivery.models import PdiCheck, PdiItem
from delivery.selectors.pdi import pdi_state, pdi_states
from delivery.services.pdi import (
    pdi_item_add,
    pdi_item_update,
    pdi_items_ensure,
    pdi_record,
)
from leads.models import Notification
from tests.delivery.test_handover_support import allocate, items_of, pass_pdi, signed
from tests.factories import UserFactory
from tests.helpers import english

pytestmark = pytest.mark.usefixtures("in_english")

ITEMS = reverse("delivery:pdi_items")


def pdi_url(contract) -> str:
    return reverse("delivery:pdi", args=[contract.pk])


@pytest.fixture
def contract(consultant, manager):
    return signed(consultant, manager)


@pytest.fixture
def vehicle(contract, manager):
    return allocate(contract, manager)


# --- The store's list ----------------------------------------------------------------------
def test_first_use_copies_the_defaults_once(store):
    first = pdi_items_ensure(store=store)
    again = pdi_items_ensure(store=store)

    assert [item.label for item in first] == [str(label) for label in DEFAULT_PDI_ITEMS]
    assert [item.pk for item in again] == [item.pk for item in first]
    assert PdiItem.objects.filter(store=store).count() == len(DEFAULT_PDI_ITEMS)


def test_manager_adds_renames_and_retires_items_audited(client, store, manager):
    client.force_login(manager)

    added = client.post(ITEMS, {"label": "  轮胎气压  "})
    item = PdiItem.objects.get(store=store, label="轮胎气压")
    edited = client.post(reverse("delivery:pdi_item_edit", args=[item.pk]),
                         {f"item-{item.pk}-label": "轮胎气压与花纹",
                          f"item-{item.pk}-order": "5"})   # "active" unticked: retired

    assert (added.status_code, edited.status_code) == (302, 302)
    item.refresh_from_db()
    assert (item.label, item.order, item.active) == ("轮胎气压与花纹", 5, False)
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(PdiItem), object_id=str(item.pk)
    ).order_by("id")
    assert [entry.changes for entry in entries] == [
        {"label": [None, "轮胎气压"], "order": [None, 80]},
        {"label": ["轮胎气压", "轮胎气压与花纹"], "order": [80, 5], "active": [True, False]},
    ]


def test_an_empty_label_is_a_field_error(client, manager):
    client.force_login(manager)

    response = client.post(ITEMS, {"label": "   "})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["label"]


def test_only_the_manager_edits_the_list(client, store, consultant, supervisor):
    item = items_of(store)[0]
    responses = []
    for user in (consultant, supervisor):
        client.force_login(user)
        responses += [client.get(ITEMS).status_code,
                      client.post(reverse("delivery:pdi_item_edit", args=[item.pk]),
                                  {f"item-{item.pk}-label": "x",
                                   f"item-{item.pk}-order": "1"}).status_code]

    assert responses == [403, 403, 403, 403]
    with pytest.raises(PermissionDenied):
        pdi_item_add(actor=consultant, store=store, label="x")


def test_another_stores_items_are_invisible(client, store, other_store, manager):
    theirs = items_of(other_store)[0]
    items_of(store)
    client.force_login(english(manager))

    page = client.get(ITEMS)
    edit = client.post(reverse("delivery:pdi_item_edit", args=[theirs.pk]),
                       {f"item-{theirs.pk}-label": "改名", f"item-{theirs.pk}-order": "1",
                        f"item-{theirs.pk}-active": "on"})

    assert {item.store_id for item in page.context["items"]} == {store.pk}
    assert edit.status_code == 404
    theirs.refresh_from_db()
    assert theirs.label == str(DEFAULT_PDI_ITEMS[0])
    with pytest.raises(PermissionDenied):
        pdi_item_update(actor=manager, item=theirs, label="改名")


# --- Checks on the car ---------------------------------------------------------------------------
def test_a_failed_item_needs_a_note(contract, vehicle, consultant):
    item = items_of(contract.store)[0]

    with pytest.raises(ValidationError) as error:
        pdi_record(actor=consultant, contract=contract, results=[(item, False, " ")])

    assert list(error.value.message_dict) == [f"note_{item.pk}"]
    assert not PdiCheck.objects.exists()


def test_a_failed_item_without_note_is_a_field_error_on_the_page(client, contract, vehicle,
                                                                 consultant):
    first, second = items_of(contract.store)[:2]
    client.force_login(consultant)

    response = client.post(pdi_url(contract), {f"result_{first.pk}": "fail",
                                               f"note_{first.pk}": "",
                                               f"result_{second.pk}": "pass"})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == [f"note_{first.pk}"]
    assert not PdiCheck.objects.exists()


def test_a_failed_item_blocks_and_a_later_pass_unblocks(contract, vehicle, consultant):
    items = items_of(contract.store)
    pdi_record(actor=consultant, contract=contract,
               results=[(item, item != items[2], "" if item != items[2] else "左前门漆面划痕")
                        for item in items])

    blocked = pdi_state(contract, vehicle)
    assert (blocked.started, blocked.passed, blocked.failed) == (True, False, [items[2]])
    assert not Notification.objects.filter(kind=LeadEventKind.PDI_PASSED).exists()

    pdi_record(actor=consultant, contract=contract, results=[(items[2], True, "已补漆")])

    passed = pdi_state(contract, vehicle)
    assert (passed.passed, passed.failed) == (True, [])
    assert passed.items[2].check.note == "已补漆"
    assert list(Notification.objects.filter(kind=LeadEventKind.PDI_PASSED)
                .values_list("user", flat=True)) == [contract.consultant_id]


def test_passed_is_notified_once(contract, vehicle, consultant, supervisor):
    pass_pdi(contract, consultant)
    pass_pdi(contract, supervisor)      # checked again: still passed, nothing new to say

    assert Notification.objects.filter(kind=LeadEventKind.PDI_PASSED).count() == 1


def test_retired_items_are_not_asked(client, contract, vehicle, consultant):
    items = items_of(contract.store)
    items[0].active = False
    items[0].save(update_fields=["active"])
    pdi_record(actor=consultant, contract=contract,
               results=[(item, True, "") for item in items[1:]])
    client.force_login(consultant)

    page = client.get(pdi_url(contract))

    assert pdi_state(contract, vehicle).passed is True
    assert [line.item for line in page.context["state"].items] == items[1:]
    assert f"result_{items[0].pk}" not in page.context["form"].fields


def test_a_check_on_a_retired_item_is_refused(contract, vehicle, consultant):
    item = items_of(contract.store)[0]
    item.active = False
    item.save(update_fields=["active"])

    with pytest.raises(ValidationError) as error:
        pdi_record(actor=consultant, contract=contract, results=[(item, True, "")])

    assert not hasattr(error.value, "error_dict")
    assert not PdiCheck.objects.exists()


def test_another_stores_item_is_not_a_field_of_the_page(client, contract, vehicle,
                                                        consultant, other_store):
    theirs = items_of(other_store)[0]
    mine = items_of(contract.store)[0]
    client.force_login(consultant)

    response = client.post(pdi_url(contract), {f"result_{theirs.pk}": "pass",
                                               f"result_{mine.pk}": "pass"})

    assert response.status_code == 302
    assert list(PdiCheck.objects.values_list("item", flat=True)) == [mine.pk]


def test_no_car_allocated_is_refused_409(client, contract, consultant):
    item = items_of(contract.store)[0]
    client.force_login(english(consultant))

    response = client.post(pdi_url(contract), {f"result_{item.pk}": "pass"})

    assert response.status_code == 409
    assert "No car is allocated" in " ".join(response.context["form"].non_field_errors())
    assert not PdiCheck.objects.exists()


def test_the_checks_are_of_the_allocated_car(client, contract, vehicle, consultant):
    item = items_of(contract.store)[0]
    client.force_login(consultant)

    client.post(pdi_url(contract), {f"result_{item.pk}": "fail", f"note_{item.pk}": "缺脚垫"})

    check = PdiCheck.objects.get()
    assert (check.vehicle, check.contract, check.checked_by, check.passed, check.note) == (
        vehicle, contract, consultant, False, "缺脚垫")


@pytest.mark.parametrize("who", ["teammate", "outsider", "finance"])
def test_pdi_closed_to_others(client, contract, store, teammate, outsider, who):
    user = {"teammate": teammate, "outsider": outsider,
            "finance": UserFactory(role="finance", store=store)}[who]
    client.force_login(user)

    status = client.get(pdi_url(contract)).status_code

    assert status == {"teammate": 404, "outsider": 404, "finance": 403}[who]


def test_supervisor_and_manager_may_inspect(contract, vehicle, supervisor, manager):
    items = items_of(contract.store)
    pdi_record(actor=supervisor, contract=contract, results=[(items[0], True, "")])
    pdi_record(actor=manager, contract=contract, results=[(items[1], True, "")])

    assert list(PdiCheck.objects.order_by("id").values_list("checked_by", flat=True)) == [
        supervisor.pk, manager.pk]


# --- Reading many at once ------------------------------------------------------------------
def test_pdi_states_bulk_in_two_queries(consultant, manager, django_assert_num_queries):
    done, started, untouched = (signed(consultant, manager) for _n in range(3))
    cars = {c.pk: allocate(c, manager) for c in (done, started, untouched)}
    pass_pdi(done, consultant)
    item = items_of(started.store)[0]
    pdi_record(actor=consultant, contract=started, results=[(item, False, "电瓶亏电")])
    pairs = [(c.pk, cars[c.pk].pk) for c in (done, started, untouched)]

    with django_assert_num_queries(2):
        states = pdi_states(pairs=pairs, store_id=done.store_id)

    assert [(states[p].started, states[p].passed, len(states[p].failed)) for p in pairs] == [
        (True, True, 0), (True, False, 1), (False, False, 0)]


def test_a_store_without_a_list_has_not_passed(contract, vehicle):
    assert (pdi_state(contract, vehicle).passed, pdi_state(contract, None).passed) == (
        False, False)


@pytest.mark.parametrize("count", [1, 3])
def test_pdi_page_query_count_is_constant(client, contract, vehicle, consultant, count,
                                          django_assert_num_queries):
    items = items_of(contract.store)
    for item in items[count:]:
        item.active = False
        item.save(update_fields=["active"])
    pdi_record(actor=consultant, contract=contract,
               results=[(item, True, "") for item in items[:count]])
    client.force_login(consultant)

    # session, user, store (time zone), contract, list exists?, allocation, items, checks
    with django_assert_num_queries(8):
        response = client.get(pdi_url(contract))

    assert len(response.context["state"].items) == count


def test_pdi_page_without_a_car_says_what_to_do(client, contract, consultant):
    client.force_login(english(consultant))

    response = client.get(pdi_url(contract))

    assert response.status_code == 200
    assert "No car is allocated to this contract yet." in response.content.decode()
