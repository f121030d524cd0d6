"""The access matrix: for every URL pattern, who gets what (issue 10).

Written by hand from the rules (DESIGN §1, `dealership/permissions.py`, each app's
`permissions.py`, the views' decorators and selectors), never from running the code.
`tests/test_access_matrix.py` walks the resolver and fails on a URL without a row here, and
on a row whose URL is gone: a new URL adds its row in the same change.

One row per URL name (an unnamed pattern is keyed by its route). For each method the row
gives, per principal, the expected answer, either one answer for every ownership or a
tuple `(own, other, foreign)`:

- **own**: the object is in the principal's natural scope: the consultant's own (customer,
  lead, visit, quote, ...), which is also their supervisor's team's and the store's;
  a store-level object (campaign, talk track, payment, ...) of the user's store;
- **other**: of the same store, but another team's consultant's (so outside the
  supervisor's team as well as the consultant's own book);
- **foreign**: of another store.

Store-level rows (`owners=STORE_LEVEL`) run only own and foreign; rows of URLs without an
object run once. A 405 comes from the method decorator before any object is looked up:
it is asked for the first ownership only. Principals: every role of
`dealership.enums.Role`, anonymous, the kiosk (the wall screen's browser: anonymous, its
signed link is the URL itself, so only the wall rows name it; every other row leaves it
out, `SKIP`) and the machines,
asked only where a row names them: a caller of the lead API with a valid key, the SMS
gateway signing its webhook calls.

Answers: OK (2xx, a 3xx that is not a redirect to the login page, or a 400 from
validation: the access decision let the request through), KEPT (answered like OK, but the
service refused and nothing may change), LOGIN (redirect to the login page), U (401),
F (403), NF (404: outside the user's scope answers 404), NA (405), C (409: the service
refused on the object's state). Every refused POST (and every KEPT one) must leave every
table of our apps, the audit trail included, with the same number of rows, and the object
it named as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dealership.enums import Role

# --- Answers ----------------------------------------------------------------------------
OK = "ok"
LOGIN = "login"
U = "401"
F = "403"
NF = "404"
NA = "405"
C = "409"
KEPT = "kept"  # answered like OK (a message, a redirect) but the service refused: no change
SKIP = "skip"  # not run: the principal does not apply to this URL (yet)
REFUSED = (LOGIN, U, F, NF, NA, C)

# --- Principals -------------------------------------------------------------------------
ANON = "anonymous"
KIOSK = "kiosk"  # the wall screen: anonymous, holding a signed kiosk link (issue 13)
API_KEY = "api_key"  # an anonymous caller with a valid bearer key of the lead API
SMS_GATEWAY = "sms_gateway"  # the SMS gateway: no session, each request signed (HMAC)
REC, CON, SUP, MGR = Role.RECEPTIONIST, Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER
FIN, SA, CC, MKT = Role.FINANCE, Role.SERVICE_ADVISOR, Role.CUSTOMER_CARE, Role.MARKETING
GX, ADM = Role.GROUP_EXEC, Role.ADMIN
ROLES = tuple(Role.values)
PRINCIPALS = (ANON, KIOSK, API_KEY, SMS_GATEWAY, *ROLES)

# --- Ownerships -------------------------------------------------------------------------
OWN, OTHER, FOREIGN = "own", "other", "foreign"
NONE = "-"  # the URL takes no object
ALL_OWNERS = (OWN, OTHER, FOREIGN)
STORE_LEVEL = (OWN, FOREIGN)
OWNER_INDEX = {OWN: 0, OTHER: 1, FOREIGN: 2}

# Common scopes, as (own, other, foreign).
OWN_ONLY = (OK, NF, NF)  # consultants their own book, supervisors their team's
STORE = (OK, OK, NF)  # store-wide roles
ANYWHERE = OK  # the administrator (no store: sees every store)
IN_SCOPE_403 = (F, F, NF)  # may open the object, may not do this to it
OWN_403 = (F, NF, NF)

# Answers are either one string or an (own, other, foreign) tuple.
Answer = str | tuple[str, str, str]


def _roles(mapping: dict[str, Answer]) -> dict[str, Answer]:
    """Short keys (con, sup, ...) to role values; role values pass through."""
    short = {"con": CON, "sup": SUP, "mgr": MGR, "fin": FIN, "sa": SA, "cc": CC, "mkt": MKT,
             "adm": ADM, "gx": GX, "receptionist": REC, "rec": REC}
    return {short.get(key, key): value for key, value in mapping.items()}


def answers(default: Answer, *, anon: Answer = LOGIN, **roles: Answer) -> dict[str, Answer]:
    """Every principal's answer: `default` for each role not named, LOGIN for anonymous
    unless told; the kiosk and the machines (API key, SMS gateway) are left out (SKIP)
    unless named."""
    table: dict[str, Answer] = {role: default for role in ROLES}
    table.update({ANON: anon, KIOSK: SKIP, API_KEY: SKIP, SMS_GATEWAY: SKIP})
    for role, answer in _roles(roles).items():
        if role not in table:
            raise KeyError(f"unknown principal {role!r}")
        table[role] = answer
    return table


def only(*allowed: str, answer: Answer = OK, **others: Answer) -> dict[str, Answer]:
    """The listed roles get `answer`, every other role 403, anonymous the login page."""
    return answers(F, **{role: answer for role in allowed}, **others)


def everyone(answer: Answer) -> dict[str, Answer]:
    """The same answer for every principal, anonymous included (405s, public pages)."""
    return answers(answer, anon=answer)


@dataclass(frozen=True)
class Row:
    name: str  # "namespace:name", or the route of an unnamed pattern
    get: dict[str, Answer]
    post: dict[str, Answer]
    obj: str | None = None  # what the URL's kwargs (or ?query) name; see the test's world
    owners: tuple[str, ...] = field(default=())
    note: str = ""

    def ownerships(self) -> tuple[str, ...]:
        if self.obj is None:
            return (NONE,)
        return self.owners or ALL_OWNERS

    def expected(self, method: str, principal: str, ownership: str) -> str:
        answer = (self.get if method == "GET" else self.post)[principal]
        if isinstance(answer, tuple):
            return answer[OWNER_INDEX[ownership]] if ownership != NONE else answer[0]
        return answer


GET_ONLY_405 = everyone(NA)  # require_safe / require_GET is the outermost decorator

# Role groups, as the code names them.
CUSTOMER_ROLES = (CON, SUP, MGR, FIN, SA, CC, MKT, ADM)
LEAD_ROLES = (CON, SUP, MGR, MKT, ADM)
CAPTURE_ROLES = (CON, REC, SUP, MGR, MKT)
SELLERS = (CON, SUP, MGR)
FLOOR = (CON, SUP, MGR, REC)
QUOTE_VIEW = (CON, SUP, MGR, FIN, ADM)
# Issue 14: dealership.search.SEARCH_ROLES (not the desk nor the group executive).
SEARCH_ROLES = (CON, SUP, MGR, FIN, SA, CC, MKT, ADM)
# A store's catalogue (dealership.permissions.can_edit_store_catalogue).
STORE_CATALOGUE = dict(mgr=STORE, adm=ANYWHERE)

# Customer scope (dealership.permissions.is_customer_in_scope).
CUSTOMER_SCOPE = dict(con=OWN_ONLY, sup=OWN_ONLY, mgr=STORE, fin=STORE, sa=STORE, cc=STORE,
                      mkt=STORE, adm=ANYWHERE)
# Lead scope (leads.permissions.is_lead_in_scope): marketing reads the store's leads.
LEAD_SCOPE = dict(con=OWN_ONLY, sup=OWN_ONLY, mgr=STORE, mkt=STORE, adm=ANYWHERE)
# Quote and contract scope (contracts.permissions.customer_scope_q): finance the store's.
MONEY_SCOPE = dict(con=OWN_ONLY, sup=OWN_ONLY, mgr=STORE, fin=STORE, adm=ANYWHERE)
# Visits and test drives: the consultant's own, the team's, the store's for manager and desk.
FLOOR_SCOPE = dict(con=OWN_ONLY, sup=OWN_ONLY, mgr=STORE, receptionist=STORE)
# Delivery (issue 11). A signed contract's order, as the contract's scope without the
# administrator (who has no store): the consultant's own, the team's, the store's.
ORDER_SCOPE = dict(con=OWN_ONLY, sup=OWN_ONLY, mgr=STORE, fin=STORE)
# Working on the contract's car (allocation, inspection, appointment, handover): its seller.
SELLER_SCOPE = dict(con=OWN_ONLY, sup=OWN_ONLY, mgr=STORE)
# The loan application and the insurance: the sellers, and the store's manager and finance.
FINANCE_SCOPE = ORDER_SCOPE
# After-sales (issue 12): aftersales.permissions.customer_scope_q / is_customer_in_scope:
# the consultant's own, the supervisor's team's, the store's for the store-wide roles
# (manager, service advisor, customer care, marketing); no store (the administrator), none.
AFTERSALES_SCOPE = dict(con=OWN_ONLY, sup=OWN_ONLY, mgr=STORE, sa=STORE, cc=STORE)
SERVICE_VIEW = (SA, CC, MGR)  # aftersales.permissions.SERVICE_VIEW_ROLES
SERVICE_BOOKING = dict(sa=STORE, cc=STORE)  # SERVICE_BOOKING_ROLES, the store's owners
COMPLAINT_VIEW = (CC, SUP, MGR, CON, SA)  # COMPLAINT_VIEW_ROLES
COMPLAINT_WORK = dict(cc=STORE, sup=STORE, mgr=STORE)  # COMPLAINT_WORK_ROLES, the store's
LOYALTY = dict(cc=STORE, sa=STORE, mgr=STORE)  # LOYALTY_ROLES, the store's customers
CARE_CAMPAIGN = (MKT, CC, MGR)  # CAMPAIGN_ROLES
# Reports (issue 13): reports.permissions.
REPORT_MEETING = (MGR, SUP)  # MEETING_ROLES
CHART_CHANNEL = (MGR, SUP, MKT)  # CHART_CHANNEL_ROLES
# The wall screen: public to whoever holds the signed link, the kiosk included.
WALL_PUBLIC = answers(OK, anon=OK, kiosk=OK)
WALL_405 = answers(NA, anon=NA, kiosk=NA)


def scoped(scope: dict[str, Answer], **overrides: Answer) -> dict[str, Answer]:
    """Roles of the scope get their scope's answers, everyone else 403 (the role check
    comes before the object is looked up), anonymous the login page."""
    return answers(F, **{**scope, **overrides})


ROWS: tuple[Row, ...] = (
    # --- The core ---------------------------------------------------------------------
    Row("home", get=answers(OK), post=GET_ONLY_405,
        note="every role lands on its own home (a redirect)"),
    Row("healthz", get=everyone(OK), post=GET_ONLY_405, note="public, for the load balancer"),
    Row("nav_badges", get=answers(OK), post=GET_ONLY_405),
    Row("favicon.ico", get=everyone(OK), post=GET_ONLY_405, note="unnamed; a public redirect"),
    Row("login", get=everyone(OK), post=everyone(OK),
        note="public; a signed-in user is sent home; an empty POST re-shows the form"),
    Row("logout", get=everyone(NA), post=everyone(LOGIN),
        note="Django's LogoutView takes POST only, from anyone, and lands on the login "
             "page (LOGOUT_REDIRECT_URL)"),
    Row("password_change", get=answers(OK), post=answers(OK)),
    Row("password_change_done", get=answers(OK), post=answers(NA),
        note="login_required wraps dispatch, so anonymous is sent to log in before the 405"),
    Row("account", get=answers(OK), post=GET_ONLY_405),
    Row("language_set", get=everyone(NA), post=answers(OK)),
    Row("set_language", get=everyone(OK), post=everyone(OK),
        note="Django's set_language: public, a redirect; GET changes nothing"),
    Row("console", get=only(ADM), post=GET_ONLY_405),
    Row("my_day", get=only(CON), post=GET_ONLY_405,
        note="open to roles some stage registered a panel for: today the consultant only"),
    Row("customers:list", get=only(*CUSTOMER_ROLES), post=GET_ONLY_405),
    Row("customers:create", get=only(CON, SUP, MGR), post=only(CON, SUP, MGR)),
    Row("customers:detail", obj="customer", get=scoped(CUSTOMER_SCOPE), post=GET_ONLY_405),
    Row("customers:edit", obj="customer",
        get=scoped(CUSTOMER_SCOPE, fin=IN_SCOPE_403, sa=IN_SCOPE_403, mkt=IN_SCOPE_403),
        post=scoped(CUSTOMER_SCOPE, fin=IN_SCOPE_403, sa=IN_SCOPE_403, mkt=IN_SCOPE_403),
        note="finance, service and marketing read customers but lack change_customer"),
    Row("customers:reveal", obj="customer", get=everyone(NA),
        post=scoped(CUSTOMER_SCOPE, mkt=IN_SCOPE_403),
        note="marketing sees numbers masked (no view_customer_pii)"),
    Row("customers:export", obj="customer", get=everyone(NA),
        post=scoped(CUSTOMER_SCOPE, con=OWN_403, sup=OWN_403, fin=IN_SCOPE_403,
                    sa=IN_SCOPE_403, mkt=IN_SCOPE_403),
        note="PIPL copy: export_customer_data is the manager's, customer care's, admin's"),
    Row("customers:erase", obj="customer", get=scoped(dict(mgr=STORE, adm=ANYWHERE)),
        post=scoped(dict(mgr=STORE, adm=ANYWHERE)),
        note="erasure by anonymisation: the manager of the store or the administrator"),
    Row("stock:list", get=only(CON, SUP, MGR, FIN, ADM), post=GET_ONLY_405),
    # Issue 14: the header's search, the lists' CSV exports (as their list), and the
    # group's catalogue of trims and colours (no store: the managers read it, only the
    # administrator changes it; an empty form is refused, 400).
    Row("search", get=only(*SEARCH_ROLES), post=GET_ONLY_405,
        note="without ?q= the page asks for a text (400); the desk and the group have none"),
    Row("customers:list_export", get=only(*CUSTOMER_ROLES), post=GET_ONLY_405),
    Row("stock:export", get=only(CON, SUP, MGR, FIN, ADM), post=GET_ONLY_405),
    *(Row(f"catalogue:{kind}_list", get=only(MGR, ADM), post=GET_ONLY_405)
      for kind in ("trim", "colour")),
    *(Row(f"catalogue:{kind}_create", get=only(ADM), post=only(ADM))
      for kind in ("trim", "colour")),
    *(Row(f"catalogue:{kind}_detail", obj=kind, owners=(OWN,), get=only(MGR, ADM),
          post=only(ADM), note="the manager reads the item; saving is the administrator's")
      for kind in ("trim", "colour")),
    *(Row(f"catalogue:{kind}_active", obj=kind, owners=(OWN,), get=everyone(NA),
          post=only(ADM), note="without is_active=0/1 the request is refused (400)")
      for kind in ("trim", "colour")),
    # --- Leads ------------------------------------------------------------------------
    Row("leads/my-day/", get=everyone(OK), post=everyone(OK),
        note="unnamed RedirectView of an old bookmark to /my-day/ (which checks access)"),
    Row("leads:list", get=only(*LEAD_ROLES), post=GET_ONLY_405),
    Row("leads:export", get=only(SUP, MGR, MKT, ADM), post=GET_ONLY_405,
        note="a consultant may list their leads but not export them"),
    Row("leads:create", get=only(*CAPTURE_ROLES), post=only(*CAPTURE_ROLES),
        note="capture needs a store: the administrator is not a capture role"),
    Row("leads:phone_check", get=only(*CAPTURE_ROLES), post=GET_ONLY_405),
    Row("leads:detail", obj="lead", get=scoped(LEAD_SCOPE), post=GET_ONLY_405),
    Row("leads:touch", obj="lead", get=scoped(LEAD_SCOPE, mkt=IN_SCOPE_403, adm=F),
        post=scoped(LEAD_SCOPE, mkt=IN_SCOPE_403, adm=F),
        note="working a lead is the seller's: marketing and the administrator only read"),
    Row("leads:grade", obj="lead", get=everyone(NA),
        post=scoped(LEAD_SCOPE, mkt=IN_SCOPE_403, adm=F)),
    Row("leads:request_lost", obj="lead", get=everyone(NA),
        post=scoped(LEAD_SCOPE, mkt=IN_SCOPE_403, adm=F)),
    Row("leads:reassign", obj="lead", get=everyone(NA),
        post=scoped(dict(sup=OWN_ONLY, mgr=STORE))),
    Row("leads:notifications_read", get=everyone(NA), post=only(CON)),
    Row("leads:team_board", get=only(SUP, MGR), post=GET_ONLY_405),
    Row("leads:pool", get=only(CON, SUP, MGR), post=GET_ONLY_405),
    Row("leads:claim", obj="pool_lead", get=everyone(NA),
        post=scoped(dict(con=(OK, KEPT, NF))),
        note="own = a pooled lead of the store; other = a lead another consultant owns: "
             "the service refuses it with a message and a redirect to the pool (nothing "
             "changes, checked below); foreign = another store's pooled lead"),
    Row("leads:pool_assign", obj="pool_lead", get=everyone(NA),
        post=scoped(dict(sup=STORE, mgr=STORE)),
        note="any lead of the store is looked up; the empty form is refused first"),
    Row("leads:decide_lost", obj="lost_request", get=everyone(NA),
        post=scoped(dict(sup=OWN_ONLY, mgr=STORE))),
    Row("leads:lost_report", get=only(SUP, MGR), post=GET_ONLY_405),
    Row("leads:campaigns", get=only(MKT, MGR, SUP), post=GET_ONLY_405),
    Row("leads:campaign_create", get=only(MKT, MGR), post=only(MKT, MGR)),
    Row("leads:campaign_detail", obj="campaign", owners=STORE_LEVEL,
        get=scoped(dict(mkt=STORE, mgr=STORE, sup=STORE)), post=GET_ONLY_405),
    Row("leads:campaign_edit", obj="campaign", owners=STORE_LEVEL,
        get=scoped(dict(mkt=STORE, mgr=STORE)), post=scoped(dict(mkt=STORE, mgr=STORE))),
    Row("leads:team", get=only(MGR, SUP), post=GET_ONLY_405),
    Row("leads:set_on_duty", obj="team_consultant", get=everyone(NA),
        post=scoped(dict(mgr=STORE))),
    Row("leads:reassign_book", obj="team_consultant", get=scoped(dict(mgr=STORE)),
        post=scoped(dict(mgr=STORE))),
    Row("leads:policy", get=only(MGR, ADM), post=only(MGR, ADM),
        note="the administrator edits the first store's unless ?store= names one"),
    Row("leads:marketing_home", get=only(MKT), post=GET_ONLY_405),
    Row("leads:import", get=only(MKT, MGR), post=only(MKT, MGR),
        note="an import role, but importing needs a store: the administrator gets 403"),
    Row("leads:import_detail", obj="import_batch", owners=STORE_LEVEL,
        get=scoped(dict(mkt=STORE, mgr=STORE, adm=ANYWHERE)), post=GET_ONLY_405),
    Row("leads:message_list", get=only(MGR, MKT, ADM), post=GET_ONLY_405),
    # Issue 14: the import's rejected rows and its retry; a message stuck in "sending"
    # settled by hand (the world's is queued, not stuck: refused, 409); calling the
    # customer from the lead (its own consultant only: the full number is revealed).
    Row("leads:import_errors", obj="import_batch", owners=STORE_LEVEL,
        get=scoped(dict(mkt=STORE, mgr=STORE, adm=ANYWHERE)), post=GET_ONLY_405),
    Row("leads:import_retry", obj="import_batch", owners=STORE_LEVEL, get=everyone(NA),
        post=scoped(dict(mkt=(C, C, NF), mgr=(C, C, NF), adm=F)),
        note="the world's batch is done, not queued: refused (409); the administrator "
             "finds any store's batch but importing needs a store (can_import_leads): 403"),
    *(Row(f"leads:message_{action}", obj="outbound_message", owners=STORE_LEVEL,
          get=everyone(NA), post=scoped(dict(mgr=(C, C, NF), mkt=(C, C, NF), adm=C)))
      for action in ("mark_sent", "requeue")),
    Row("leads:call", obj="lead", get=everyone(NA),
        post=scoped(dict(con=OWN_ONLY, sup=OWN_403, mgr=IN_SCOPE_403)),
        note="the lead's own consultant (can_call_lead); the supervisor and the manager "
             "open the lead but do not call from it (403)"),
    Row("leads:customer_opt_out", obj="customer", get=everyone(NA),
        post=scoped(CUSTOMER_SCOPE, fin=IN_SCOPE_403, sa=IN_SCOPE_403, mkt=IN_SCOPE_403),
        note="recording an opt-out edits the customer: change_customer"),
    # The public API: a bearer key, no session. A signed-in user without a key is refused.
    Row("api:leads", get=everyone(NA) | {API_KEY: NA},
        post=everyone(U) | {API_KEY: OK},
        note="with a key, the empty body is refused as not JSON (400)"),
    Row("api:openapi", get=everyone(OK), post=GET_ONLY_405, note="public"),
    Row("api:sms_inbound", get=everyone(NA) | {API_KEY: NA, SMS_GATEWAY: NA},
        post=everyone(F) | {API_KEY: F, SMS_GATEWAY: OK},
        note="the SMS gateway's webhook: only an HMAC-signed request gets through (the "
             "tests configure a secret); a session or a lead API key is no signature. "
             "Signed, the empty body is refused as having no sender (400)"),
    # --- Showroom ---------------------------------------------------------------------
    Row("showroom:desk", get=only(REC, MGR), post=GET_ONLY_405),
    Row("showroom:roster", get=only(REC, MGR), post=only(REC, MGR)),
    Row("showroom:duty_state", obj="shift", owners=STORE_LEVEL, get=everyone(NA),
        post=scoped(dict(rec=STORE, mgr=STORE))),
    Row("showroom:walk_in", get=only(REC, MGR), post=only(REC, MGR)),
    Row("showroom:visit_hand_over", obj="visit", get=everyone(NA),
        post=scoped(dict(rec=(C, C, NF), mgr=(C, C, NF))),
        note="the world's visit is served, nobody waits for their consultant: refused "
             "(409) and nothing changes"),
    Row("showroom:visit_detail", obj="visit", get=scoped(FLOOR_SCOPE), post=GET_ONLY_405,
        note="the receptionist sees the store's visits of today"),
    Row("showroom:visit_close", obj="visit", get=everyone(NA),
        post=scoped(FLOOR_SCOPE, rec=IN_SCOPE_403)),
    Row("showroom:visit_add_phone", obj="visit", get=everyone(NA), post=scoped(FLOOR_SCOPE),
        note="the desk may add the phone of today's visitor"),
    Row("showroom:objection_add", obj="visit", get=everyone(NA),
        post=scoped(FLOOR_SCOPE, rec=IN_SCOPE_403)),
    Row("showroom:talk_tracks", get=only(*FLOOR), post=GET_ONLY_405),
    Row("showroom:talk_track_new", get=only(MGR), post=only(MGR)),
    Row("showroom:talk_track_edit", obj="talk_track", owners=STORE_LEVEL,
        get=scoped(dict(mgr=STORE)), post=scoped(dict(mgr=STORE))),
    Row("showroom:calendar", get=only(*FLOOR), post=GET_ONLY_405),
    Row("showroom:vehicle_calendar", obj="demo_vehicle", owners=STORE_LEVEL,
        get=scoped(dict(con=STORE, sup=STORE, mgr=STORE, rec=STORE)), post=GET_ONLY_405),
    Row("showroom:test_drive_book", get=only(*SELLERS), post=only(*SELLERS)),
    Row("showroom:test_drive_detail", obj="test_drive", get=scoped(FLOOR_SCOPE),
        post=GET_ONLY_405, note="the desk reads the store's bookings (masked)"),
    Row("showroom:test_drive_reveal", obj="test_drive", get=everyone(NA),
        post=scoped(FLOOR_SCOPE, rec=IN_SCOPE_403),
        note="the licence number in full needs view_customer_pii: not the desk's"),
    *(Row(f"showroom:test_drive_{step}", obj="test_drive", get=everyone(NA),
          post=scoped(dict(con=OWN_ONLY, sup=OWN_ONLY, mgr=STORE)))
      for step in ("start", "finish", "feedback", "cancel")),
    Row("showroom:invitations", get=only(*FLOOR), post=GET_ONLY_405),
    Row("showroom:invitation_create", obj="lead_query",
        get=scoped(dict(con=OWN_ONLY, sup=OWN_ONLY, mgr=STORE)),
        post=scoped(dict(con=OWN_ONLY, sup=OWN_ONLY, mgr=STORE)),
        note="the lead is named in ?lead=; booking the customer in is working the lead"),
    Row("showroom:invitation_arrived", obj="invitation", get=everyone(NA),
        post=scoped(dict(con=OWN_ONLY, sup=STORE, mgr=STORE, rec=STORE)),
        note="the floor's store roles see every invitation of the store"),
    Row("showroom:invitation_cancel", obj="invitation",
        get=scoped(dict(con=OWN_ONLY, sup=(OK, F, NF), mgr=STORE)),
        post=scoped(dict(con=OWN_ONLY, sup=(OK, F, NF), mgr=STORE)),
        note="a supervisor sees the store's invitations but cancels only those of leads "
             "they may work (their team's): another team's is 403, not 404"),
    Row("showroom:inspection", get=only(MGR, SUP), post=GET_ONLY_405),
    Row("showroom:inspection_items", get=only(MGR), post=only(MGR)),
    Row("showroom:inspection_check", obj="inspection_item", owners=STORE_LEVEL,
        get=everyone(NA), post=scoped(dict(mgr=STORE, sup=STORE))),
    Row("showroom:inspection_photo", obj="inspection_photo", owners=STORE_LEVEL,
        get=answers((OK, OK, NF), gx=NF, adm=NF), post=GET_ONLY_405,
        note="any staff of the tick's store; no store (group, admin) and others: 404"),
    # --- Contracts --------------------------------------------------------------------
    Row("contracts:quote_list", get=only(*QUOTE_VIEW), post=GET_ONLY_405),
    Row("contracts:quote_export", get=only(*QUOTE_VIEW), post=GET_ONLY_405),
    Row("contracts:quote_create", obj="customer_query",
        get=scoped(dict(con=OWN_ONLY, sup=OWN_ONLY, mgr=STORE)),
        post=scoped(dict(con=OWN_ONLY, sup=OWN_ONLY, mgr=STORE)),
        note="the customer is named in ?customer="),
    Row("contracts:quote_calculate", get=everyone(NA), post=only(*SELLERS)),
    Row("contracts:quote_detail", obj="quote", get=scoped(MONEY_SCOPE), post=GET_ONLY_405),
    Row("contracts:quote_revise", obj="quote",
        get=scoped(dict(con=OWN_ONLY, sup=OWN_ONLY, mgr=STORE)),
        post=scoped(dict(con=OWN_ONLY, sup=OWN_ONLY, mgr=STORE))),
    Row("contracts:quote_withdraw", obj="quote", get=everyone(NA),
        post=scoped(dict(con=OWN_ONLY, sup=OWN_ONLY, mgr=STORE))),
    Row("contracts:quote_version", obj="quote_version", get=scoped(MONEY_SCOPE),
        post=GET_ONLY_405),
    Row("contracts:quote_version_pdf", obj="quote_version", get=scoped(MONEY_SCOPE),
        post=GET_ONLY_405),
    Row("contracts:approval_inbox", get=only(SUP, MGR), post=GET_ONLY_405),
    Row("contracts:approval_detail", obj="approval",
        get=scoped(dict(sup=OWN_ONLY, mgr=STORE)), post=GET_ONLY_405),
    Row("contracts:approval_decide", obj="approval", get=everyone(NA),
        post=scoped(dict(sup=OWN_ONLY, mgr=STORE)),
        note="the request is of the supervisor tier, so the team's supervisor decides it"),
    Row("contracts:discount_policy", get=only(SUP, MGR, ADM), post=answers(F, adm=NF),
        note="supervisors and managers read it; only the administrator edits, and a POST "
             "without ?store= (no store chosen) is 404"),
    Row("contracts:contract_list", get=only(*QUOTE_VIEW), post=GET_ONLY_405),
    Row("contracts:contract_export", get=only(*QUOTE_VIEW), post=GET_ONLY_405),
    # The store's catalogue (issue 14): accessories and value-added packages, its
    # manager's (another store's item is 404), the administrator's for every store; an
    # empty form is refused (400).
    *(Row(f"contracts:{kind}_list", get=only(MGR, ADM), post=GET_ONLY_405)
      for kind in ("accessory", "package")),
    *(Row(f"contracts:{kind}_create", get=only(MGR, ADM), post=only(MGR, ADM))
      for kind in ("accessory", "package")),
    *(Row(f"contracts:{kind}_detail", obj=obj, owners=STORE_LEVEL,
          get=scoped(STORE_CATALOGUE), post=scoped(STORE_CATALOGUE))
      for kind, obj in (("accessory", "accessory"), ("package", "value_package"))),
    *(Row(f"contracts:{kind}_active", obj=obj, owners=STORE_LEVEL, get=everyone(NA),
          post=scoped(STORE_CATALOGUE),
          note="without is_active=0/1 the request is refused (400)")
      for kind, obj in (("accessory", "accessory"), ("package", "value_package"))),
    Row("contracts:review_queue", get=only(MGR), post=GET_ONLY_405),
    Row("contracts:contract_create", obj="approved_quote", get=everyone(NA),
        post=scoped(dict(con=OWN_ONLY, sup=OWN_ONLY, mgr=STORE))),
    Row("contracts:contract_detail", obj="contract_draft", get=scoped(MONEY_SCOPE),
        post=GET_ONLY_405),
    Row("contracts:contract_edit", obj="contract_draft",
        get=scoped(dict(con=OWN_ONLY, sup=OWN_ONLY, mgr=STORE)),
        post=scoped(dict(con=OWN_ONLY, sup=OWN_ONLY, mgr=STORE))),
    Row("contracts:contract_reveal", obj="contract_draft", get=everyone(NA),
        post=scoped(MONEY_SCOPE)),
    Row("contracts:contract_submit", obj="contract_draft", get=everyone(NA),
        post=scoped(dict(con=OWN_ONLY, sup=OWN_ONLY, mgr=STORE))),
    Row("contracts:contract_approve", obj="contract_in_review", get=everyone(NA),
        post=scoped(dict(mgr=STORE))),
    Row("contracts:contract_reject", obj="contract_in_review", get=everyone(NA),
        post=scoped(dict(mgr=STORE))),
    Row("contracts:contract_sign", obj="contract_approved", get=everyone(NA),
        post=scoped(dict(con=OWN_ONLY, sup=OWN_ONLY, mgr=STORE))),
    Row("contracts:contract_close", obj="contract_delivered", get=everyone(NA),
        post=scoped(dict(con=OWN_403, sup=OWN_403, mgr=STORE, fin=STORE)),
        note="sellers pass the role check (CLOSE_ROLES) but only the manager and finance "
             "close: 403 on what they may open, 404 beyond"),
    Row("contracts:contract_cancel", obj="contract_draft", get=everyone(NA),
        post=scoped(dict(con=OWN_ONLY, sup=OWN_ONLY, mgr=STORE))),
    Row("contracts:contract_preview", obj="contract_draft", get=scoped(MONEY_SCOPE),
        post=GET_ONLY_405),
    Row("contracts:contract_document", obj="contract_draft", get=scoped(MONEY_SCOPE),
        post=GET_ONLY_405),
    Row("contracts:contract_download", obj="contract_signed", get=scoped(MONEY_SCOPE),
        post=GET_ONLY_405),
    # --- Delivery ---------------------------------------------------------------------
    Row("delivery:finance_desk", get=only(FIN), post=GET_ONLY_405),
    Row("delivery:payment_confirm", obj="payment", owners=STORE_LEVEL,
        get=scoped(dict(fin=STORE)), post=scoped(dict(fin=STORE)),
        note="GET is the confirmation step (issue 14); the empty POST lacks "
             "confirm=received: the step again (400), nothing recorded"),
    Row("delivery:refund_settle", obj="refund", owners=STORE_LEVEL, get=everyone(NA),
        post=scoped(dict(fin=STORE))),
    # Inventory (issue 11): the board and a car's page for the store's supervisors,
    # manager, finance (and the administrator, who has no store, hence no stock: 404);
    # receiving, arrivals, the demo switch, the CSV import and the thresholds are the
    # manager's. Another store's car or import is a 404.
    Row("delivery:stock_board", get=only(SUP, MGR, FIN, adm=NF), post=GET_ONLY_405,
        note="consultants have the core's stock list (stock:list), not the board"),
    Row("delivery:stock_board_export", get=only(SUP, MGR, FIN, adm=NF), post=GET_ONLY_405,
        note="the board's rows as CSV, as the board"),
    Row("delivery:stock_detail", obj="stock_vehicle", owners=STORE_LEVEL,
        get=scoped(dict(sup=STORE, mgr=STORE, fin=STORE, adm=NF)), post=GET_ONLY_405),
    Row("delivery:stock_receive", get=only(MGR), post=only(MGR),
        note="the empty form is refused (400)"),
    Row("delivery:stock_import", get=only(MGR), post=only(MGR),
        note="no file: the form is refused (400)"),
    Row("delivery:stock_import_detail", obj="stock_import", owners=STORE_LEVEL,
        get=scoped(dict(mgr=STORE)), post=GET_ONLY_405),
    Row("delivery:stock_arrive", obj="stock_in_transit", owners=STORE_LEVEL,
        get=everyone(NA), post=scoped(dict(mgr=STORE)),
        note="no arrival date: the form is refused (400)"),
    Row("delivery:stock_demo", obj="stock_vehicle", owners=STORE_LEVEL, get=everyone(NA),
        post=scoped(dict(mgr=(C, C, NF))),
        note="without demo=1 the button puts a demo car back in stock; the world's car is "
             "already in stock, so the move is refused (409) and nothing changes"),
    Row("delivery:settings", get=only(MGR), post=only(MGR),
        note="the store's slow-stock and at-risk thresholds; the empty form is refused"),
    # Orders and allocation: an order is a signed contract (pk = the contract's), opened
    # by its consultant, their supervisor, the store's manager and finance; a car is
    # allocated by the contract's consultant, their supervisor or the manager (the
    # manager alone for a car of another trim or colour, a rule of the form).
    Row("delivery:order_list", get=only(CON, SUP, MGR, FIN), post=GET_ONLY_405),
    Row("delivery:order_detail", obj="order", get=scoped(ORDER_SCOPE), post=GET_ONLY_405),
    Row("delivery:allocation_create", obj="contract_signed", get=scoped(SELLER_SCOPE),
        post=scoped(SELLER_SCOPE),
        note="GET lists the candidate cars; the empty POST names no car (400)"),
    Row("delivery:allocation_release", obj="allocation", get=everyone(NA),
        post=scoped(SELLER_SCOPE),
        note="whoever may allocate the car may take it back (a swap is a release and an "
             "allocation); the empty POST gives no reason (400)"),
    # Money: finance alone records payments (403 to everyone else, even in scope); the
    # receivables and promised payment dates are finance's and the manager's; the loan
    # application and insurance are arranged by the contract's seller (and supervisor),
    # the manager and finance; the lender's answer is recorded by finance or the manager.
    Row("delivery:receivables", get=only(FIN, MGR), post=GET_ONLY_405),
    Row("delivery:payment_export", get=only(FIN, MGR), post=GET_ONLY_405,
        note="the receivables as CSV, as the page"),
    Row("delivery:payment_record", obj="order", get=scoped(dict(fin=STORE)),
        post=scoped(dict(fin=STORE)),
        note="issue 11: only finance records payments; the empty form is refused (400)"),
    Row("delivery:payment_date_set", obj="order", get=scoped(dict(fin=STORE, mgr=STORE)),
        post=scoped(dict(fin=STORE, mgr=STORE)),
        note="the empty form is refused (400)"),
    Row("delivery:loan_edit", obj="order", get=scoped(FINANCE_SCOPE),
        post=scoped(FINANCE_SCOPE), note="the empty form is refused (400)"),
    Row("delivery:loan_decide", obj="loan", get=everyone(NA),
        post=scoped(dict(fin=STORE, mgr=STORE)),
        note="the empty form decides nothing (400)"),
    Row("delivery:insurance_create", obj="order", get=scoped(FINANCE_SCOPE),
        post=scoped(FINANCE_SCOPE), note="the empty form is refused (400)"),
    # Inspection, calendar, handover: the store's inspection list is the manager's; a
    # contract's inspection, appointment and handover are its consultant's, their
    # supervisor's and the manager's; the calendar is also the reception desk's.
    Row("delivery:pdi_items", get=only(MGR), post=only(MGR)),
    Row("delivery:pdi_item_edit", obj="pdi_item", owners=STORE_LEVEL, get=everyone(NA),
        post=scoped(dict(mgr=STORE)), note="the list page shows the edit forms"),
    Row("delivery:pdi", obj="order", get=scoped(SELLER_SCOPE), post=scoped(SELLER_SCOPE),
        note="the empty POST checks no item (400)"),
    Row("delivery:calendar", get=only(CON, SUP, MGR, REC), post=GET_ONLY_405,
        note="a consultant sees their own deliveries, a supervisor the team's"),
    Row("delivery:appointment", obj="order", get=scoped(SELLER_SCOPE),
        post=scoped(SELLER_SCOPE), note="the empty form is refused (400)"),
    Row("delivery:handover", obj="order", get=scoped(SELLER_SCOPE),
        post=scoped(SELLER_SCOPE), note="the checklist, plate and photo are saved here"),
    Row("delivery:handover_complete", obj="order", get=everyone(NA),
        post=scoped(SELLER_SCOPE),
        note="the world's ceremony is not finished: the completion is refused on the "
             "checklist (400) and nothing changes"),
    Row("delivery:handover_photo", obj="order", get=scoped(SELLER_SCOPE), post=GET_ONLY_405,
        note="the photo with the customer, served to those who may open the handover "
             "(never a public media URL); the upload is the handover form's"),
    # --- After-sales (issue 12) -------------------------------------------------------
    # aftersales.permissions: every read is scoped to the user's store (the administrator
    # and the group have none: every after-sales role check leaves them out, 403); the
    # sellers see their own (team's) customers, the store-wide roles the store's.
    # Owners: the file and the list for the sellers, the service advisor, customer care.
    Row("aftersales:owner_list", get=only(CON, SUP, MGR, SA, CC), post=GET_ONLY_405),
    Row("aftersales:data_quality", get=only(SUP, MGR, CC), post=GET_ONLY_405),
    Row("aftersales:owner_file", obj="owner", get=scoped(AFTERSALES_SCOPE),
        post=GET_ONLY_405),
    # Care: customer care's desk; the list for customer care, supervisor, manager; a step
    # closed by customer care (the store's) or by the consultant it is assigned to (the
    # thank-you call); a pool step is customer care's (the consultant may open it, 403).
    # The service advisor closes a first-maintenance step only by booking the visit
    # (appointment_book), not here: CARE_WORK_ROLES leave them out.
    Row("aftersales:care_desk", get=only(CC), post=GET_ONLY_405),
    Row("aftersales:care_steps", get=only(CC, SUP, MGR), post=GET_ONLY_405),
    Row("aftersales:care_step_done", obj="care_step_thank_you", get=everyone(NA),
        post=scoped(dict(cc=STORE, con=OWN_ONLY)),
        note="the consultant's own thank-you call; another's is 404 (not in their scope "
             "nor assigned); the empty POST gives no outcome (400)"),
    Row("aftersales:care_step_skipped", obj="care_step_pool", get=everyone(NA),
        post=scoped(dict(cc=STORE, con=OWN_403)),
        note="the first-maintenance call is customer care's pool: the consultant opens "
             "their customer's step but may not close it"),
    Row("aftersales:care_task_done", obj="care_task", get=everyone(NA),
        post=scoped(dict(cc=STORE, con=OWN_ONLY)),
        note="customer care or the assignee (the world's task is the consultant's)"),
    Row("aftersales:care_settings", get=only(MGR), post=only(MGR),
        note="the empty form is refused (400)"),
    # The service desk: the advisor works it, customer care books and cancels, the manager
    # looks on and sets the capacity; appointments and records are the store's.
    Row("aftersales:service_desk", get=only(*SERVICE_VIEW), post=GET_ONLY_405),
    Row("aftersales:service_capacity", get=only(MGR), post=only(MGR),
        note="the empty form is refused (400)"),
    Row("aftersales:appointment_book", obj="owner_query", get=scoped(SERVICE_BOOKING),
        post=scoped(SERVICE_BOOKING),
        note="?customer= of another store is 404; the empty form is refused (400)"),
    Row("aftersales:service_day", get=only(*SERVICE_VIEW), post=GET_ONLY_405),
    Row("aftersales:service_week", get=only(*SERVICE_VIEW), post=GET_ONLY_405),
    Row("aftersales:appointment_detail", obj="appointment",
        get=scoped({role: STORE for role in SERVICE_VIEW}), post=GET_ONLY_405),
    Row("aftersales:appointment_check_in", obj="appointment", get=everyone(NA),
        post=scoped(dict(sa=STORE)), note="no mileage: the form is refused (400)"),
    Row("aftersales:appointment_complete", obj="appointment_checked_in",
        get=scoped(dict(sa=STORE)), post=scoped(dict(sa=STORE)),
        note="the car is at the workshop; the empty form writes no record (400)"),
    Row("aftersales:appointment_cancel", obj="appointment", get=everyone(NA),
        post=scoped(SERVICE_BOOKING), note="no reason: the form is refused (400)"),
    Row("aftersales:appointment_no_show", obj="appointment_completed", get=everyone(NA),
        post=scoped(dict(sa=(C, C, NF))),
        note="the visit is done: the no-show is refused on its state (409)"),
    Row("aftersales:service_record", obj="service_record",
        get=scoped({role: STORE for role in SERVICE_VIEW}), post=GET_ONLY_405),
    # Surveys: the results for the store's manager, supervisors and customer care; a
    # consultant and a service advisor see only the surveys about themselves (the world's
    # surveys are about the consultant). The customer's page is public: the signed link
    # is the key, whoever holds it (an empty POST answers nothing: 400).
    Row("aftersales:survey_results", get=only(MGR, SUP, CC, CON, SA), post=GET_ONLY_405),
    Row("aftersales:survey_detail", obj="survey",
        get=scoped(dict(mgr=STORE, sup=STORE, cc=STORE, con=OWN_ONLY, sa=(NF, NF, NF))),
        post=GET_ONLY_405),
    Row("survey:answer", obj="survey_link", get=everyone(OK), post=everyone(OK),
        note="public; the empty POST scores nothing (400) and nothing changes"),
    # Complaints: customer care, supervisors and the manager see and work the store's; a
    # consultant reads those of their own customers, a service advisor those owned by
    # the service department. The actions' forms are refused empty (400) before the
    # complaint's state is asked.
    Row("aftersales:complaint_board", get=only(*COMPLAINT_VIEW), post=GET_ONLY_405),
    Row("aftersales:complaint_list", get=only(*COMPLAINT_VIEW), post=GET_ONLY_405),
    Row("aftersales:complaint_detail", obj="complaint_service",
        get=scoped(dict(COMPLAINT_WORK, con=OWN_ONLY, sa=STORE)), post=GET_ONLY_405,
        note="the service department's complaint: the advisor reads it"),
    Row("aftersales:complaint_create", obj="owner_query", get=scoped(COMPLAINT_WORK),
        post=scoped(COMPLAINT_WORK),
        note="?customer= of another store is 404; the empty form is refused (400)"),
    *(Row(f"aftersales:complaint_{action}", obj="complaint", get=everyone(NA),
          post=scoped(COMPLAINT_WORK))
      for action in ("respond", "propose", "resolve", "close", "reopen", "assign", "note")),
    # Referrals and points.
    Row("aftersales:referral_create", obj="prospect",
        get=scoped(dict(con=OWN_ONLY, sup=OWN_ONLY, mgr=STORE, cc=STORE)),
        post=scoped(dict(con=(C, NF, NF), sup=(C, NF, NF), mgr=(C, C, NF), cc=(C, C, NF))),
        note="the world's prospect has no delivered car: only owners refer (409)"),
    Row("aftersales:loyalty_ledger", obj="owner", get=scoped(LOYALTY), post=GET_ONLY_405),
    Row("aftersales:loyalty_redeem", obj="owner", get=everyone(NA), post=scoped(LOYALTY),
        note="no package chosen: the form is refused (400)"),
    Row("aftersales:loyalty_adjust", obj="owner", get=everyone(NA),
        post=scoped(dict(mgr=STORE)), note="the empty form is refused (400)"),
    Row("aftersales:referral_list", get=only(CON, SUP, MGR, CC), post=GET_ONLY_405),
    Row("aftersales:package_list", get=only(MGR), post=GET_ONLY_405),
    Row("aftersales:package_create", get=only(MGR), post=only(MGR),
        note="the empty form is refused (400)"),
    Row("aftersales:package_edit", obj="service_package", owners=STORE_LEVEL,
        get=scoped(dict(mgr=STORE)), post=scoped(dict(mgr=STORE))),
    # Segments and care campaigns: marketing, customer care and the manager, the store's.
    Row("aftersales:segment_list", get=only(*CARE_CAMPAIGN), post=GET_ONLY_405),
    Row("aftersales:campaign_list", get=only(*CARE_CAMPAIGN), post=GET_ONLY_405),
    Row("aftersales:campaign_create", get=only(*CARE_CAMPAIGN), post=only(*CARE_CAMPAIGN),
        note="the empty form is refused (400)"),
    Row("aftersales:campaign_detail", obj="care_campaign", owners=STORE_LEVEL,
        get=scoped({role: STORE for role in CARE_CAMPAIGN}), post=GET_ONLY_405),
    Row("aftersales:campaign_edit", obj="care_campaign", owners=STORE_LEVEL,
        get=scoped({role: STORE for role in CARE_CAMPAIGN}),
        post=scoped({role: STORE for role in CARE_CAMPAIGN}),
        note="a draft; the empty form is refused (400)"),
    Row("aftersales:campaign_delete", obj="care_campaign_sent", owners=STORE_LEVEL,
        get=everyone(NA), post=scoped({role: (C, C, NF) for role in CARE_CAMPAIGN}),
        note="a sent campaign is kept: the deletion is refused (409)"),
    Row("aftersales:campaign_send", obj="care_campaign", owners=STORE_LEVEL,
        get=everyone(NA), post=scoped({role: STORE for role in CARE_CAMPAIGN}),
        note="a draft; without the confirmation ticked nothing is sent (400)"),
    # --- Reports (issue 13) -----------------------------------------------------------
    # reports.permissions: every figure is the user's store's (the administrator and the
    # group executive have no store: the store's reports leave them out, 403; the group
    # pages are theirs). Reports only read, except what the manager sets.
    Row("reports:store_overview", get=only(MGR), post=GET_ONLY_405),
    Row("reports:group_overview", get=only(GX, ADM), post=GET_ONLY_405),
    Row("reports:group_export", get=only(GX, ADM), post=GET_ONLY_405),
    # Targets and the working calendar: everyone selling sees the board (a consultant
    # their own line), the manager sets; an empty form is refused (400).
    Row("reports:targets", get=only(MGR, SUP, CON), post=only(MGR),
        note="the supervisor and the consultant may read the board, not save the grid"),
    Row("reports:target_copy", get=everyone(NA), post=only(MGR),
        note="no month: the form is refused (400)"),
    Row("reports:target_calendar", get=only(MGR), post=only(MGR),
        note="the empty form is refused (400)"),
    Row("reports:closed_day_create", get=everyone(NA), post=only(MGR),
        note="the empty form is refused (400)"),
    Row("reports:closed_day_delete", obj="closed_day", owners=STORE_LEVEL,
        get=everyone(NA), post=scoped(dict(mgr=STORE))),
    # The meetings: the manager runs them and writes the notes, supervisors read them.
    Row("reports:morning_meeting", get=only(*REPORT_MEETING), post=GET_ONLY_405),
    Row("reports:evening_meeting", get=only(*REPORT_MEETING), post=GET_ONLY_405),
    Row("reports:meeting_note_add", obj="meeting_morning", owners=(OWN,),
        get=everyone(NA), post=only(MGR),
        note="<meeting> is morning or evening (else 404, see "
             "test_a_meeting_note_of_an_unknown_meeting_is_404); the empty form is "
             "refused (400)"),
    Row("reports:meeting_note_remove", obj="meeting_note", owners=STORE_LEVEL,
        get=everyone(NA), post=scoped(dict(mgr=STORE))),
    # The wall screen: its signed, revocable link is the key, whoever holds it (a signed-in
    # user or not; the kiosk is the anonymous browser holding it). A tampered or revoked
    # link is 404: test_a_tampered_or_revoked_wall_link_is_404.
    Row("reports:kiosk_links", get=only(MGR), post=only(MGR),
        note="an empty label is allowed: the POST makes a link (a redirect)"),
    Row("reports:kiosk_link_revoke", obj="kiosk_link", owners=STORE_LEVEL,
        get=everyone(NA), post=scoped(dict(mgr=STORE))),
    Row("wall:screen", obj="wall_link", owners=STORE_LEVEL, get=WALL_PUBLIC,
        post=WALL_405, note="public, no login; each store's link opens its own screen"),
    Row("wall:meeting", obj="wall_link_meeting", owners=STORE_LEVEL, get=WALL_PUBLIC,
        post=WALL_405, note="public; the meeting is now, morning or evening (else 404)"),
    Row("wall:panel", obj="wall_link_panel", owners=STORE_LEVEL, get=WALL_PUBLIC,
        post=WALL_405, note="public; the polled fragment of slot 0-4 (else 404)"),
    # Charts: the channel reports (funnel, lost) for marketing too; the staff reports for
    # the sales managers only.
    Row("reports:charts", get=only(*CHART_CHANNEL), post=GET_ONLY_405),
    Row("reports:chart_funnel", get=only(*CHART_CHANNEL), post=GET_ONLY_405),
    Row("reports:chart_lost", get=only(*CHART_CHANNEL), post=GET_ONLY_405),
    *(Row(f"reports:chart_{name}", get=only(MGR, SUP), post=GET_ONLY_405)
      for name in ("ranking", "first_contact", "complaints", "satisfaction", "stock_aging")),
    # The daily report PDFs: the manager and supervisors list and download the store's;
    # the manager makes a day again (no day: the form is refused, 400).
    Row("reports:daily_reports", get=only(MGR, SUP), post=GET_ONLY_405),
    Row("reports:daily_report_make", get=everyone(NA), post=only(MGR)),
    Row("reports:daily_report_download", obj="daily_report", owners=STORE_LEVEL,
        get=scoped(dict(mgr=STORE, sup=STORE)), post=GET_ONLY_405),
    # Commission: a consultant their own statement, the manager everyone's, finance the
    # page with the payroll download (the CSV: test_the_commission_csv_is_for_payroll).
    Row("reports:commission", get=only(CON, MGR, FIN), post=GET_ONLY_405),
    Row("reports:commission_consultant", obj="commission_consultant",
        get=scoped(dict(mgr=STORE, con=OWN_ONLY)), post=GET_ONLY_405,
        note="a consultant opens only their own (anyone else's is 404, as outside)"),
    Row("reports:commission_scheme", get=only(MGR), post=only(MGR),
        note="the empty form is refused (400)"),
)

# URL patterns deliberately not in the matrix, by the namespace or route prefix they
# start with, and why.
EXCLUDED_NAMESPACES = {
    "admin": "Django's admin: its own staff login and model permissions (is_staff), "
             "tested by Django; our admin classes are covered by their own tests",
}
EXCLUDED_ROUTE_PREFIXES = {
    "admin/": "Django's admin (see above)",
    "static/": "static files, served by WhiteNoise/the web server, public by design",
    "media/": "uploads are never served by a public URL (photos and PDFs go through views)",
}

ROWS_BY_NAME = {row.name: row for row in ROWS}
