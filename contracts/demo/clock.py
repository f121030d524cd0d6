"""The store's business time, in which the demo's stories happen."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dealership.models import Store

DAY = 600  # business minutes in a day (09:00–19:00)


class Clock:
    """The store's business time (09:00–19:00 local), counted in minutes: a story's steps
    spread over working days and never land at night."""

    def __init__(self, store: Store, now: dt.datetime) -> None:
        self.tz = store.tzinfo
        self.opens = dt.time(9, 0)
        self.epoch = timezone.localdate(now, self.tz) - dt.timedelta(days=400)
        # The last business minute before now: nothing of the demo happens in the future.
        self.latest = self.minutes(now) - 1

    def minutes(self, moment: dt.datetime) -> float:
        local = moment.astimezone(self.tz)
        start = dt.datetime.combine(local.date(), self.opens, tzinfo=self.tz)
        days = (local.date() - self.epoch).days
        into = (local - start).total_seconds() / 60
        if into > DAY:  # after closing: the next morning
            return (days + 1) * DAY
        # Closing time itself stays in its day (a second before it, not the next morning).
        return days * DAY + min(max(into, 0), DAY - 1 / 60)

    def moment(self, minutes: float) -> dt.datetime:
        day, into = divmod(minutes, DAY)
        start = dt.datetime.combine(self.epoch + dt.timedelta(days=int(day)), self.opens,
                                    tzinfo=self.tz)
        return (start + dt.timedelta(minutes=into)).replace(microsecond=0)
