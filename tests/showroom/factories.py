"""Showroom factories: duty shifts, visits, objections, talk tracks, demo vehicles."""

from __future__ import annotations

import factory
from django.utils import timezone

from dealership.enums import StockStatus
from showroom.enums import DutyState, ObjectionType
from showroom.models import DutyShift, Objection, TalkTrack, Visit
from tests.factories import StockVehicleFactory, StoreFactory, UserFactory, clock_now


class DemoVehicleFactory(StockVehicleFactory):
    """A stock vehicle flagged as demo car (test drives)."""

    status = StockStatus.DEMO


class DutyShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DutyShift

    store = factory.SubFactory(StoreFactory)
    date = factory.LazyFunction(timezone.localdate)
    consultant = factory.SubFactory(UserFactory, store=factory.SelfAttribute("..store"))
    position = factory.Sequence(lambda n: n + 1)
    state = DutyState.AVAILABLE


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    store = factory.SubFactory(StoreFactory)
    consultant = factory.SubFactory(UserFactory, store=factory.SelfAttribute("..store"))
    arrived_at = factory.LazyFunction(clock_now)
    party_size = 1
    first_visit = True
    description = "白衣服的夫妻"
    routed_by = "queue"


class ObjectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objection

    visit = factory.SubFactory(VisitFactory)
    store = factory.SelfAttribute("visit.store")
    kind = ObjectionType.PRICE
    note = "比别家贵"


class TalkTrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TalkTrack

    store = factory.SubFactory(StoreFactory)
    kind = ObjectionType.PRICE
    title = factory.Sequence(lambda n: f"价格话术{n}")
    body = "我们的价格包含三年保养。"
