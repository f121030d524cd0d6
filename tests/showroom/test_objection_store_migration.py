"""showroom 0009/0010 on a database made before them: the objections written then get
their visit's store. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from showroom.models import Objection
from tests.factories import StoreFactory
from tests.helpers import migrated_back
from tests.showroom.factories import ObjectionFactory, VisitFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("showroom", "0008_drop_store_arrived_index")]


def test_objections_get_their_visits_store(store):
    visits = [VisitFactory(store=store), VisitFactory(store=StoreFactory(code="OTHER"))]
    objections = [ObjectionFactory(visit=visit) for visit in visits]
    # Back before the store column (dropped); on the way out it is added again, filled from
    # the visits and made NOT NULL.
    with migrated_back(BEFORE):
        pass

    assert set(Objection.objects.values_list("pk", "store_id")) == {
        (objection.pk, objection.visit.store_id) for objection in objections}
