"""showroom.demo.seed_showroom on its own, at a chosen moment (the module test_demo.py
seeds the whole demo once)."""

import datetime as dt
import random

import pytest
from django.db.models import F

from leads.enums import LeadStatus
from showroom.demo import seed_showroom
from showroom.models import Visit
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_seed_showroom_puts_no_visit_of_today_in_the_hours_still_to_come(store, consultant):
    # Noon in the store: leads created this morning could get an afternoon visit.
    now = dt.datetime.combine(store.today(), dt.time(12, 0), tzinfo=store.tzinfo)
    for hours in [*range(3, 9), 240]:  # this morning, and ten days ago
        LeadFactory.create_batch(5, store=store, owner=consultant, status=LeadStatus.VISITED,
                                 created_at=now - dt.timedelta(hours=hours))

    seed_showroom(random.Random(7), store=store, scale="small", now=now)

    history = Visit.objects.filter(store=store).exclude(lead=None)
    assert history.exists()
    assert list(history.filter(departed_at__gt=now - dt.timedelta(minutes=10))) == []
    assert list(history.filter(arrived_at__lt=F("lead__created_at"))) == []
