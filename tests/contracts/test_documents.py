"""The signed contract's PDF: queued at signing, rendered once by a worker, stored with its
SHA-256, never changed; lost or failed renders are swept up again."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from contracts.enums import ContractEventKind, DocumentStatus
from contracts.models import ContractDocument, ContractEvent
from contracts.services.documents import (
    MAX_ATTEMPTS,
    contract_document_render,
    contract_document_render_or_record,
    documents_to_retry,
)
from contracts.tasks import contract_document_render_task, render_pending_documents_task
from dealership.celery import app
from tests.contracts.factories import make_contract


def _text(path) -> str:
    out = subprocess.run(
        ["/usr/bin/pdftotext", "-enc", "UTF-8", str(path), "-"],
        check=True, capture_output=True, text=True).stdout
    return " ".join(out.split())


@pytest.fixture
def signed(consultant, customer, manager):
    return make_contract(consultant, customer, manager=manager, status="signed")


@pytest.fixture
def document(signed):
    return ContractDocument.objects.get(contract=signed)


def test_signing_creates_a_pending_document(signed):
    document = ContractDocument.objects.get(contract=signed)

    assert (document.status, document.store_id) == (DocumentStatus.PENDING, signed.store_id)
    assert document.language == "zh-hans"
    assert (document.file.name, document.sha256, document.attempts) == ("", "", 0)
    assert document.rendered_at is None


def test_render_stores_the_pdf_with_its_sha256(document, signed):
    rendered = contract_document_render(document.pk)

    document.refresh_from_db()
    data = document.file.read()
    assert rendered.pk == document.pk
    assert document.status == DocumentStatus.READY
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.size == len(data)
    assert data.startswith(b"%PDF-")
    assert document.file.name == (f"contracts/{signed.store_id}/{signed.pk}/"
                                  f"{signed.number}.pdf")
    assert document.attempts == 1
    assert document.rendered_at is not None
    event = ContractEvent.objects.get(contract=signed, kind=ContractEventKind.DOCUMENT)
    assert (event.data, event.store_id) == (
        {"sha256": document.sha256, "size": len(data)}, signed.store_id)
    text = _text(document.file.path)
    assert signed.number in text
    assert "张三丰" in text


def test_render_again_changes_nothing(document):
    contract_document_render(document.pk)
    first = ContractDocument.objects.get(pk=document.pk)

    contract_document_render(document.pk)

    again = ContractDocument.objects.get(pk=document.pk)
    assert (again.sha256, again.file.name, again.rendered_at, again.size, again.attempts) == (
        first.sha256, first.file.name, first.rendered_at, first.size, first.attempts)
    assert ContractEvent.objects.filter(contract_id=document.contract_id,
                                        kind=ContractEventKind.DOCUMENT).count() == 1


def test_stored_file_is_byte_identical_on_every_read(document):
    contract_document_render(document.pk)
    document.refresh_from_db()

    with document.file.open("rb") as file:
        first = file.read()
    with document.file.open("rb") as file:
        second = file.read()

    assert first == second
    assert hashlib.sha256(second).hexdigest() == document.sha256


def test_render_speaks_the_documents_language(document):
    ContractDocument.objects.filter(pk=document.pk).update(language="en")

    contract_document_render(document.pk)

    document.refresh_from_db()
    assert "Vehicle Sales Contract" in _text(document.file.path)


def test_render_of_a_missing_document_returns_none(db):
    assert contract_document_render(987654) is None


def test_a_failed_store_is_recorded_and_counts_as_an_attempt(document, settings, tmp_path):
    """Not only WeasyPrint fails: a storage that cannot write must count too, or the sweep
    would queue the document again every five minutes for ever."""
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("", encoding="utf-8")
    settings.MEDIA_ROOT = blocked

    with pytest.raises(OSError):
        contract_document_render_or_record(document.pk)

    document.refresh_from_db()
    assert (document.status, document.attempts, document.file.name, document.sha256) == (
        DocumentStatus.FAILED, 1, "", "")
    assert document.error != ""
    assert not ContractEvent.objects.filter(contract_id=document.contract_id,
                                            kind=ContractEventKind.DOCUMENT).exists()


def test_a_document_failing_every_time_is_given_up_after_max_attempts(document, settings,
                                                                      tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("", encoding="utf-8")
    settings.MEDIA_ROOT = blocked
    later = timezone.now() + dt.timedelta(hours=1)

    for _attempt in range(MAX_ATTEMPTS):
        assert list(documents_to_retry(now=later)) == [document.pk]
        with pytest.raises(OSError):
            contract_document_render_or_record(document.pk)

    assert list(documents_to_retry(now=later)) == []


def test_render_task_has_time_limits():
    # A hung WeasyPrint must not hold a worker (and the document's row lock) for ever.
    assert (contract_document_render_task.soft_time_limit,
            contract_document_render_task.time_limit) == (150, 180)
    assert (render_pending_documents_task.soft_time_limit,
            render_pending_documents_task.time_limit) == (100, 120)


# --- The sweep ------------------------------------------------------------------------------
@pytest.fixture
def five_documents(consultant, customer, manager):
    """Documents in every situation the sweep must tell apart, all but one old enough."""
    old = timezone.now() - dt.timedelta(minutes=10)
    documents = {}
    for name, status, attempts, created_at in (
        ("fresh", DocumentStatus.PENDING, 0, timezone.now()),
        ("lost", DocumentStatus.PENDING, 0, old),
        ("failed", DocumentStatus.FAILED, 1, old),
        ("exhausted", DocumentStatus.FAILED, MAX_ATTEMPTS, old),
        ("ready", DocumentStatus.PENDING, 0, old),
    ):
        contract = make_contract(consultant, customer, manager=manager, status="signed")
        document = ContractDocument.objects.get(contract=contract)
        ContractDocument.objects.filter(pk=document.pk).update(
            status=status, attempts=attempts, created_at=created_at)
        documents[name] = document
    contract_document_render(documents["ready"].pk)
    return documents


def test_documents_to_retry_are_old_pending_and_failed_ones_with_attempts_left(
        five_documents):
    assert set(documents_to_retry()) == {five_documents["lost"].pk,
                                         five_documents["failed"].pk}


def test_documents_to_retry_waits_for_the_grace_period(five_documents):
    now = timezone.now()

    assert set(documents_to_retry(now=now, grace_seconds=3600)) == set()
    assert set(documents_to_retry(now=now, grace_seconds=60)) == {
        five_documents["lost"].pk, five_documents["failed"].pk}


@pytest.fixture
def eager():
    """Tasks run in this process when queued, so no message outlives the test."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def test_sweep_requeues_only_the_documents_to_retry(five_documents, eager):
    ready = ContractDocument.objects.get(pk=five_documents["ready"].pk)

    result = render_pending_documents_task()

    statuses = dict(ContractDocument.objects.filter(
        pk__in=[d.pk for d in five_documents.values()]).values_list("pk", "status"))
    assert result == {"queued": 2}
    assert statuses == {
        five_documents["fresh"].pk: DocumentStatus.PENDING,
        five_documents["lost"].pk: DocumentStatus.READY,
        five_documents["failed"].pk: DocumentStatus.READY,
        five_documents["exhausted"].pk: DocumentStatus.FAILED,
        five_documents["ready"].pk: DocumentStatus.READY,
    }
    after = ContractDocument.objects.get(pk=ready.pk)
    assert (after.sha256, after.rendered_at) == (ready.sha256, ready.rendered_at)


# --- Through a real worker ------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_render_task_round_trip_through_a_worker(consultant, customer, manager):
    contract = make_contract(consultant, customer, manager=manager, status="signed")
    document = ContractDocument.objects.get(contract=contract)

    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING",
                      shutdown_timeout=10):
        # Signing queued the render on commit; this second message finds it stored.
        result = contract_document_render_task.delay(document_id=document.pk)
        payload = result.get(timeout=60)

    document.refresh_from_db()
    assert payload == {"document": document.pk, "status": "ready", "sha256": document.sha256}
    assert result.status == "SUCCESS"
    assert document.status == DocumentStatus.READY
    assert document.sha256 == hashlib.sha256(document.file.read()).hexdigest()
    assert ContractEvent.objects.filter(contract=contract,
                                        kind=ContractEventKind.DOCUMENT).count() == 1
