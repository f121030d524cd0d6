"""The showroom's share of personal-data handling (registered with `dealership.privacy` in
ShowroomConfig.ready()): visits, invitations and test drives in a customer's export and
erasure, and recent ones keeping a customer from the retention job."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from dealership.models import Customer
from dealership.services.audit import audit_forget_fields
from showroom.enums import InvitationStatus, TestDriveStatus
from showroom.models import Invitation, Objection, TestDrive, Visit


def showroom_export(customer: Customer) -> dict[str, list[dict[str, Any]]]:
    """One query per section, whatever the number of rows."""
    return {
        "visits": list(Visit.objects.filter(customer=customer)
                       .order_by("arrived_at", "pk").values()),
        "visit_objections": list(Objection.objects.filter(visit__customer=customer)
                                 .order_by("created_at", "pk").values()),
        "invitations": list(Invitation.objects.filter(lead__customer=customer)
                            .order_by("expected_at", "pk").values()),
        "test_drives": list(TestDrive.objects.filter(customer=customer)
                            .order_by("slot_start", "pk").values()),
    }


def showroom_anonymise(customer_ids: Sequence[int]) -> None:
    """What describes or identifies the person goes (how to recognise them, who decides,
    notes, the driving-licence number, which is the ID number, and what they said of the
    drive); the needs analysis and the figures the reports count stay."""
    Visit.objects.filter(customer_id__in=customer_ids).update(
        description="", decision_maker="", routing_note="", trade_in_vehicle="", note="")
    now = timezone.now()
    # Nobody waits for a person who asked to be forgotten: their bookings are called off.
    Invitation.objects.filter(lead__customer_id__in=customer_ids,
                              status=InvitationStatus.SCHEDULED).update(
        status=InvitationStatus.CANCELLED, closed_at=now)
    drives = TestDrive.objects.filter(customer_id__in=customer_ids)
    drives.filter(status=TestDriveStatus.BOOKED).update(status=TestDriveStatus.CANCELLED)
    drive_ids = list(drives.values_list("pk", flat=True))
    drives.update(licence_number="", feedback="")
    audit_forget_fields(model=TestDrive, object_ids=drive_ids,
                        fields=("licence_number", "feedback"))


def showroom_retention_hold(customers: QuerySet[Customer], since: dt.datetime
                            ) -> QuerySet[Customer]:
    """Customers who came in, drove or were expected since `since`."""
    return customers.filter(
        Q(visits__arrived_at__gte=since) | Q(test_drives__slot_start__gte=since)
        | Q(pk__in=Invitation.objects.filter(expected_at__gte=since)
            .values("lead__customer_id")))
