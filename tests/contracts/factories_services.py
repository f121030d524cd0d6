"""Helpers for the service tests of the money stage (on top of tests/contracts/factories.py).

    set_policy(store, consultant_limit="5000")
    trim = priced_trim("50000")                       # floor 4,000 with the default 8 %
    other_sup, other_con = second_team(store)
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from contracts.models import DiscountPolicy, Quote
from dealership.enums import Role, Seniority
from dealership.models import AuditEntry, Customer, Store, Trim, User
from tests.factories import CustomerFactory, TeamFactory, TrimFactory, UserFactory


def set_policy(store: Store, **values) -> DiscountPolicy:
    """The store's discount policy with some values changed (strings become Decimals)."""
    policy = DiscountPolicy.for_store(store)
    for name, value in values.items():
        setattr(policy, name, Decimal(value) if isinstance(value, str) else value)
    policy.save()
    return policy


def priced_trim(msrp: str) -> Trim:
    return TrimFactory(msrp=Decimal(msrp))


def second_team(store: Store, *, prefix: str = "b") -> tuple[User, User]:
    """Another team of the store: its supervisor and one consultant."""
    supervisor = UserFactory(username=f"{prefix}-sup", name="钱主管", role=Role.SUPERVISOR,
                             store=store)
    team = TeamFactory(store=store, name=f"销售{prefix}组", supervisor=supervisor)
    consultant = UserFactory(username=f"{prefix}-con", name="孙顾问", role=Role.CONSULTANT,
                             store=store, team=team, seniority=Seniority.JUNIOR)
    return supervisor, consultant


def customer_of(owner: User, **kwargs) -> Customer:
    kwargs.setdefault("store", owner.store)
    return CustomerFactory(owner=owner, **kwargs)


def audit_rows(instance, **filters) -> list[AuditEntry]:
    """The audit entries of one row, oldest first."""
    return list(AuditEntry.objects.filter(
        object_id=str(instance.pk), content_type__model=type(instance)._meta.model_name,
        **filters).order_by("created_at", "id"))


def expire(quote: Quote, *, days_ago: int = 1) -> Quote:
    """A quote whose validity ended `days_ago` days ago (in the store's calendar)."""
    Quote.objects.filter(pk=quote.pk).update(
        valid_until=quote.store.today() - dt.timedelta(days=days_ago))
    quote.refresh_from_db()
    return quote
