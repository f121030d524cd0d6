"""What is done once every story is played: the numbers by the year of signing, and the
signed contracts' PDFs."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils import timezone

from contracts.enums import ContractEventKind, LeadEventKind
from contracts.models import Contract, ContractDocument, ContractEvent, ContractSequence
from contracts.services import documents
from dealership.models import Store
from leads.models import LeadEvent


def renumber(store: Store) -> None:
    """Numbers by the year the contract was signed in, gapless and in signing order. The
    services numbered them in this year; a story signed last year (a demo seeded in
    January) takes last year's numbers."""
    tz = store.tzinfo
    counters: dict[int, int] = defaultdict(int)
    signed = list(Contract.objects.filter(store=store, sequence__isnull=False).order_by(
        "signed_at", "pk"))
    renumbered = []
    for contract in signed:
        year = timezone.localtime(contract.signed_at, tz).year
        counters[year] += 1
        number = f"{store.code}-{year}-{counters[year]:06d}"
        if number != contract.number:
            renumbered.append((contract, year, counters[year], number))
    # A story signed later in the play but earlier in time (a later stage's demo) moves the
    # numbers after it along: first out of the way, so no two rows ever share a number.
    Contract.objects.filter(pk__in=[contract.pk for contract, *_rest in renumbered]).update(
        sequence=F("sequence") + 1_000_000, number=Concat(F("number"), Value("~")))
    for contract, year, sequence, number in renumbered:
        Contract.objects.filter(pk=contract.pk).update(number=number, year=year,
                                                       sequence=sequence)
        ContractEvent.objects.filter(contract=contract, kind=ContractEventKind.SIGNED).update(
            note=number)
        for event in LeadEvent.objects.filter(lead_id=contract.lead_id, kind=LeadEventKind.CONTRACT,
                                              data__contract=contract.pk):
            event.note = event.note.replace(contract.number, number)
            event.save(update_fields=["note"])
    for sequence in ContractSequence.objects.filter(store=store):
        sequence.last = counters.get(sequence.year, 0)
        sequence.save(update_fields=["last"])
    for year, last in counters.items():
        ContractSequence.objects.get_or_create(store=store, year=year, defaults={"last": last})


def render_documents(store: Store, rng: random.Random) -> int:
    """The signed contracts' PDFs, rendered here rather than by the worker (the demo is
    ready when the command ends); the task queued at commit finds them stored."""
    pending = (ContractDocument.objects.filter(contract__store=store, status="pending")
               .select_related("contract").order_by("contract__signed_at", "pk"))
    count = 0
    for document in pending:
        documents.contract_document_render(document.pk)
        moment = document.contract.signed_at + dt.timedelta(seconds=rng.randrange(20, 90))
        ContractDocument.objects.filter(pk=document.pk).update(rendered_at=moment)
        ContractEvent.objects.filter(contract_id=document.contract_id,
                                     kind=ContractEventKind.DOCUMENT).update(created_at=moment)
        count += 1
    return count
