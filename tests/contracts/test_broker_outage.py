"""Signing a contract while the broker is away (issue 10, #3).

The defect: with Redis down, signing took 19 s, the request retrying the broker and the
result backend. Now the PDF is queued with one attempt, no retries and no result
subscription; what was not queued is left to the sweep job.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from contracts.enums import ContractStatus, DocumentStatus, PaymentChannel
from contracts.models import ContractDocument
from contracts.services import contracts as services
from contracts.services.documents import documents_to_retry
from dealership.celery import app
from tests.contracts.factories import make_contract

pytestmark = pytest.mark.django_db

DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once


def test_signing_with_the_broker_down_succeeds_at_once_and_leaves_the_pdf_to_the_sweep(
        consultant, customer, manager, monkeypatch, caplog, django_capture_on_commit_callbacks):
    contract = make_contract(consultant, customer, manager=manager,
                             status=ContractStatus.APPROVED)
    monkeypatch.setattr(app.conf, "broker_write_url", DEAD_BROKER)

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        signed = services.contract_sign(actor=consultant, contract=contract,
                                        customer_signed=True, receipt_number="WX-1",
                                        deposit_channel=PaymentChannel.WECHAT)
    elapsed = time.monotonic() - started

    # Not a speed measure: a guard against the retry loops (19 s) coming back.
    assert elapsed < 5
    signed.refresh_from_db()
    assert signed.status == ContractStatus.SIGNED
    document = ContractDocument.objects.get(contract=contract)
    assert document.status == DocumentStatus.PENDING
    assert "could not queue contracts.render_contract_document" in caplog.text
    later = timezone.now() + dt.timedelta(minutes=5)
    assert list(documents_to_retry(now=later)) == [document.pk]


def test_enqueue_reports_whether_the_message_left(consultant, customer, manager,
                                                  monkeypatch):
    contract = make_contract(consultant, customer, manager=manager,
                             status=ContractStatus.SIGNED)
    document = ContractDocument.objects.get(contract=contract)

    queued = services.document_enqueue(document.pk)
    monkeypatch.setattr(app.conf, "broker_write_url", DEAD_BROKER)
    refused = services.document_enqueue(document.pk)

    assert (queued, refused) == (True, False)
