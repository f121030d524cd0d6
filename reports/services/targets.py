"""What the manager sets for the month: targets per consultant and for the store, and the
store's working calendar (working weekdays, closed days, the daily report's time).

Every write locks the store's row first, so two managers saving the same grid at once
are applied one after the other (the second sees the first's rows and upserts over them)
instead of colliding on the unique constraint.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealership.enums import AuditAction, Role
from dealership.models import Store, User
from dealership.services.audit import audit_log
from dealership.validators import ensure_within
from reports.enums import TargetMetric
from reports.models import ClosedDay, ReportSettings, Target
from reports.models.targets import WEEKDAYS_VALIDATOR
from reports.selectors.targets import month_start

MONTHS_BACK = 24
MONTHS_AHEAD = 12
STORE_KEY = "store"
CENT = Decimal("0.01")
MAX_TARGET = Decimal("9999999999.99")

# A cell of the grid: (consultant id, or None for the store, metric) → value or None.
Cells = Mapping[tuple[int | None, str], Decimal | None]


def cell_name(consultant_id: int | None, metric: str) -> str:
    """The form field (and ValidationError key) of one cell of the grid."""
    return f"t_{consultant_id or STORE_KEY}_{metric}"


def add_months(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def target_month_range(store: Store) -> tuple[dt.date, dt.date]:
    """The months targets may be set for: 24 months back to 12 ahead of the store's month."""
    this_month = month_start(store.today())
    return add_months(this_month, -MONTHS_BACK), add_months(this_month, MONTHS_AHEAD)


def closed_day_range(store: Store) -> tuple[dt.date, dt.date]:
    """Closed days may be set from 1 January last year to 31 December next year."""
    year = store.today().year
    return dt.date(year - 1, 1, 1), dt.date(year + 1, 12, 31)


def _lock_store(store: Store) -> None:
    Store.objects.select_for_update().filter(pk=store.pk).values_list("pk", flat=True).first()


def _check_month(store: Store, month: dt.date) -> None:
    if month.day != 1:
        raise ValidationError({"month": [_("A target month starts on its first day.")]})
    earliest, latest = target_month_range(store)
    ensure_within(month, earliest=earliest, latest=latest, field="month")


def target_value_error(metric: str, value: Decimal) -> str | None:
    """The reason a typed target is refused, or None."""
    if value < 0:
        return _("A target cannot be negative.")
    if value > MAX_TARGET:
        return _("This target is too large.")
    if metric == TargetMetric.VALUE_ADDED:
        if value != value.quantize(CENT):
            return _("Enter an amount in yuan with at most two decimal places.")
    elif value != value.to_integral_value():
        return _("Enter a whole number.")
    return None


def _validated(*, store: Store, month: dt.date, values: Cells) -> dict[tuple[int | None, str],
                                                                      Decimal | None]:
    _check_month(store, month)
    consultant_ids = set(User.objects.filter(store=store, role=Role.CONSULTANT, is_active=True)
                         .values_list("pk", flat=True))
    errors: dict[str, list] = {}
    cells = {}
    for (consultant_id, metric), value in values.items():
        name = cell_name(consultant_id, metric)
        if metric not in TargetMetric.values:
            errors[name] = [_("Unknown metric.")]
            continue
        if consultant_id is not None and consultant_id not in consultant_ids:
            errors[name] = [_("Targets are set for the store's active consultants only.")]
            continue
        if value is not None:
            reason = target_value_error(metric, Decimal(value))
            if reason:
                errors[name] = [reason]
                continue
            value = Decimal(value).quantize(CENT)
        cells[(consultant_id, metric)] = value
    if errors:
        raise ValidationError(errors)
    return cells


def _apply(*, store: Store, month: dt.date, cells: Mapping, actor: User,
           only_empty: bool = False) -> int:
    """Upsert the cells (None removes the target); audit each change. Returns how many
    targets were created, changed or removed. The store's row must be locked."""
    existing = {(t.consultant_id, t.metric): t
                for t in Target.objects.filter(store=store, month=month)}
    now = timezone.now()
    changed = 0
    for (consultant_id, metric), value in cells.items():
        target = existing.get((consultant_id, metric))
        if target is not None and only_empty:
            continue
        if target is None and value is None:
            continue
        if target is None:
            target = Target.objects.create(store=store, month=month, consultant_id=consultant_id,
                                           metric=metric, value=value, updated_at=now,
                                           updated_by=actor)
            audit_log(actor=actor, instance=target, action=AuditAction.CREATE,
                      changes={"value": [None, str(value)]})
        elif value is None:
            audit_log(actor=actor, instance=target, action=AuditAction.DELETE,
                      changes={"value": [str(target.value), None]})
            target.delete()
        elif target.value != value:
            old = target.value
            target.value, target.updated_at, target.updated_by = value, now, actor
            target.save(update_fields=["value", "updated_at", "updated_by"])
            audit_log(actor=actor, instance=target, action=AuditAction.UPDATE,
                      changes={"value": [str(old), str(value)]})
        else:
            continue
        changed += 1
    return changed


