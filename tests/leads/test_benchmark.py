"""`manage.py benchmark_leads`: builds store BENCH, prints its table, cleans up."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dealership.models import Customer, Store, User
from leads.models import Campaign, Lead, LeadEvent, Touch

pytestmark = pytest.mark.django_db

PAGES = ["Lead list (manager)", "Lead list, overdue (manager)", "Lead list, phone search",
         "Lead list (consultant)", "Team board (supervisor)", "Team board (manager)"]
JOBS = ["escalate_first_contact", "flag_overdue", "make_dormant", "queue_reactivation",
        "recycle_to_pool"]


def bench(*args: str) -> str:
    out = StringIO()
    call_command("benchmark_leads", "--leads", "40", *args, stdout=out)
    return out.getvalue()


def rows(output: str) -> dict[str, list[str]]:
    cells = [[c.strip() for c in line.strip("|").split("|")]
             for line in output.splitlines() if line.startswith("| ")]
    return {row[0]: row[1:] for row in cells[2:]}  # after the header and its rule


def test_benchmark_prints_pages_and_jobs_then_deletes_bench(settings):
    settings.DEBUG = True

    output = bench()

    assert "Built store BENCH with 40 leads" in output
    table = rows(output)
    assert list(table) == PAGES + [f"job {name} ({run} run)" for name in JOBS
                                   for run in ("1st", "2nd")]
    for page in PAGES:
        queries, ms, note = table[page]
        assert queries.isdigit() and ms.isdigit()
        assert re.search(r"→ 200$", note), (page, note)
    for name in JOBS:
        assert table[f"job {name} (2nd run)"][0].isdigit()
    assert Store.objects.filter(code="BENCH").count() == 0
    assert [Lead.objects.count(), Customer.objects.count(), Touch.objects.count(),
            LeadEvent.objects.count(), Campaign.objects.count()] == [0, 0, 0, 0, 0]
    assert User.objects.filter(username__startswith="bench-").count() == 0


def test_benchmark_keep_leaves_bench_and_a_rerun_replaces_it(settings):
    settings.DEBUG = True

    bench("--keep")
    assert Lead.objects.filter(store__code="BENCH").count() == 40

    bench("--keep")

    assert Store.objects.filter(code="BENCH").count() == 1
    assert Lead.objects.filter(store__code="BENCH").count() == 40
    assert User.objects.filter(username__startswith="bench-").count() == 10


def test_benchmark_jobs_change_nothing_in_other_stores(settings, store, consultant):
    from tests.leads.factories import LeadFactory

    settings.DEBUG = True
    lead = LeadFactory(store=store, owner=consultant, channel="website")
    lead.follow_up_due_at = lead.created_at  # overdue at once: the jobs would act on it
    lead.save(update_fields=["follow_up_due_at"])

    bench()

    lead.refresh_from_db()
    assert (lead.owner, lead.sla_step, lead.overdue_notified_at) == (consultant, 0, None)
    assert lead.events.count() == 0


def test_benchmark_with_debug_off_is_refused(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError):
        bench()

    assert Store.objects.count() == 0
