"""Two managers revoking the same wall-screen link at once (PostgreSQL, one connection per
thread): the row lock lets one revoke it; the other is refused, and one audit row is
written."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from dealership.enums import AuditAction, Role
from dealership.models import AuditEntry
from reports.models import KioskLink
from reports.services.kiosk import kiosk_link_create, kiosk_link_revoke
from tests.concurrency import race, require_postgres

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_english")]


@pytest.fixture(autouse=True)
def _postgres_only():
    require_postgres()


def test_two_revocations_at_once_one_wins(store, manager, make_user):
    deputy = make_user(Role.MANAGER, username="deputy")
    link, _path = kiosk_link_create(store=store, label="展厅大屏", actor=manager)

    results = race(
        lambda: kiosk_link_revoke(link=KioskLink.objects.get(pk=link.pk), actor=manager),
        lambda: kiosk_link_revoke(link=KioskLink.objects.get(pk=link.pk), actor=deputy))

    winners = [r for r in results if isinstance(r, KioskLink)]
    losers = [r for r in results if isinstance(r, ValidationError)]
    assert (len(winners), len(losers)) == (1, 1)
    assert losers[0].messages == ["This link was already revoked."]
    link.refresh_from_db()
    assert (link.revoked_by_id, link.revoked_at) == (winners[0].revoked_by_id,
                                                     winners[0].revoked_at)
    assert AuditEntry.objects.filter(object_id=str(link.pk),
                                     action=AuditAction.UPDATE).count() == 1
