"""The access matrix (issue 10): every URL pattern × every principal × ownership × method
answers as `tests/access_matrix.py` says, and a refused POST changes nothing.

The world (two stores, a user of every role, one object of each kind per ownership) is
built once for the module inside a transaction that is rolled back at the end; every
request runs in a savepoint that is rolled back too, so a POST that goes through leaves the
next request the same world. POSTs carry an empty body: the point is the access decision,
not the form. A new URL needs a row in the table; one that takes an object names one of
the world's kinds (see `_build_world`) or adds its kind there.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from contracts.enums import ContractStatus, DocumentStatus, PaymentKind
from contracts.models import ContractDocument, Payment, RefundObligation
from contracts.services.contracts import contract_cancel
from dealership.enums import Role, Seniority
from leads.api import api_key_create
from leads.enums import Channel
from leads.models import ImportBatch
from leads.webhooks import sms_signature
from reports.services.kiosk import kiosk_link_revoke
from tests import access_matrix as matrix
from tests import (
    access_world_aftersales,
    access_world_delivery,
    access_world_issue14,
    access_world_reports,
)
from tests.contracts.factories import make_contract, make_quote, pending_approval
from tests.factories import CustomerFactory, StoreFactory, TeamFactory, UserFactory
from tests.leads.factories import CampaignFactory, LeadFactory, LostRequestFactory
from tests.showroom.factories import (
    DemoVehicleFactory,
    DutyShiftFactory,
    TalkTrackFactory,
    VisitFactory,
)
from tests.showroom.factories_invitations import (
    InspectionCheckFactory,
    InspectionItemFactory,
    InvitationFactory,
)
from tests.showroom.factories_test_drives import DriveFactory, tomorrow_at

# The apps whose tables a refused POST must leave as they were (row counts).
OUR_APPS = ("dealership", "leads", "showroom", "contracts", "delivery", "aftersales",
            "reports")
PHOTO = "inspections/matrix/problem.jpg"
PDF = "contracts/matrix/signed.pdf"
SMS_SECRET = "matrix-sms-secret"


# --- The URLs -----------------------------------------------------------------------------
def url_patterns(patterns=None, prefix: str = "", namespaces: tuple[str, ...] = ()):
    """(key, route) of every URL pattern, walking included resolvers; the key is the
    namespaced name, or the route of an unnamed pattern."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
            yield from url_patterns(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            key = ":".join((*namespaces, pattern.name)) if pattern.name else route
            yield key, route, namespaces


def matrix_urls() -> dict[str, str]:
    """Every URL the matrix must cover: key → route."""
    found = {}
    for key, route, namespaces in url_patterns():
        if any(ns in matrix.EXCLUDED_NAMESPACES for ns in namespaces):
            continue
        if route.startswith(tuple(matrix.EXCLUDED_ROUTE_PREFIXES)):
            continue
        found[key] = route
    return found


def test_every_url_pattern_has_a_row():
    missing = sorted(set(matrix_urls()) - set(matrix.ROWS_BY_NAME))

    assert missing == [], (
        "URL patterns without a row in tests/access_matrix.py (add who may use them): "
        + ", ".join(missing))


def test_every_row_names_an_existing_url_pattern():
    stale = sorted(set(matrix.ROWS_BY_NAME) - set(matrix_urls()))

    assert stale == [], "rows of tests/access_matrix.py whose URL is gone: " + ", ".join(stale)


def test_every_row_answers_for_every_principal():
    known = {matrix.OK, matrix.KEPT, matrix.SKIP, *matrix.REFUSED}
    incomplete, unknown = [], []
    for row in matrix.ROWS:
        for method, table in (("GET", row.get), ("POST", row.post)):
            if set(table) != set(matrix.PRINCIPALS):
                incomplete.append(f"{row.name} · {method}")
            for principal, answer in table.items():
                cells = answer if isinstance(answer, tuple) else (answer,)
                if not set(cells) <= known or (isinstance(answer, tuple) and len(cells) != 3):
                    unknown.append(f"{row.name} · {principal} · {method}: {answer!r}")
    duplicates = sorted({row.name for row in matrix.ROWS
                         if sum(r.name == row.name for r in matrix.ROWS) > 1})

    assert (incomplete, unknown, duplicates) == ([], [], [])


def test_the_kiosk_is_asked_only_about_the_wall_screen():
    """The kiosk (issue 13) is an anonymous browser whose signed link is the wall screen's
    URL: it holds no session or token that could open anything else, so only the wall
    rows ask it (every other page answers it as anonymous)."""
    rows = sorted(row.name for row in matrix.ROWS
                  if {row.get[matrix.KIOSK], row.post[matrix.KIOSK]} != {matrix.SKIP})

    assert rows == ["wall:meeting", "wall:panel", "wall:screen"]


# --- The world ----------------------------------------------------------------------------
@dataclass
class World:
    objects: dict[str, dict[str, tuple[models.Model, dict, str]]]  # kind → ownership → ...
    sessions: dict[str, str]  # role → session key
    api_key: str
    clients: dict[str, Client] = field(default_factory=dict)


def _build_world() -> World:
    """Store A (own, other) and store B (foreign). In store A: a user of every role, the
    consultant `con` in the supervisor's team, and `con2` in another supervisor's team;
    in store B, a consultant with a supervisor and a manager. Each ownership's objects
    belong to con, con2, and store B's consultant.

    Kinds: customer, customer_query (?customer=), lead, lead_query (?lead=), lost_request,
    pool_lead (other: a lead someone owns), team_consultant, visit (arrived now),
    test_drive, invitation, quote, quote_version, approved_quote (no contract yet),
    approval (supervisor tier, pending), contract_<status> (draft, in_review, approved,
    signed with its PDF stored, delivered); store-level (own and foreign only): campaign,
    import_batch, shift, talk_track, demo_vehicle, inspection_item, inspection_photo,
    payment (a deposit to confirm), refund (owed by a cancelled contract); and the delivery
    stage's kinds, see `tests/access_world_delivery.py`; the after-sales stage's, see
    `tests/access_world_aftersales.py`; the reports stage's, see
    `tests/access_world_reports.py`; issue 14's, see `tests/access_world_issue14.py`."""
    store = StoreFactory(code="MXA", name="矩阵店")
    elsewhere = StoreFactory(code="MXB", name="别的矩阵店")
    make = UserFactory
    sup = make(username="mx-sup", role=Role.SUPERVISOR, store=store)
    con = make(username="mx-con", role=Role.CONSULTANT, store=store,
               team=TeamFactory(store=store, supervisor=sup), seniority=Seniority.SENIOR)
    sup2 = make(username="mx-sup2", role=Role.SUPERVISOR, store=store)
    con2 = make(username="mx-con2", role=Role.CONSULTANT, store=store,
                team=TeamFactory(store=store, supervisor=sup2))
    sup_b = make(username="mx-sup-b", role=Role.SUPERVISOR, store=elsewhere)
    con_b = make(username="mx-con-b", role=Role.CONSULTANT, store=elsewhere,
                 team=TeamFactory(store=elsewhere, supervisor=sup_b))
    mgr = make(username="mx-mgr", role=Role.MANAGER, store=store)
    mgr_b = make(username="mx-mgr-b", role=Role.MANAGER, store=elsewhere)
    users = {Role.CONSULTANT: con, Role.SUPERVISOR: sup, Role.MANAGER: mgr}
    for role in (Role.RECEPTIONIST, Role.FINANCE, Role.SERVICE_ADVISOR, Role.CUSTOMER_CARE,
                 Role.MARKETING):
        users[role] = make(username=f"mx-{role}", role=role, store=store)
    users[Role.GROUP_EXEC] = make(username="mx-group", role=Role.GROUP_EXEC, store=None,
                                  dealer_group=store.group)
    users[Role.ADMIN] = make(username="mx-admin", role=Role.ADMIN, store=None,
                             is_staff=True, is_superuser=True)
    assert set(users) == set(Role.values)

    # Whose object each ownership is: (store, consultant, their manager).
    owners = {matrix.OWN: (store, con, mgr), matrix.OTHER: (store, con2, mgr),
              matrix.FOREIGN: (elsewhere, con_b, mgr_b)}
    objects: dict[str, dict] = {}

    def put(kind: str, ownership: str, instance, kwargs: dict | None = None,
            query: str = "") -> None:
        objects.setdefault(kind, {})[ownership] = (
            instance, {"pk": instance.pk} if kwargs is None else kwargs, query)

    demo = {store.pk: DemoVehicleFactory(store=store),
            elsewhere.pk: DemoVehicleFactory(store=elsewhere)}
    for hour, (ownership, (shop, seller, boss)) in enumerate(owners.items(), start=10):
        customer = CustomerFactory(store=shop, owner=seller)
        put("customer", ownership, customer)
        put("customer_query", ownership, customer, {}, f"?customer={customer.pk}")
        lead = LeadFactory(store=shop, owner=seller, customer=customer)
        put("lead", ownership, lead)
        put("lead_query", ownership, lead, {}, f"?lead={lead.pk}")
        put("lost_request", ownership, LostRequestFactory(lead=lead))
        put("team_consultant", ownership, seller)
        # Arrived now: today's visit, which the desk may open.
        put("visit", ownership, VisitFactory(store=shop, consultant=seller))
        put("test_drive", ownership, DriveFactory(
            store=shop, consultant=seller, customer=customer, vehicle=demo[shop.pk],
            slot_start=tomorrow_at(shop, hour)))
        put("invitation", ownership, InvitationFactory(lead=lead))
        quote = make_quote(seller, customer)
        put("quote", ownership, quote)
        put("quote_version", ownership, quote, {"pk": quote.pk, "number": 1})
        put("approved_quote", ownership, make_quote(seller, customer))
        put("approval", ownership, pending_approval(
            make_quote(seller, customer, discount=Decimal("5000"))))
        for status in (ContractStatus.DRAFT, ContractStatus.IN_REVIEW,
                       ContractStatus.APPROVED, ContractStatus.SIGNED,
                       ContractStatus.DELIVERED):
            contract = make_contract(seller, customer, manager=boss, status=status)
            put(f"contract_{status}", ownership, contract)
        signed = objects["contract_signed"][ownership][0]
        ContractDocument.objects.filter(contract=signed).update(
            status=DocumentStatus.READY, file=PDF, sha256="0" * 64, size=8)
        # The pool: a lead of the store nobody owns; "other" is a lead a consultant owns.
        pooled = LeadFactory(store=shop, owner=None,
                             customer=CustomerFactory(store=shop, owner=None))
        put("pool_lead", ownership, lead if ownership == matrix.OTHER else pooled)
        if ownership == matrix.OTHER:
            continue
        # Store-level objects: own store and the other store only.
        put("campaign", ownership, CampaignFactory(store=shop))
        put("import_batch", ownership, ImportBatch.objects.create(
            store=shop, filename="leads.csv", uploaded_by=boss))
        put("shift", ownership, DutyShiftFactory(store=shop, consultant=seller))
        put("talk_track", ownership, TalkTrackFactory(store=shop))
        put("demo_vehicle", ownership, demo[shop.pk])
        item = InspectionItemFactory(store=shop)
        put("inspection_item", ownership, item)
        put("inspection_photo", ownership,
            InspectionCheckFactory(item=item, ok=False, note="划痕", photo=PHOTO,
                                   checked_by=boss))
        put("payment", ownership, Payment.objects.get(contract=signed, kind=PaymentKind.DEPOSIT))
        refunded = make_contract(seller, customer, manager=boss, status=ContractStatus.SIGNED)
        contract_cancel(actor=boss, contract=refunded, reason="客户放弃购买")
        put("refund", ownership, RefundObligation.objects.get(contract=refunded))

    # The delivery stage's kinds (stock, orders with their car, loans, inspection items).
    access_world_delivery.build(put, owners, store_level=matrix.STORE_LEVEL)
    # The after-sales stage's kinds (owners with their care plan, appointments, surveys,
    # complaints, points, packages, care campaigns).
    access_world_aftersales.build(put, owners, store_level=matrix.STORE_LEVEL)
    # The reports stage's kinds (closed days, meeting notes, wall-screen links, daily
    # report PDFs, the consultants' commission statements).
    access_world_reports.build(put, owners, store_level=matrix.STORE_LEVEL)
    # Issue 14's kinds (the catalogue's trims, colours, accessories and packages, an
    # outbox message).
    access_world_issue14.build(put, owners, store_level=matrix.STORE_LEVEL)

    _api_row, key = api_key_create(store=store, channel=Channel.WEBSITE, name="matrix")
    sessions = {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return World(objects=objects, sessions=sessions, api_key=key)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


@pytest.fixture
def stored_files(settings):
    """The files the world's rows point at, in this test's MEDIA_ROOT."""
    for name, content in ((PHOTO, b"\xff\xd8\xff\xe0matrix"), (PDF, b"%PDF-1.4"),
                          (access_world_delivery.HANDOVER_PHOTO, b"\xff\xd8\xff\xe0matrix")):
        path = Path(settings.MEDIA_ROOT) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    for name, content in access_world_reports.STORED_FILES.items():
        path = Path(settings.MEDIA_ROOT) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


# --- Asking -------------------------------------------------------------------------------
class _Rollback(Exception):
    """Leaves the request's savepoint, undoing what the request wrote."""


def _client_for(world: World, principal: str) -> tuple[Client, dict]:
    """The principal's client with a fresh cookie jar (a logout or a language cookie of
    the last request does not leak into the next) and the headers it sends."""
    client = world.clients.setdefault(principal, Client())
    client.cookies = SimpleCookie()
    headers: dict[str, str] = {}
    if principal in world.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[principal]
    elif principal == matrix.API_KEY:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {world.api_key}"
    elif principal == matrix.SMS_GATEWAY:
        # It signs the body it sends: an empty form, not the test client's empty multipart.
        headers["content_type"] = "application/x-www-form-urlencoded"
        timestamp = str(int(time.time()))
        headers["HTTP_X_TIMESTAMP"] = timestamp
        headers["HTTP_X_SIGNATURE"] = sms_signature(secret=SMS_SECRET, timestamp=timestamp,
                                                    body=b"")
    # Anonymous, and the kiosk (the wall screen's signed link is its URL): no session.
    return client, headers


def _answer_of(response) -> str:
    status = response.status_code
    if 300 <= status < 400:
        location = response.get("Location", "")
        return matrix.LOGIN if location.split("?")[0] == reverse("login") else matrix.OK
    if 200 <= status < 300 or status == 400:
        return matrix.OK
    return str(status)


def _table_counts() -> tuple[int, ...]:
    """Row counts of every table of our apps (the audit trail included), in one query."""
    tables = sorted({model._meta.db_table for app in OUR_APPS
                     for model in apps.get_app_config(app).get_models()
                     if model._meta.managed and not model._meta.proxy})
    quote = connection.ops.quote_name
    # The names are our models' table names, quoted: no outside input reaches the SQL.
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)  # noqa: S608
    sql = f"SELECT {counts}"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


def _row_of(instance) -> tuple | None:
    """The object's row as stored, every column."""
    if instance is None:
        return None
    meta = instance._meta
    quote = connection.ops.quote_name
    sql = f"SELECT * FROM {quote(meta.db_table)} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [instance.pk])
        return cursor.fetchone()


def _targets(row: matrix.Row, world: World) -> list[tuple[str, str, models.Model | None]]:
    """(ownership, URL, object) of each ownership the row runs."""
    if row.obj is None:
        unnamed = {key for key, route, _ns in url_patterns() if key == route}
        url = "/" + row.name if row.name in unnamed else reverse(row.name)
        return [(matrix.NONE, url, None)]
    targets = []
    for ownership in row.ownerships():
        instance, kwargs, query = world.objects[row.obj][ownership]
        targets.append((ownership, reverse(row.name, kwargs=kwargs) + query, instance))
    return targets


def _ask(world: World, row: matrix.Row) -> list[str]:
    """Every request of the row; the mismatches, as `name · principal · ownership ·
    method: expected X, got Y`."""
    mismatches = []
    targets = _targets(row, world)
    for method in ("GET", "POST"):
        for principal in matrix.PRINCIPALS:
            for ownership, url, instance in targets:
                expected = row.expected(method, principal, ownership)
                if expected == matrix.SKIP or (expected == matrix.NA
                                               and ownership != targets[0][0]):
                    continue
                got, changed = _request(world, principal, method, url, instance,
                                        check_writes=expected in (*matrix.REFUSED,
                                                                  matrix.KEPT))
                if expected == matrix.KEPT and got == matrix.OK:
                    got = matrix.KEPT
                where = f"{row.name} · {principal} · {ownership} · {method}"
                if got != expected:
                    mismatches.append(f"{where}: expected {expected}, got {got}")
                elif changed:
                    mismatches.append(f"{where}: refused ({got}) but changed {changed}")
    return mismatches


def _request(world: World, principal: str, method: str, url: str, instance,
             *, check_writes: bool) -> tuple[str, str]:
    client, headers = _client_for(world, principal)
    changed = ""
    try:
        with transaction.atomic():
            check = check_writes and method == "POST"
            before = (_table_counts(), _row_of(instance)) if check else None
            try:
                response = (client.get(url, **headers) if method == "GET"
                            else client.post(url, "", **headers) if "content_type" in headers
                            else client.post(url, **headers))
            except Exception as error:  # reported as the answer
                got = f"exception {type(error).__name__}: {error}"
            else:
                got = _answer_of(response)
                if response.streaming:  # read to the end: the file is closed
                    b"".join(response.streaming_content)
            if check:
                after = (_table_counts(), _row_of(instance))
                if after[0] != before[0]:
                    changed = "row counts"
                elif after[1] != before[1]:
                    changed = "the object's row"
            raise _Rollback
    except _Rollback:
        pass
    return got, changed


@pytest.mark.django_db
@pytest.mark.parametrize("name", [row.name for row in matrix.ROWS])
def test_access(world, stored_files, settings, name):
    settings.LEADS_SMS_WEBHOOK_SECRET = SMS_SECRET
    row = matrix.ROWS_BY_NAME[name]

    mismatches = _ask(world, row)

    assert mismatches == [], "\n" + "\n".join(mismatches)


@pytest.mark.django_db
def test_the_world_has_one_object_per_ownership_of_each_kind(world):
    kinds = {row.obj for row in matrix.ROWS if row.obj is not None}
    missing = [f"{row.obj} · {ownership}" for row in matrix.ROWS if row.obj is not None
               for ownership in row.ownerships() if ownership not in world.objects[row.obj]]

    assert (kinds - set(world.objects), missing) == (set(), [])



# --- Reports: what one row per URL cannot say ----------------------------------------------
PUBLIC_PRINCIPALS = (matrix.ANON, matrix.KIOSK, *matrix.ROLES)


def _ask_each(world: World, url: str, expected: dict[str, str], *, method: str = "GET",
              instance=None) -> list[str]:
    mismatches = []
    for principal, answer in expected.items():
        got, changed = _request(world, principal, method, url, instance,
                                check_writes=answer in matrix.REFUSED)
        if got != answer:
            mismatches.append(f"{method} {url} · {principal}: expected {answer}, got {got}")
        elif changed:
            mismatches.append(f"{method} {url} · {principal}: refused, yet changed {changed}")
    return mismatches


@pytest.mark.django_db
def test_a_tampered_or_revoked_wall_link_is_404(world, stored_files):
    """The wall screen's only key is its signed link: a tampered signature, a bare key, an
    unknown meeting or slot, and a revoked link answer 404 to everyone, signed in or not."""
    link = world.objects["wall_link"][matrix.OWN][0]
    signed = world.objects["wall_link"][matrix.OWN][1]["signed"]
    tampered = signed[:-1] + ("A" if signed[-1] != "A" else "B")
    urls = [
        reverse("wall:screen", kwargs={"signed": tampered}),
        reverse("wall:screen", kwargs={"signed": link.key}),
        reverse("wall:meeting", kwargs={"signed": tampered, "meeting": "evening"}),
        reverse("wall:meeting", kwargs={"signed": signed, "meeting": "noon"}),
        reverse("wall:panel", kwargs={"signed": tampered, "meeting": "evening", "slot": 1}),
        reverse("wall:panel", kwargs={"signed": signed, "meeting": "evening", "slot": 5}),
        reverse("wall:panel", kwargs={"signed": signed, "meeting": "noon", "slot": 1}),
    ]
    everyone_404 = dict.fromkeys(PUBLIC_PRINCIPALS, matrix.NF)
    mismatches = [m for url in urls for m in _ask_each(world, url, everyone_404)]

    kiosk_link_revoke(link=link, actor=None)  # undone with the test's transaction
    for name, kind in (("wall:screen", "wall_link"), ("wall:meeting", "wall_link_meeting"),
                       ("wall:panel", "wall_link_panel")):
        kwargs = world.objects[kind][matrix.OWN][1]
        mismatches += _ask_each(world, reverse(name, kwargs=kwargs), everyone_404)

    assert mismatches == [], "\n" + "\n".join(mismatches)


@pytest.mark.django_db
def test_a_meeting_note_of_an_unknown_meeting_is_404(world, stored_files):
    """The note form's <meeting> is morning or evening: anything else is 404 for the
    manager (after the role check: the others are refused first) and writes nothing."""
    url = reverse("reports:meeting_note_add", kwargs={"meeting": "noon"})
    expected = {principal: matrix.F for principal in matrix.ROLES}
    expected.update({matrix.ANON: matrix.LOGIN, matrix.MGR: matrix.NF})

    assert _ask_each(world, url, expected, method="POST") == []


@pytest.mark.django_db
def test_the_commission_csv_is_for_payroll(world, stored_files):
    """`?format=csv` of the commission page: the store's managers and finance; a
    consultant, who may read their own statement, is refused the store's file (403)."""
    url = reverse("reports:commission") + "?format=csv"
    expected = {principal: matrix.F for principal in matrix.ROLES}
    expected.update({matrix.ANON: matrix.LOGIN, matrix.MGR: matrix.OK,
                     matrix.FIN: matrix.OK})

    assert _ask_each(world, url, expected) == []
