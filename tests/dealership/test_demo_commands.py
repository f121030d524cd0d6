"""`manage.py seed_demo` on an empty database, and its refusals (the seeded demo's own
tests, which share one seeding, are in test_demo.py)."""

from __future__ import annotations

import pytest
from django.core.management.base import CommandError

from dealership.models import Store
from tests.dealership.test_demo import _counts, _seed
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def test_seed_demo_with_debug_off_refused(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError):
        _seed()

    assert _counts() == (0, 0, 0, 0)


def test_seed_demo_with_debug_off_and_force_seeds(settings):
    settings.DEBUG = False

    _seed("--force")

    assert Store.objects.filter(code="DEMO").count() == 1


def test_seed_demo_if_empty_on_database_with_store_does_nothing(settings):
    settings.DEBUG = True
    StoreFactory(code="REAL")

    output = _seed("--if-empty")

    assert (_counts(), output) == (
        (1, 0, 0, 0), "The database already has a store: nothing seeded.\n")


def test_seed_demo_if_empty_on_empty_database_seeds(settings):
    settings.DEBUG = True

    _seed("--if-empty")

    assert list(Store.objects.values_list("code", flat=True)) == ["DEMO", "DGN"]
