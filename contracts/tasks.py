"""Celery tasks of the contracts stage."""

from __future__ import annotations

from celery import shared_task

from contracts.services.documents import (
    contract_document_render_or_record,
    documents_to_retry,
)

SWEEP_BATCH = 200


# A render takes about a second (several without libharfbuzz-subset); the limits only stop
# a hung WeasyPrint from holding the worker and the document's row lock.
@shared_task(name="contracts.render_contract_document", autoretry_for=(Exception,),
             retry_backoff=10, max_retries=3, time_limit=180, soft_time_limit=150)
def contract_document_render_task(*, document_id: int) -> dict:
    """Render a signed contract's PDF once and store it with its SHA-256."""
    document = contract_document_render_or_record(document_id)
    if document is None:
        return {"document": document_id, "status": "missing"}
    return {"document": document.pk, "status": document.status, "sha256": document.sha256}


@shared_task(name="contracts.render_pending_documents", time_limit=120, soft_time_limit=100)
def render_pending_documents_task() -> dict:
    """Sweep: documents whose message was lost or whose rendering failed are queued
    again (a ready document is never rendered twice)."""
    ids = list(documents_to_retry()[:SWEEP_BATCH])
    for document_id in ids:
        contract_document_render_task.delay(document_id=document_id)
    return {"queued": len(ids)}
