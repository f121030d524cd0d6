"""The signed contract's PDF: rendered once by a worker, stored with its SHA-256, never
changed. A second worker (a retry, the sweep job) finds it ready and leaves it alone."""

from __future__ import annotations

import datetime as dt
import hashlib
import time

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from contracts.enums import ContractEventKind, DocumentStatus
from contracts.models import ContractDocument, ContractEvent

MAX_ATTEMPTS = 5


def contract_document_render(document_id: int) -> ContractDocument | None:
    """Render and store the PDF of a signed contract, unless it is stored already.
    Returns the document, or None when it does not exist."""
    with transaction.atomic():
        document = (ContractDocument.objects.select_for_update(of=("self",))
                    .select_related("contract__store__group", "contract__trim",
                                    "contract__consultant").filter(pk=document_id).first())
        if document is None or document.status == DocumentStatus.READY:
            return document
        # Imported here: a worker that only finds stored documents never loads WeasyPrint.
        from contracts.documents import contract_pdf

        document.attempts += 1
        started = time.perf_counter()
        with translation.override(document.language):
            pdf = contract_pdf(document.contract, draft=False)
        document.render_ms = int((time.perf_counter() - started) * 1000)
        document.sha256 = hashlib.sha256(pdf).hexdigest()
        document.size = len(pdf)
        contract = document.contract
        document.file.save(f"{contract.number or contract.pk}.pdf", ContentFile(pdf),
                           save=False)
        document.status = DocumentStatus.READY
        document.error = ""
        document.rendered_at = timezone.now()
        document.save()
        ContractEvent.objects.create(store_id=contract.store_id, contract=contract,
                                     kind=ContractEventKind.DOCUMENT,
                                     note=f"SHA-256 {document.sha256[:16]}…",
                                     data={"sha256": document.sha256, "size": document.size})
    return document


def contract_document_render_or_record(document_id: int) -> ContractDocument | None:
    """The task's body: render, or record why it failed (and re-raise for Celery).
    Whatever failed (WeasyPrint, the storage, a time limit), the attempt is counted, so
    the sweep gives up after MAX_ATTEMPTS."""
    try:
        return contract_document_render(document_id)
    except Exception as error:
        # The render's transaction has rolled back; the failure is written after it.
        ContractDocument.objects.filter(pk=document_id).exclude(
            status=DocumentStatus.READY).update(
            status=DocumentStatus.FAILED, error=(str(error) or type(error).__name__)[:300],
            attempts=F("attempts") + 1)
        raise


def documents_to_retry(*, now: dt.datetime | None = None, grace_seconds: int = 120):
    """Documents a worker should (re)render: failed ones, and queued ones older than the
    grace period (their message was lost), while attempts remain."""
    now = now or timezone.now()
    return ContractDocument.objects.filter(
        status__in=(DocumentStatus.PENDING, DocumentStatus.FAILED),
        created_at__lt=now - dt.timedelta(seconds=grace_seconds),
        attempts__lt=MAX_ATTEMPTS,
    ).values_list("pk", flat=True)
