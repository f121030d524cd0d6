"""Reads of invitations (邀约), scoped to the user's store and role: consultants see their
own; supervisors, the manager and the receptionist see the store's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from dealership.enums import Role
from dealership.models import Store, User
from showroom.enums import InvitationStatus
from showroom.models import Invitation
from showroom.permissions import INVITATION_STORE_ROLES

# Invitations that count for the show rate: cancelled ones were withdrawn, not missed.
DUE_STATUSES = (InvitationStatus.SCHEDULED, InvitationStatus.ARRIVED, InvitationStatus.NO_SHOW)


def invitation_scope_for_user(user: User) -> QuerySet[Invitation]:
    invitations = Invitation.objects.all()
    if not user.is_authenticated or user.store_id is None:
        return invitations.none()
    invitations = invitations.filter(store_id=user.store_id)
    if user.role == Role.CONSULTANT:
        return invitations.filter(consultant=user)
    if user.role in INVITATION_STORE_ROLES:
        return invitations
    return invitations.none()


def _for_screen(invitations: QuerySet[Invitation]) -> QuerySet[Invitation]:
    return invitations.select_related("lead", "lead__customer", "consultant")


def invitation_get_for_user(*, user: User, pk: int) -> Invitation:
    try:
        return _for_screen(invitation_scope_for_user(user)).select_related(
            "store", "lead__owner", "lead__owner__team").get(pk=pk)
    except (Invitation.DoesNotExist, ValueError):
        raise Http404 from None


def invitation_list_for_user(*, user: User, start: dt.date, end: dt.date,
                             status: str = "") -> QuerySet[Invitation]:
    """The invitations list: expected between the local days `start` and `end` (both
    included), newest day last, the customer and consultant joined."""
    store = user.store
    since, _until = store.day_bounds(start)
    _since, until = store.day_bounds(end)
    invitations = invitation_scope_for_user(user).filter(expected_at__gte=since,
                                                         expected_at__lt=until)
    if status:
        invitations = invitations.filter(status=status)
    # The lead's owner and team decide whether a supervisor may cancel the row.
    return (_for_screen(invitations).select_related("lead__owner", "lead__owner__team")
            .order_by("expected_at", "pk"))


def invitations_expected_today(*, store: Store, day: dt.date) -> list[Invitation]:
    """The desk's expected arrivals: invitations of the local day still expected or already
    arrived, in one query. Templates show customer.phone_masked only."""
    since, until = store.day_bounds(day)
    return list(
        _for_screen(Invitation.objects.filter(
            store=store, expected_at__gte=since, expected_at__lt=until,
            status__in=(InvitationStatus.SCHEDULED, InvitationStatus.ARRIVED)))
        .order_by("expected_at", "pk")
    )


def invitation_expected_for_customer(*, store: Store, customer_id: int,
                                     day: dt.date) -> Invitation | None:
    """The invitation a walk-in of `customer_id` fulfils today, if any (for the desk)."""
    since, until = store.day_bounds(day)
    return (Invitation.objects.filter(store=store, lead__customer_id=customer_id,
                                      status=InvitationStatus.SCHEDULED,
                                      expected_at__gte=since, expected_at__lt=until)
            .order_by("expected_at").first())


@dataclass(frozen=True)
class ShowRate:
    """Invitation show rate (DESIGN §3): due in the period and arrived ÷ due in the period.
    `rate` is None when nothing was due (shown as "—")."""

    due: int
    arrived: int

    @property
    def rate(self) -> Decimal | None:
        if not self.due:
            return None
        return (Decimal(self.arrived) / Decimal(self.due)).quantize(
            Decimal("0.0001"), rounding=ROUND_HALF_UP)

    @property
    def percent(self) -> str:
        rate = self.rate
        return "—" if rate is None else f"{(rate * 100).quantize(Decimal('0.1'))}%"


def invitation_show_rate(*, store: Store, start: dt.date, end: dt.date,
                         consultant: User | None = None) -> ShowRate:
    """Show rate of the invitations due on the local days `start` to `end` (both included),
    of the store or of one consultant. Cancelled invitations are not due."""
    since, _until = store.day_bounds(start)
    _since, until = store.day_bounds(end)
    invitations = Invitation.objects.filter(store=store, expected_at__gte=since,
                                            expected_at__lt=until, status__in=DUE_STATUSES)
    if consultant is not None:
        invitations = invitations.filter(consultant=consultant)
    counts = invitations.aggregate(
        due=Count("pk"), arrived=Count("pk", filter=Q(status=InvitationStatus.ARRIVED)))
    return ShowRate(due=counts["due"], arrived=counts["arrived"])
