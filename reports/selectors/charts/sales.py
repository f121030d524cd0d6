"""The sales reports: the funnel by channel and campaign, the consultants' ranking,
lost reasons, the first-contact SLA."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from contracts.models import Contract, Quote
from dealership.enums import Role
from dealership.models import Store, User
from leads.enums import ONLINE_CHANNELS, Channel, LeadStatus, LostReason
from leads.models import Lead
from leads.selectors.periods import period_for
from reports.metrics import (
    DRIVEN_STATUSES,
    FIRST_CONTACT_MINUTES,
    Activity,
    Rate,
    activity_by_consultant,
    store_activity,
    store_figures,
)
from reports.selectors.charts.tables import (
    DASH,
    Report,
    Table,
    _chart,
    _chart_value,
    _money,
    _n,
    _per,
    _person,
)
from showroom.models import TestDrive, Visit


# --- 1. The funnel by channel and by campaign ----------------------------------------------
@dataclass
class FunnelCounts:
    leads: int = 0
    visited: int = 0
    test_driven: int = 0
    quoted: int = 0
    won: int = 0
    delivered: int = 0

    STEPS = ("leads", "visited", "test_driven", "quoted", "won", "delivered")

    def add(self, other: FunnelCounts) -> None:
        for step in self.STEPS:
            setattr(self, step, getattr(self, step) + getattr(other, step))

    @property
    def to_visit(self) -> Rate:
        return Rate(self.visited, self.leads)

    @property
    def to_deal(self) -> Rate:
        return Rate(self.won, self.leads)

    def cells(self) -> tuple[str, ...]:
        return (*(_n(getattr(self, step)) for step in self.STEPS),
                self.to_visit.percent, self.to_deal.percent)


def _reached(model, moment: str, **extra) -> Exists:
    """The lead reached this step: a row naming the lead, or a row of its customer from
    after the lead was created (the rule `reports.metrics` reads "has a visit" with)."""
    return Exists(model.objects.filter(
        Q(lead=OuterRef("pk"))
        | Q(customer=OuterRef("customer"), **{f"{moment}__gte": OuterRef("created_at")}),
        **extra))


def funnel_report(*, store: Store, first_day: dt.date, last_day: dt.date) -> Report:
    """Leads created in the period → with a visit → a test drive (driven) → a quote → a deal
    (the lead won, as §3's lead-to-deal reads it) → a delivered contract; per channel and
    per campaign, with the campaign's budget per lead and per deal. One query."""
    period = period_for(store, first_day, last_day)
    groups = (
        Lead.objects.filter(store=store, created_at__gte=period.start,
                            created_at__lt=period.end)
        .values("channel", "campaign", "campaign__name", "campaign__budget").order_by()
        .annotate(
            leads=Count("pk"),
            visited=Count("pk", filter=_reached(Visit, "arrived_at")),
            test_driven=Count("pk", filter=_reached(TestDrive, "slot_start",
                                                    status__in=DRIVEN_STATUSES)),
            quoted=Count("pk", filter=_reached(Quote, "created_at")),
            won=Count("pk", filter=Q(status=LeadStatus.WON)),
            delivered=Count("pk", filter=_reached(Contract, "signed_at",
                                                  delivered_at__isnull=False)),
        )
    )
    by_channel: dict[str, FunnelCounts] = defaultdict(FunnelCounts)
    by_campaign: dict[int | None, FunnelCounts] = defaultdict(FunnelCounts)
    campaigns: dict[int, tuple[str, Decimal]] = {}
    total = FunnelCounts()
    for group in groups:
        counts = FunnelCounts(**{step: group[step] for step in FunnelCounts.STEPS})
        by_channel[group["channel"]].add(counts)
        by_campaign[group["campaign"]].add(counts)
        total.add(counts)
        if group["campaign"] is not None:
            campaigns[group["campaign"]] = (group["campaign__name"], group["campaign__budget"])
    labels = dict(Channel.choices)
    steps = (_("Leads"), _("Visited"), _("Test-driven"), _("Quoted"), _("Deals"),
             _("Delivered"), _("Lead to visit"), _("Lead to deal"))
    channel_rows = [(str(label), *by_channel[code].cells())
                    for code, label in Channel.choices if code in by_channel]
    campaign_rows = []
    for pk, (name, budget) in sorted(campaigns.items(), key=lambda kv: kv[1][0]):
        counts = by_campaign[pk]
        campaign_rows.append((name, *counts.cells(), _money(budget or None),
                              _money(_per(budget, counts.leads)),
                              _money(_per(budget, counts.won))))
    if None in by_campaign:
        campaign_rows.append((_("No campaign"), *by_campaign[None].cells(), DASH, DASH, DASH))
    tables = [
        Table("channel", _("By channel"), (_("Channel"), *steps), channel_rows,
              (_("Store"), *total.cells())),
        Table("campaign", _("By campaign"),
              (_("Campaign"), *steps, _("Budget"), _("Cost per lead"), _("Cost per deal")),
              campaign_rows, (_("Store"), *total.cells(), DASH, DASH, DASH)),
    ]
    chart = _chart(steps[:6], [(str(labels[code]), [getattr(c, s) for s in FunnelCounts.STEPS])
                               for code, c in by_channel.items()],
                   stacked=True)
    return Report(tables, chart, is_empty=not total.leads, totals={"funnel": total})


# --- 2. The consultants' ranking -----------------------------------------------------------
def ranking_report(*, store: Store, first_day: dt.date, last_day: dt.date) -> Report:
    """Per consultant: deals, walk-ins served, test drives, invitations made, new leads,
    and walk-in conversion (their deals ÷ the first visits they served); most deals first.
    Every active consultant of the store has a line, with nothing done too; the store's
    line takes §3's walk-in conversion (distinct customers) from `store_figures`."""
    activity = activity_by_consultant(store=store, first_day=first_day, last_day=last_day)
    names = {pk: name or username for pk, name, username in User.objects.filter(
        Q(pk__in=[pk for pk in activity if pk is not None])
        | Q(store=store, role=Role.CONSULTANT, is_active=True),
    ).values_list("pk", "name", "username")}
    lines = [(names[pk], activity.get(pk) or Activity()) for pk in names]
    lines.sort(key=lambda line: (-line[1].deals, -line[1].walk_ins, line[0]))
    if None in activity:  # walk-ins nobody served yet, pool leads
        lines.append((pgettext("consultant", "Not attributed"), activity[None]))
    figures = store_figures(store=store, first_day=first_day, last_day=last_day)
    total = store_activity(activity)

    def cells(name: str, row: Activity, conversion: Rate) -> tuple[str, ...]:
        return (name, _n(row.deals), _n(row.walk_ins), _n(row.first_visits),
                _n(row.test_drives), _n(row.invitations), _n(row.new_leads),
                conversion.percent)

    header = (_("Consultant"), _("Deals"), _("Walk-ins"), _("First visits"), _("Test drives"),
              _("Invitations"), _("New leads"), _("Walk-in conversion"))
    rows = [cells(name, row, Rate(row.deals, row.first_visits)) for name, row in lines]
    table = Table("consultant", _("Ranking"), header, rows,
                  cells(_("Store"), total, figures.walk_in_conversion))
    chart = _chart([name for name, _row in lines],
                   [(_("Deals"), [row.deals for _name, row in lines]),
                    (_("Test drives"), [row.test_drives for _name, row in lines])],
                   horizontal=True)
    return Report([table], chart, is_empty=total == Activity(),
                  totals={"activity": total, "figures": figures})


# --- 3. Lost reasons -------------------------------------------------------------------
def lost_reasons_report(*, store: Store, first_day: dt.date, last_day: dt.date) -> Report:
    """Leads closed lost in the period, by reason and by channel (reasons as rows, the
    channels that lost a lead as columns). One query."""
    period = period_for(store, first_day, last_day)
    reasons = dict(LostReason.choices)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for reason, channel, n in (
            Lead.objects.filter(store=store, status=LeadStatus.LOST,
                                closed_at__gte=period.start, closed_at__lt=period.end)
            .values("lost_reason", "channel").order_by().annotate(n=Count("pk"))
            .values_list("lost_reason", "channel", "n")):
        counts[reason if reason in reasons else "", channel] += n
    channels = [(code, str(label)) for code, label in Channel.choices
                if any(c == code for _r, c in counts)]
    lines = [(code, str(label)) for code, label in LostReason.choices]
    if any(r == "" for r, _c in counts):
        lines.append(("", pgettext("lost reason", "Not given")))
    total = sum(counts.values())
    rows, data = [], []
    for code, label in lines:
        by_reason = sum(n for (r, _c), n in counts.items() if r == code)
        rows.append((label, *(_n(counts.get((code, ch), 0)) for ch, _l in channels),
                     _n(by_reason), Rate(by_reason, total).percent))
        data.append(by_reason)
    footer = (_("Store"), *(_n(sum(n for (_r, c), n in counts.items() if c == ch))
                            for ch, _l in channels), _n(total), Rate(total, total).percent)
    header = (_("Reason"), *(label for _c, label in channels), pgettext("count", "Total"),
              _("Share"))
    table = Table("reason", _("By reason and channel"), header, rows, footer)
    chart = _chart([label for _c, label in lines], [(_("Lost leads"), data)],
                   horizontal=True)
    return Report([table], chart, is_empty=not total, totals={"lost": total})


# --- 4. First-contact SLA -------------------------------------------------------------
def first_contact_report(*, store: Store, first_day: dt.date, last_day: dt.date) -> Report:
    """Online leads created in the period first touched within 60 minutes (§3), by online
    channel and by consultant (the lead's owner). One query."""
    period = period_for(store, first_day, last_day)
    within = dt.timedelta(minutes=FIRST_CONTACT_MINUTES)
    groups = list(
        Lead.objects.filter(store=store, channel__in=ONLINE_CHANNELS,
                            created_at__gte=period.start, created_at__lt=period.end)
        .values("channel", "owner", "owner__name", "owner__username").order_by()
        .annotate(total=Count("pk"), met=Count("pk", filter=Q(
            first_touch_at__isnull=False, first_touch_at__lte=F("created_at") + within))))
    by_channel: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_owner: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
    names: dict[int, str] = {}
    for group in groups:
        for bucket in (by_channel[group["channel"]], by_owner[group["owner"]]):
            bucket[0] += group["met"]
            bucket[1] += group["total"]
        if group["owner"] is not None:
            names[group["owner"]] = group["owner__name"] or group["owner__username"]
    met = sum(m for m, _t in by_channel.values())
    total = sum(t for _m, t in by_channel.values())
    store_rate = Rate(met, total)

    def cells(label: str, counts: Sequence[int]) -> tuple[str, ...]:
        return (label, _n(counts[0]), _n(counts[1]), Rate(counts[0], counts[1]).percent)

    header = (_("Touched within 60 min"), _("Online leads"), _("SLA met"))
    channel_rows = [cells(str(label), by_channel[code]) for code, label in Channel.choices
                    if code in ONLINE_CHANNELS]
    owners = sorted(by_owner, key=lambda pk: (pk is None, names.get(pk, "")))
    owner_rows = [cells(_person(names, pk) if pk is not None
                        else pgettext("lead owner", "Unassigned"), by_owner[pk])
                  for pk in owners]
    footer = cells(_("Store"), (met, total))
    tables = [Table("channel", _("By channel"), (_("Channel"), *header), channel_rows, footer),
              Table("consultant", _("By consultant"), (_("Consultant"), *header), owner_rows,
                    footer)]
    chart = _chart([row[0] for row in channel_rows],
                   [(str(_("Within 60 min")),
                     [_chart_value(Rate(*by_channel[code])) for code in ONLINE_CHANNELS])],
                   percent=True)
    return Report(tables, chart, is_empty=not total, totals={"first_contact_sla": store_rate})
