"""The personal-data registry: what each stage holds about a customer, and how it is
exported, anonymised and kept (PIPL Art. 44–47).

The core answers a customer's data-subject requests (export, erasure) and runs the
retention job, but the rows live in the stages: leads and their events, visits and test
drives, quotes and contracts. So each stage registers, from its `AppConfig.ready()`, one
`PersonalDataHandler` with what it can do for a set of customers. Every callable works on
a set (a queryset or a list of ids), never one row at a time, so an export costs a fixed
number of queries and the retention job stays set-based.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.utils.functional import Promise

    from dealership.models import Customer

# Written over names and free text of anonymised rows. Not translated: it is stored data.
ANONYMISED_NAME = "匿名"

# (customer) -> {"section": [row, ...]}; rows are JSON-friendly dicts.
Exporter = Callable[["Customer"], dict[str, list[dict[str, Any]]]]
# (customer ids) -> None; replaces the personal fields of the stage's rows in place.
Anonymiser = Callable[[Sequence[int]], None]
# (customers) -> the customers among them that may not be anonymised now.
Blocker = Callable[["QuerySet[Customer]"], "QuerySet[Customer]"]
# (customers, since) -> the customers among them with activity since `since` or converted.
RetentionHold = Callable[["QuerySet[Customer]", dt.datetime], "QuerySet[Customer]"]
# (customer ids) -> None; consent to marketing was withdrawn (same transaction).
ConsentWithdrawn = Callable[[Sequence[int]], None]


@dataclass(frozen=True)
class PersonalDataHandler:
    """A stage's share of personal-data handling.

    `blocked_reason` is shown when `blocker` refuses an erasure (e.g. "an open contract");
    `retention_hold` keeps a customer the stage still works with (or who bought) out of
    the retention job; `consent_withdrawn` stops what the stage would still send."""

    app: str
    export: Exporter | None = None
    anonymise: Anonymiser | None = None
    blocker: Blocker | None = None
    blocked_reason: str | Promise = ""
    retention_hold: RetentionHold | None = None
    consent_withdrawn: ConsentWithdrawn | None = None


_handlers: list[PersonalDataHandler] = []


def register_personal_data(*, app: str, export: Exporter | None = None,
                           anonymise: Anonymiser | None = None, blocker: Blocker | None = None,
                           blocked_reason: str | Promise = "",
                           retention_hold: RetentionHold | None = None,
                           consent_withdrawn: ConsentWithdrawn | None = None) -> None:
    handler = PersonalDataHandler(app=app, export=export, anonymise=anonymise, blocker=blocker,
                                  blocked_reason=blocked_reason, retention_hold=retention_hold,
                                  consent_withdrawn=consent_withdrawn)
    # Django may run ready() twice: the same handler again is a no-op.
    if handler not in _handlers:
        _handlers.append(handler)


def personal_data_handlers() -> list[PersonalDataHandler]:
    """Every stage's handler, in registration (INSTALLED_APPS, so layer) order."""
    return list(_handlers)
