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
}

PENDING = {  # child table -> the parent it reaches its store through
    "leads.LeadEvent": "leads.Lead",
    "leads.Touch": "leads.Lead",
    "leads.LostRequest": "leads.Lead",
    "leads.ConsentChange": "dealership.Customer",
    "showroom.Objection": "showroom.Visit",
    "contracts.QuoteVersion": "contracts.Quote",
    "contracts.ContractEvent": "contracts.Contract",
    "contracts.ContractDocument": "contracts.Contract",
    "aftersales.ComplaintEvent": "aftersales.Complaint",
    "aftersales.ComplaintBreach": "aftersales.Complaint",
    "aftersales.ServiceItem": "aftersales.ServiceRecord",
    "aftersales.SurveyAnswer": "aftersales.Survey",
    "reports.CommissionTier": "reports.CommissionScheme",
}

# (model, rule) -> why it stays. On Citus each becomes a small reference lookup table
# (token → store_id) written with the row, since the request carries no store.
ALLOWED = {
    ("leads.ApiKey", "unique prefix"): "an API request is resolved to its store by the key",
    ("leads.ApiKey", "unique key_hash"): "an API request is resolved to its store by the key",
    ("reports.KioskLink", "unique key"): "a wall screen's signed link names no store",
    ("aftersales.Survey", "unique token"): "a customer's survey link names no store",
}

