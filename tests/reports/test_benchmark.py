"""benchmark_reports: every line measured on a store, nothing left behind."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from reports.models import KioskLink

pytestmark = pytest.mark.django_db


def test_benchmark_measures_every_report_and_rolls_back(settings, store, manager, consultant):
    settings.DEBUG = True
    out = io.StringIO()

    call_command("benchmark_reports", "--store", "demo", "--runs", "1", stdout=out)

    rows = [line.split(" | ") for line in out.getvalue().splitlines() if line.startswith("| ")]
    assert [cells[0].lstrip("| ") for cells in rows[2:]] == [
        "§3 figures, one day", "§3 figures, month to date", "Morning board (computed)",
        "Evening board (computed)", "Store overview (computed)",
        "Complaint board (computed)", "Delivery calendar (computed)",
        "Morning meeting page (manager)",
        "Evening meeting page (manager)", "Wall panel, first poll (200)",
        "Wall panel, unchanged poll (304)", "Daily report PDF (render only)"]
    statements = {cells[0].lstrip("| "): int(cells[1]) for cells in rows[2:]}
    assert statements["§3 figures, one day"] == 9
    assert statements["Wall panel, unchanged poll (304)"] == 0
    assert KioskLink.objects.count() == 0  # its link was rolled back


def test_benchmark_refuses_with_debug_off_and_an_unknown_store(settings, store, manager):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("benchmark_reports", "--store", "DEMO", stdout=io.StringIO())
    with pytest.raises(CommandError, match="Unknown store: NOPE"):
        call_command("benchmark_reports", "--store", "NOPE", "--force", stdout=io.StringIO())
