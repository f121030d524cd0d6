"""Meeting-note factory and the builders the meeting tests share (no tests here)."""

from __future__ import annotations

import datetime as dt

import factory

from contracts.enums import ContractStatus
from contracts.models import Contract
from delivery.models import Handover
from reports.enums import MeetingKind, NoteTopic
from reports.models import MeetingNote
from tests.contracts.factories import make_contract
from tests.factories import clock_now


class MeetingNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingNote

    store = factory.LazyAttribute(lambda o: o.author.store)
    day = factory.LazyAttribute(lambda o: o.store.today())
    meeting = MeetingKind.MORNING
    topic = NoteTopic.FACTORY_SUBSIDY
    body = "厂家本月补贴：凯美瑞每台三千元。"
    created_at = factory.LazyFunction(clock_now)


def at(store, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware instant at a wall-clock time of the store."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=store.tzinfo)


def signed_at(consultant, customer, moment: dt.datetime, *, manager=None) -> Contract:
    """A contract of `consultant` signed at `moment` (the service stamps "now": the signing
    time is arranged afterwards)."""
    contract = make_contract(consultant, customer, manager=manager, status=ContractStatus.SIGNED)
    Contract.objects.filter(pk=contract.pk).update(signed_at=moment)
    contract.refresh_from_db()
    return contract


def handover_at(contract: Contract, moment: dt.datetime) -> Handover:
    """The contract's delivery appointment at `moment`."""
    return Handover.objects.create(store_id=contract.store_id, contract=contract,
                                   scheduled_at=moment)