# (model, rule) -> what it should be. Found by this test; the lead decides and migrates.
TO_FIX = {
    # Unique sets without store.
    ("dealership.StockVehicle", "unique vin"): "UniqueConstraint(store, vin)",
    ("leads.Task", "task_one_open_per_lead_kind"): "(store, lead, kind) WHERE open",
    ("leads.ConsultantRouting", "unique user"): "UniqueConstraint(store, user)",
    ("leads.OutboundMessage", "unique dedupe_key"): "UniqueConstraint(store, dedupe_key)",
    ("showroom.Invitation", "unique visit"): "UniqueConstraint(store, visit)",
    ("showroom.Invitation", "invitation_one_scheduled_per_lead"): "(store, lead) WHERE …",
    ("showroom.TestDrive", "test_drive_one_booking_per_vehicle_slot"):
        "(store, vehicle, slot_start) WHERE …",
    ("contracts.ApprovalRequest", "approval_one_pending_per_quote"): "(store, quote) WHERE …",
    ("contracts.Contract", "contract_one_live_per_quote"): "(store, quote) WHERE …",
    ("contracts.RefundObligation", "unique contract"): "UniqueConstraint(store, contract)",
    ("delivery.Allocation", "allocation_one_open_per_vehicle"): "(store, vehicle) WHERE open",
    ("delivery.Allocation", "allocation_one_open_per_contract"):
        "(store, contract) WHERE open",
    ("delivery.LoanApplication", "unique contract"): "UniqueConstraint(store, contract)",
    ("delivery.InsurancePolicy", "insurance_policy_number_unique"):
        "(store, insurer, policy_number)",
    ("delivery.Handover", "unique contract"): "UniqueConstraint(store, contract)",
    ("delivery.DeliveryReminder", "delivery_reminder_once_a_day"):
        "(store, contract, kind, day)",
    ("aftersales.CarePlan", "unique contract"): "UniqueConstraint(store, contract)",
    ("aftersales.CareStep", "care_step_once_per_plan"): "(store, plan, kind)",
    ("aftersales.CareTask", "unique survey"): "UniqueConstraint(store, survey)",
    ("aftersales.Complaint", "unique number"): "UniqueConstraint(store, number)",
    ("aftersales.Referral", "unique lead"): "UniqueConstraint(store, lead)",
    ("aftersales.LoyaltyAccount", "unique customer"): "UniqueConstraint(store, customer)",
    ("aftersales.PointsEntry", "points_entry_once_per_referral_kind"):
        "(store, referral, kind) WHERE …",
    ("aftersales.ServiceRecord", "unique appointment"): "UniqueConstraint(store, appointment)",
    ("aftersales.Survey", "unique service_record"): "UniqueConstraint(store, service_record)",
    ("aftersales.Survey", "survey_one_per_delivery"): "(store, contract) WHERE …",
    # Nullable store: rows of no store (group-wide actions, catalogue prices).
    ("dealership.AuditEntry", "store null"): "a store for every row, or a separate "
                                             "reference table for group-wide entries",
    ("dealership.PriceChange", "store null"): "a store for every row, or a reference "
                                              "table for catalogue (group) prices",
    # Indexes not led by store.
    ("dealership.AuditEntry", "audit_object_idx"): "(store, content_type, object_id, "
                                                   "-created_at)",
    ("dealership.AuditEntry", "db_index created_at"): "drop (audit_store_idx serves it)",
    ("dealership.PriceChange", "price_change_item_idx"):
        "(store, item_kind, item_id, -changed_at)",
    ("dealership.Customer", "db_index created_at"): "(store, created_at)",
    ("dealership.StockVehicle", "db_index status"): "drop (stock_store_status_idx)",
    ("leads.ImportBatch", "import_status_idx"): "(store, status, created_at)",
    ("leads.Lead", "lead_customer_idx"): "(store, customer, status)",
    ("leads.Lead", "lead_untouched_idx"): "(store, created_at) WHERE …",
    ("leads.Lead", "lead_overdue_pending_idx"): "(store, follow_up_due_at) WHERE …",
    ("leads.Notification", "notification_user_idx"): "(store, user, read_at, -created_at)",
    ("leads.Notification", "notification_user_new_idx"): "(store, user, -created_at)",
    ("leads.OutboundMessage", "outbox_status_idx"): "(store, status, created_at)",
    ("leads.OutboundMessage", "outbox_customer_idx"): "(store, customer, -created_at)",
    ("showroom.Visit", "visit_consultant_idx"): "(store, consultant, -arrived_at)",
    ("contracts.Quote", "quote_consultant_idx"): "(store, consultant, -updated_at)",
    ("contracts.Quote", "db_index status"): "drop (quote_store_status_idx)",
    ("contracts.ApprovalRequest", "db_index tier"): "drop (approval_inbox_idx)",
    ("contracts.Contract", "contract_consultant_idx"): "(store, consultant, -created_at)",
    ("contracts.Contract", "db_index status"): "drop (contract_store_status_idx)",
    ("contracts.Contract", "db_index signed_at"): "(store, signed_at)",
    ("delivery.LoanApplication", "db_index status"): "(store, status)",
    ("delivery.PdiCheck", "pdi_check_latest_idx"):
        "(store, contract, vehicle, item, -checked_at)",
    ("delivery.Handover", "db_index completed_at"): "(store, completed_at)",
    ("aftersales.CareStep", "care_step_assignee_idx"): "(store, assignee, status, due_on)",
    ("aftersales.Complaint", "complaint_customer_idx"): "(store, customer, -received_at)",
    ("aftersales.Complaint", "db_index received_at"): "drop (complaint_store_recent_idx)",
    ("aftersales.Referral", "referral_referrer_idx"): "(store, referrer, -created_at)",
    ("aftersales.PointsEntry", "points_entry_acct_idx"): "(store, account, -created_at)",
    ("aftersales.Appointment", "appointment_customer_idx"): "(store, customer, -day)",
    ("aftersales.ServiceRecord", "service_record_cust_idx"):
        "(store, customer, -serviced_on)",
    ("aftersales.Survey", "survey_staff_idx"): "(store, staff, -answered_at)",
    ("reports.DailyReport", "daily_report_pending_idx"): "(store, created_at) WHERE pending",
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


def test_reference_tables_carry_no_store_except_the_user_table():
    with_store = {label for label in REFERENCE
                  if _store_field(_project_models()[label]) is not None}

    assert with_store == {"dealership.User"}


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
