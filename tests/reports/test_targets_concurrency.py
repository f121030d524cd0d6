"""Two managers saving the same month's targets at once (PostgreSQL): the store's row lock
applies the saves one after the other, so neither collides on the unique target of a cell
and the later save wins, each change audited once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from dealership.enums import AuditAction, Role
from dealership.models import AuditEntry
from reports.models import ClosedDay, Target
from reports.services.targets import closed_day_add, targets_set
from tests.concurrency import race, require_postgres
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_english")]


@pytest.fixture(autouse=True)
def _postgres_only():
    require_postgres()


def test_two_saves_of_the_same_cells_at_once_both_apply_without_a_collision(
        store, manager, consultant):
    deputy = UserFactory(role=Role.MANAGER, store=store, username="deputy")
    month = store.today().replace(day=1)

    results = race(
        lambda: targets_set(store=store, month=month, actor=manager, values={
            (None, "deals"): Decimal("10"), (consultant.pk, "deals"): Decimal("5")}),
        lambda: targets_set(store=store, month=month, actor=deputy, values={
            (None, "deals"): Decimal("12"), (consultant.pk, "deals"): Decimal("6")}))

    assert sorted(results) == [2, 2]  # the first creates two, the second changes two
    values = sorted(Target.objects.values_list("value", flat=True))
    assert values in ([Decimal("5.00"), Decimal("10.00")], [Decimal("6.00"), Decimal("12.00")])
    actions = list(AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Target)).values_list("action", flat=True))
    assert sorted(actions) == sorted([AuditAction.CREATE] * 2 + [AuditAction.UPDATE] * 2)


def test_the_same_closed_day_added_twice_at_once_one_is_refused(store, manager):
    from django.core.exceptions import ValidationError

    day = dt.date(store.today().year, 10, 1)
    results = race(*[lambda: closed_day_add(store=store, day=day, note="国庆节", actor=manager)
                     for _ in range(2)])

    assert sorted(type(r).__name__ for r in results) == ["ClosedDay", "ValidationError"]
    [refused] = [r for r in results if isinstance(r, ValidationError)]
    assert refused.message_dict == {"day": ["This day is already marked closed."]}
    assert ClosedDay.objects.count() == 1
