"""Builders shared by the after-sales tests (no tests here): a contract delivered through
the real services (so delivery's `vehicle_delivered` hook fires, after the commit, exactly
as in production), optionally at a chosen moment."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.test import TestCase
from django.utils import timezone

from delivery.services.handover import handover_complete
from tests.delivery.test_handover_support import ready


def delivered(consultant, manager, *, customer=None, at: dt.datetime | None = None,
              **kwargs):
    """A signed, paid, allocated, inspected contract handed over by the consultant (at
    `at` when given: the clock is the outside world). Returns (contract, vehicle), both
    refreshed; the hook's receivers have run."""
    contract, vehicle = ready(consultant, manager, customer=customer, **kwargs)
    with TestCase.captureOnCommitCallbacks(execute=True):
        if at is None:
            handover_complete(actor=consultant, contract=contract)
        else:
            with mock.patch.object(timezone, "now", return_value=at):
                handover_complete(actor=consultant, contract=contract)
    contract.refresh_from_db()
    vehicle.refresh_from_db()
    return contract, vehicle
