"""Data-subject requests (PIPL Art. 44–47): a copy of everything held about a customer,
erasure by anonymisation, and the retention job. The stages' rows are reached through the
personal-data registry (`dealership.privacy`); correction is the customer form's
(`customer_update`, audited like every change).

Erasure keeps rows and replaces what identifies the person: the contracts, payments and
refunds stay with their numbers and amounts (the Accounting Law keeps accounting vouchers
for 30 years), only the buyer's name, phone, ID number and address on them are replaced.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import CharField, QuerySet, Value
from django.db.models.functions import Cast, Concat, LPad
from django.utils import timezone
from django.utils.translation import gettext as _

from dealership.enums import AuditAction
from dealership.models import AuditEntry, Customer, Store, User
from dealership.permissions import can_erase_customer, can_export_customer_data
from dealership.privacy import ANONYMISED_NAME, personal_data_handlers
from dealership.services.audit import audit_log
from dealership.text import spreadsheet_cell

EXPORT_FORMATS = ("json", "csv")
# Customers anonymised per transaction by the retention job: short locks, bounded memory.
RETENTION_BATCH = 500

_CUSTOMER_FIELDS = ("id", "name", "phone", "gender", "city", "address", "id_number",
                    "wechat_id", "marketing_consent", "consent_at", "consent_source", "note",
                    "owner_id", "created_at", "updated_at", "anonymised_at")


# --- Export (Art. 45) -----------------------------------------------------------------------
def customer_export_data(*, customer: Customer) -> dict[str, list[dict[str, Any]]]:
    """Every row held about the customer, per section: the core's own (the customer and the
    history of their record) and each stage's. A fixed number of queries: one per section,
    whatever the number of rows."""
    history = (AuditEntry.objects.of(customer)
               .order_by("created_at", "pk")
               .values("created_at", "action", "changes", "reason"))
    data: dict[str, list[dict[str, Any]]] = {
        "customer": [{name: getattr(customer, name) for name in _CUSTOMER_FIELDS}],
        "customer_history": list(history),
    }
    for handler in personal_data_handlers():
        if handler.export is None:
            continue
        part = handler.export(customer)
        if clash := data.keys() & part.keys():
            raise ImproperlyConfigured(f"The export of {handler.app!r} offers {sorted(clash)}, "
                                       "which another app's export offers too.")
        data |= part
    return data


def _csv_cell(value: Any) -> str:
    """A value as text a spreadsheet shows as it is: never read as a formula."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        text = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    elif isinstance(value, dt.datetime | dt.date):
        text = value.isoformat()
    else:
        return spreadsheet_cell(value)
    return spreadsheet_cell(text)


def export_render(data: dict[str, list[dict[str, Any]]], *, fmt: str) -> bytes:
    """JSON: {"section": [rows]}. CSV: one line per value (section, row, field, value), so
    every section fits one file whatever its columns."""
    if fmt == "json":
        return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False,
                          indent=2).encode()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["section", "row", "field", "value"])
    for section, rows in data.items():
        for number, row in enumerate(rows, start=1):
            for field, value in row.items():
                writer.writerow([section, number, field, _csv_cell(value)])
    # A BOM, so a spreadsheet opens the UTF-8 Chinese text correctly.
    return ("\ufeff" + buffer.getvalue()).encode()


def customer_export(*, actor: User, customer: Customer, fmt: str) -> bytes:
    """A copy of everything held about the customer, as JSON or CSV.

    Side effects: one audit row (action "export") naming the format."""
    if not can_export_customer_data(actor, customer):
        raise PermissionDenied
    if fmt not in EXPORT_FORMATS:
        raise ValidationError(_("Choose JSON or CSV."))
    content = export_render(customer_export_data(customer=customer), fmt=fmt)
    audit_log(actor=actor, instance=customer, action=AuditAction.EXPORT,
              changes={"format": fmt})
    return content


# --- Erasure (Art. 47) ----------------------------------------------------------------------
def customer_erase_blockers(*, customer: Customer) -> list[str]:
    """Why the customer may not be anonymised now (an open contract, money owed), as the
    stages say; empty when nothing stands in the way."""
    one = Customer.objects.filter(pk=customer.pk)
    return [str(handler.blocked_reason) for handler in personal_data_handlers()
            if handler.blocker is not None and handler.blocker(one).exists()]


def _phone_placeholder():
    # Unique per customer (the store's phone constraint) and never a real number: no
    # country code starts with 0, so no lookup of a customer's phone can find it.
    return Concat(Value("+0"), LPad(Cast("pk", CharField()), 12, Value("0")))