def targets_set(*, store: Store, month: dt.date, values: Cells, actor: User) -> int:
    """Save the month's grid: each cell (consultant id or None for the store, metric) is
    created, changed, or removed when empty (None). Cells not named are left alone.
    Refused whole (nothing written) when any cell is wrong: the ValidationError names each
    cell's field (`cell_name`), or "month". Side effects: one audit row per changed target.
    Returns how many targets changed."""
    cells = _validated(store=store, month=month, values=values)
    with transaction.atomic():
        _lock_store(store)
        return _apply(store=store, month=month, cells=cells, actor=actor)


def targets_copy_previous_month(*, store: Store, month: dt.date, actor: User) -> int:
    """Copy last month's targets of the store and of its active consultants into `month`,
    only where `month` has no target yet (nothing typed is overwritten). Audited per
    target. Returns how many were copied."""
    _check_month(store, month)
    with transaction.atomic():
        _lock_store(store)
        active = set(User.objects.filter(store=store, role=Role.CONSULTANT, is_active=True)
                     .values_list("pk", flat=True))
        cells = {(t.consultant_id, t.metric): t.value
                 for t in Target.objects.filter(store=store, month=add_months(month, -1))
                 if t.consultant_id is None or t.consultant_id in active}
        return _apply(store=store, month=month, cells=cells, actor=actor, only_empty=True)


# --- The working calendar ---------------------------------------------------------------
def report_settings_update(*, store: Store, working_weekdays: str, daily_report_at: dt.time,
                           actor: User) -> ReportSettings:
    """Set the store's working weekdays ("12345" = Monday to Friday) and the time its daily
    report is made. Audited (what changed)."""
    weekdays = "".join(sorted(set(working_weekdays)))
    try:
        WEEKDAYS_VALIDATOR(weekdays)
    except ValidationError as error:
        raise ValidationError({"working_weekdays": error.messages}) from None
    if not weekdays:
        raise ValidationError({"working_weekdays": [_("Choose at least one working day.")]})
    with transaction.atomic():
        _lock_store(store)
        settings, created = ReportSettings.objects.get_or_create(store=store)
        changes = {}
        if settings.working_weekdays != weekdays:
            changes["working_weekdays"] = [settings.working_weekdays, weekdays]
        if settings.daily_report_at != daily_report_at:
            changes["daily_report_at"] = [settings.daily_report_at.isoformat(),
                                          daily_report_at.isoformat()]
        if not changes and not created:
            return settings
        settings.working_weekdays, settings.daily_report_at = weekdays, daily_report_at
        settings.updated_at, settings.updated_by = timezone.now(), actor
        settings.save()
        audit_log(actor=actor, instance=settings,
                  action=AuditAction.CREATE if created else AuditAction.UPDATE, changes=changes)
        return settings


def closed_day_add(*, store: Store, day: dt.date, note: str, actor: User) -> ClosedDay:
    """Mark `day` closed (not a working day for the targets' pace). Refused when already
    closed or outside this year ± 1. Audited."""
    earliest, latest = closed_day_range(store)
    ensure_within(day, earliest=earliest, latest=latest, field="day")
    with transaction.atomic():
        _lock_store(store)
        if ClosedDay.objects.filter(store=store, day=day).exists():
            raise ValidationError({"day": [_("This day is already marked closed.")]})
        closed = ClosedDay.objects.create(store=store, day=day, note=note.strip()[:100])
        audit_log(actor=actor, instance=closed, action=AuditAction.CREATE,
                  changes={"day": [None, day.isoformat()], "note": [None, closed.note]})
        return closed


def closed_day_remove(*, store: Store, pk: int, actor: User) -> None:
    """Open a closed day again. Refused (naming no field: 409) when it is gone already,
    e.g. removed by someone else a moment before. Audited."""
    with transaction.atomic():
        _lock_store(store)
        closed = ClosedDay.objects.filter(store=store, pk=pk).first()
        if closed is None:
            raise ValidationError(_("This closed day was already removed."))
        audit_log(actor=actor, instance=closed, action=AuditAction.DELETE,
                  changes={"day": [closed.day.isoformat(), None]})
        closed.delete()
