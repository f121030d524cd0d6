"""Every store-owned table carries `store_id`, in its unique constraints and leading its
indexes, so the schema can be distributed by store (Citus, distribution column
`store_id`) without changes (issue 15 §6, docs/scaling.md).

Every model of the project's apps is classified, and the lists are exact: a new model
must be put in one of them.
- store-owned: it has a `store` foreign key. Every unique set (a unique field, a
  `UniqueConstraint`) other than the primary key names `store` (on Citus a unique index
  must contain the distribution column), every declared index (`Meta.indexes`, a field's
  `db_index`) starts with `store`, and `store` is not nullable (a row without a store has
  no shard). Django's implicit index on each foreign key is not checked: it serves joins
  and cascades by that key, and stays correct shard by shard.
- reference: the group-wide catalogue, copied to every node on Citus.
- pending: child tables that reach their store through a parent and do not carry
  `store_id` yet; each needs the column (backfilled from the parent) before distribution.

A rule broken on purpose is in ALLOWED, with its reason. What the test found on the
schema of issue 15 and was left for a migration is in TO_FIX, with what it should become;
fixing one makes the test fail until its line is removed, so the list only shrinks.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models
from django.db.models.expressions import F, OrderBy

PROJECT_APPS = ("dealership", "leads", "showroom", "contracts", "delivery", "aftersales",
                "reports")

REFERENCE = {
    "dealership.DealerGroup": "the group itself",
    "dealership.Store": "the distribution key's own table",
    "dealership.Brand": "the group's catalogue",
    "dealership.Series": "the group's catalogue",
    "dealership.Trim": "the group's catalogue",
    "dealership.Colour": "the group's catalogue",
    "dealership.User": "sign-in is group-wide (unique usernames) and group staff have no "
                       "store; a few thousand rows at most",
    "dealership.PriceChange": "the price history of the group's catalogue (no store) and of "
                              "a store's own prices: a row per price edited, a few thousand "
                              "in a year, read with the catalogue",
}
# Reference tables that still name a store on some rows (read with the store's catalogue).
REFERENCE_WITH_STORE = {"dealership.User", "dealership.PriceChange"}

PENDING = {  # child table -> the parent it reaches its store through
}

# (model, rule) -> why it stays. On Citus each becomes a small reference lookup table
# (token → store_id) written with the row, since the request carries no store.
ALLOWED = {
    ("leads.ApiKey", "unique prefix"): "an API request is resolved to its store by the key",
    ("leads.ApiKey", "unique key_hash"): "an API request is resolved to its store by the key",
    ("reports.KioskLink", "unique key"): "a wall screen's signed link names no store",
    ("aftersales.Survey", "unique token"): "a customer's survey link names no store",
    ("dealership.StockVehicle", "stock_vin_idx"): "receiving a car refuses a VIN another "
                                                   "store still holds: the one lookup across "
                                                   "stores, a fan-out on Citus (a car received)",
}

# (model, rule) -> what it should be. Found by this test; the lead decides and migrates.
TO_FIX = {
    # Unique sets without store: one-to-one links whose reverse accessor (one object,
    # followed backwards by select_related) Django grants only to a field unique by itself.
    ("leads.ConsultantRouting", "unique user"): "UniqueConstraint(store, user)",
    ("showroom.Invitation", "unique visit"): "UniqueConstraint(store, visit)",
    ("contracts.RefundObligation", "unique contract"): "UniqueConstraint(store, contract)",
    ("contracts.ContractDocument", "unique contract"): "UniqueConstraint(store, contract)",
    ("delivery.Handover", "unique contract"): "UniqueConstraint(store, contract)",
    ("aftersales.CareTask", "unique survey"): "UniqueConstraint(store, survey)",
    ("aftersales.Referral", "unique lead"): "UniqueConstraint(store, lead)",
    ("aftersales.ServiceRecord", "unique appointment"): "UniqueConstraint(store, appointment)",
    ("aftersales.Survey", "unique service_record"): "UniqueConstraint(store, service_record)",
    # Nullable store: rows of no store (group-wide actions).
    ("dealership.AuditEntry", "store null"): "a store for every row, or a separate "
                                             "reference table for group-wide entries",
}


def _project_models() -> dict[str, type[models.Model]]:
    return {model._meta.label: model for label in PROJECT_APPS
            for model in apps.get_app_config(label).get_models()}


def _store_field(model) -> models.Field | None:
    for field in model._meta.concrete_fields:
        if field.is_relation and field.related_model is apps.get_model("dealership.Store") \
                and field.name == "store":
            return field
    return None


def _store_owned() -> dict[str, type[models.Model]]:
    return {label: model for label, model in _project_models().items()
            if label not in REFERENCE and _store_field(model) is not None}


def _first_column(index: models.Index) -> str:
    if index.fields:
        return index.fields[0].lstrip("-")
    expression = index.expressions[0]
    if isinstance(expression, OrderBy):
        expression = expression.expression
    return expression.name if isinstance(expression, F) else str(expression)


def _unique_sets(model) -> dict[str, set[str]]:
    """Each unique rule but the primary key, by name, with the fields it covers."""
    meta = model._meta
    sets = {f"unique {field.name}": {field.name} for field in meta.concrete_fields
            if field.unique and not field.primary_key}
    for together in meta.unique_together:
        sets[f"unique_together {','.join(together)}"] = set(together)
    for constraint in meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            covered = set(constraint.fields) | {
                name for expression in constraint.expressions
                for name in [getattr(expression, "name", str(expression))]}
            sets[constraint.name] = covered
    return sets


def _violations(model) -> list[str]:
    meta = model._meta
    found = [name for name, fields in _unique_sets(model).items() if "store" not in fields]
    if _store_field(model).null:
        found.append("store null")
    found += [index.name for index in meta.indexes if _first_column(index) != "store"]
    found += [f"db_index {field.name}" for field in meta.concrete_fields
              if field.db_index and not field.is_relation and not field.unique
              and not field.primary_key]
    return found


def test_every_model_of_the_project_is_classified_exactly():
    labels = set(_project_models())
    owned = set(_store_owned())

    assert set(REFERENCE) <= labels
    assert set(PENDING) <= labels
    assert owned.isdisjoint(PENDING)
    assert labels - owned - set(REFERENCE) == set(PENDING)


def test_pending_child_tables_carry_no_store_yet_and_name_their_parent():
    """Once one gets its `store_id`, it moves to the store-owned tables (this test fails)."""
    models_by_label = _project_models()
    for label, parent in PENDING.items():
        model = models_by_label[label]
        assert _store_field(model) is None, label
        parents = {field.related_model._meta.label for field in model._meta.concrete_fields
                   if field.is_relation}
        assert parent in parents, label


def test_reference_tables_carry_no_store_except_the_named_ones():
    with_store = {label for label in REFERENCE
                  if _store_field(_project_models()[label]) is not None}

    assert with_store == REFERENCE_WITH_STORE


@pytest.mark.parametrize("label", sorted(_store_owned()))
def test_store_owned_table_carries_store_in_unique_sets_and_leading_indexes(label):
    found = set(_violations(_store_owned()[label]))
    known = {rule for model, rule in {**ALLOWED, **TO_FIX} if model == label}

    assert found - known == set(), f"{label}: new rules without store (see module doc)"
    assert known - found == set(), f"{label}: fixed or gone, remove from TO_FIX/ALLOWED"


def test_the_exception_lists_name_store_owned_tables_only():
    owned = set(_store_owned())

    assert {model for model, _rule in ALLOWED} <= owned
    assert {model for model, _rule in TO_FIX} <= owned
    assert set(ALLOWED).isdisjoint(TO_FIX)