def customers_anonymise(*, customer_ids: Sequence[int], actor: User | None, reason: str,
                        now: dt.datetime) -> int:
    """Replace the personal data of these customers and of every stage's rows about them,
    set-based. Customers already anonymised are skipped, so a second run changes nothing.
    Returns how many were anonymised.

    Side effects: each stage's anonymiser; the customers' fields replaced and
    `anonymised_at` set (so no message is ever queued or sent to them); the old values in
    the customers' audit rows removed; one tombstone audit row (action "erase") each,
    holding no personal data.
    """
    with transaction.atomic():
        rows = list(Customer.objects.select_for_update()
                    .filter(pk__in=list(customer_ids), anonymised_at__isnull=True)
                    .order_by("pk").values_list("pk", "store_id"))
        if not rows:
            return 0
        ids = [pk for pk, _store in rows]
        for handler in personal_data_handlers():
            if handler.anonymise is not None:
                handler.anonymise(ids)
        Customer.objects.filter(pk__in=ids).update(
            name=ANONYMISED_NAME, phone=_phone_placeholder(), gender="", city="", address="",
            id_number="", wechat_id="", note="", marketing_consent=False, consent_at=None,
            consent_source="", anonymised_at=now, updated_at=now)
        content_type = ContentType.objects.get_for_model(Customer)
        object_ids = [str(pk) for pk in ids]
        # What happened, when and by whom stays; the old names and numbers go.
        AuditEntry.objects.filter(store_id__in={store_id for _pk, store_id in rows},
                                  content_type=content_type, object_id__in=object_ids).update(
            object_repr=ANONYMISED_NAME, changes={})
        acting = actor if (actor is not None and actor.is_authenticated) else None
        AuditEntry.objects.bulk_create([
            AuditEntry(store_id=store_id, actor=acting, action=AuditAction.ERASE,
                       content_type=content_type, object_id=str(pk),
                       object_repr=ANONYMISED_NAME, changes={}, reason=reason[:255],
                       created_at=now)
            for pk, store_id in rows
        ])
    return len(rows)


def customer_erase(*, actor: User, customer: Customer, confirmation: str,
                   now: dt.datetime | None = None) -> Customer:
    """Erase a customer at their request, by anonymisation (see customers_anonymise).

    The person erasing types the customer's name to confirm. Refused (ValidationError)
    while a stage blocks it: an open contract, money owed either way."""
    if not can_erase_customer(actor, customer):
        raise PermissionDenied
    if confirmation.strip() != customer.name.strip():
        raise ValidationError({"confirmation": [
            _("Type the customer's name exactly as shown to confirm.")]})
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        if locked.anonymised_at is not None:
            raise ValidationError(_("This customer has already been anonymised."))
        if reasons := customer_erase_blockers(customer=locked):
            raise ValidationError([_("The customer cannot be erased yet: %(reason)s.")
                                   % {"reason": reason} for reason in reasons])
        customers_anonymise(customer_ids=[locked.pk], actor=actor,
                            reason=_("Erased at the customer's request"),
                            now=now or timezone.now())
    return Customer.objects.get(pk=customer.pk)


# --- Consent (Art. 15) ------------------------------------------------------------------------
def consent_withdrawn(*, customer_ids: Sequence[int]) -> None:
    """Tell every stage that these customers said no to marketing, in the caller's
    transaction: what they had queued for them is stopped with the consent."""
    for handler in personal_data_handlers():
        if handler.consent_withdrawn is not None:
            handler.consent_withdrawn(customer_ids)


# --- Retention (Art. 19, 47) ------------------------------------------------------------------
def years_before(moment: dt.datetime, years: int) -> dt.datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


def retention_candidates(*, store: Store, now: dt.datetime) -> QuerySet[Customer]:
    """The store's customers whose retention period is over: no change to their record,
    and no activity any stage knows of, for the store's `retention_years`; never bought
    (the stages' holds) and nothing open or owed (their blockers)."""
    cutoff = years_before(now, store.retention_years)
    customers = Customer.objects.filter(store=store)
    candidates = customers.filter(anonymised_at__isnull=True, created_at__lt=cutoff,
                                  updated_at__lt=cutoff)
    for handler in personal_data_handlers():
        if handler.retention_hold is not None:
            candidates = candidates.exclude(
                pk__in=handler.retention_hold(customers, cutoff).values("pk"))
        if handler.blocker is not None:
            candidates = candidates.exclude(pk__in=handler.blocker(customers).values("pk"))
    return candidates


def customers_anonymise_expired(*, now: dt.datetime) -> int:
    """The retention job: anonymise every store's customers past their retention period,
    exactly as an erasure does, in batches. Idempotent: anonymised customers are no
    candidates, so a second run finds nothing. Returns how many were anonymised."""
    total = 0
    for store in Store.objects.order_by("pk").only("pk", "retention_years"):
        while True:
            ids = list(retention_candidates(store=store, now=now)
                       .order_by("pk").values_list("pk", flat=True)[:RETENTION_BATCH])
            if not ids:
                break
            total += customers_anonymise(customer_ids=ids, actor=None,
                                         reason=_("Retention period over"), now=now)
    return total
