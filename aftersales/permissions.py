"""Who may use the after-sales screens (issue 12). Every query is scoped to the user's
store; a consultant sees only their own customers (contracts.permissions.customer_scope_q
and dealership.permissions.is_customer_in_scope); outside scope answers 404.

- The owner's file: the sellers (consultant: own customers; supervisor: the team's;
  manager: the store's), the service advisor and customer care (the store's owners).
  The data-quality list: supervisor, manager, customer care.
- Care steps and tasks: customer care works the store's; a consultant their own steps
  (the thank-you call); supervisor and manager look on.
- The service desk (appointments, calendars, records, capacity): the service advisor;
  customer care books from the day-30 reminder; the manager looks on and sets capacity.
- Survey results: manager, supervisor and customer care see the store's; a consultant
  and a service advisor see the answers about themselves.
- Complaints: customer care takes them in and works them; supervisor and manager see and
  work the store's; a consultant sees (read-only) the complaints of their own customers;
  a service advisor sees those owned by the service department.
- Referrals: the sellers of the referrer and customer care record them; the points
  ledger: customer care, the service advisor (who redeems at the desk), the manager.
- Segments and campaigns: marketing, customer care and the manager.
"""

from __future__ import annotations

from dealership.enums import Role

OWNER_FILE_ROLES = (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER, Role.SERVICE_ADVISOR,
                    Role.CUSTOMER_CARE)
DATA_QUALITY_ROLES = (Role.SUPERVISOR, Role.MANAGER, Role.CUSTOMER_CARE)
CARE_WORK_ROLES = (Role.CUSTOMER_CARE, Role.CONSULTANT)
CARE_SETTINGS_ROLES = (Role.MANAGER,)
SERVICE_DESK_ROLES = (Role.SERVICE_ADVISOR,)
SERVICE_BOOKING_ROLES = (Role.SERVICE_ADVISOR, Role.CUSTOMER_CARE)
SERVICE_VIEW_ROLES = (Role.SERVICE_ADVISOR, Role.CUSTOMER_CARE, Role.MANAGER)
SERVICE_SETTINGS_ROLES = (Role.MANAGER,)
SURVEY_RESULT_ROLES = (Role.MANAGER, Role.SUPERVISOR, Role.CUSTOMER_CARE, Role.CONSULTANT,
                       Role.SERVICE_ADVISOR)
COMPLAINT_WORK_ROLES = (Role.CUSTOMER_CARE, Role.SUPERVISOR, Role.MANAGER)
COMPLAINT_VIEW_ROLES = (Role.CUSTOMER_CARE, Role.SUPERVISOR, Role.MANAGER, Role.CONSULTANT,
                        Role.SERVICE_ADVISOR)
REFERRAL_ROLES = (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER, Role.CUSTOMER_CARE)
LOYALTY_ROLES = (Role.CUSTOMER_CARE, Role.SERVICE_ADVISOR, Role.MANAGER)
CAMPAIGN_ROLES = (Role.MARKETING, Role.CUSTOMER_CARE, Role.MANAGER)

# Roles that see every customer of their store in after-sales (the sellers are narrowed to
# their own book by contracts.permissions.customer_scope_q).
STORE_WIDE_ROLES = (Role.MANAGER, Role.SERVICE_ADVISOR, Role.CUSTOMER_CARE, Role.MARKETING)


def customer_scope_q(user, path: str = "customer"):
    """The after-sales rows (reached through `path` to their customer) this user may open:
    the store's for the store-wide roles, the own / team's book for consultant and
    supervisor, nothing for anyone else (the administrator has no store: after-sales
    pages answer 404 to them)."""
    from django.db.models import Q

    from contracts.permissions import customer_scope_q as sellers_scope_q
    from dealership.permissions import has_role

    if not user.is_authenticated or user.store_id is None:
        return Q(pk__in=[])
    if has_role(user, *STORE_WIDE_ROLES):
        return Q(**{f"{path}__store_id": user.store_id})
    if has_role(user, Role.CONSULTANT, Role.SUPERVISOR):
        return sellers_scope_q(user, path)
    return Q(pk__in=[])


def is_customer_in_scope(user, customer) -> bool:
    """The same rule as `customer_scope_q`, for one loaded customer."""
    from dealership.permissions import has_role
    from dealership.permissions import is_customer_in_scope as sellers_in_scope

    if not user.is_authenticated or user.store_id is None:
        return False
    if customer.store_id != user.store_id:
        return False
    if has_role(user, *STORE_WIDE_ROLES):
        return True
    if has_role(user, Role.CONSULTANT, Role.SUPERVISOR):
        return sellers_in_scope(user, customer)
    return False


# --- Referrals and loyalty points ------------------------------------------------------------
PACKAGE_ROLES = (Role.MANAGER,)
POINTS_ADJUST_ROLES = (Role.MANAGER,)


def can_refer(user, customer) -> bool:
    """Record a referral by this owner: a seller of theirs or customer care."""
    from dealership.permissions import has_role

    return has_role(user, *REFERRAL_ROLES) and is_customer_in_scope(user, customer)


def can_use_points(user, customer) -> bool:
    """Open this customer's points ledger and redeem points at the desk."""
    from dealership.permissions import has_role

    return has_role(user, *LOYALTY_ROLES) and is_customer_in_scope(user, customer)


def can_adjust_points(user, customer) -> bool:
    """Correct a balance by hand (with a reason): the store's manager."""
    from dealership.permissions import has_role

    return has_role(user, *POINTS_ADJUST_ROLES) and is_customer_in_scope(user, customer)


def can_manage_care_campaigns(user) -> bool:
    """Segments and care campaigns: marketing, customer care and the manager, of a store."""
    from dealership.permissions import has_role

    return (user.is_authenticated and user.store_id is not None
            and has_role(user, *CAMPAIGN_ROLES))


# --- Service desk ---------------------------------------------------------------------------
def can_book_service(user, customer) -> bool:
    """Book (or cancel) a workshop visit for this customer: the service advisor and
    customer care, for an owner of their store."""
    from dealership.permissions import has_role

    return has_role(user, *SERVICE_BOOKING_ROLES) and is_customer_in_scope(user, customer)


def can_work_service_desk(user, store_id: int) -> bool:
    """Check a car in, complete the visit, mark a no-show: the store's service advisor."""
    from dealership.permissions import has_role

    return (has_role(user, *SERVICE_DESK_ROLES) and user.store_id is not None
            and user.store_id == store_id)


def can_set_service_capacity(user, store) -> bool:
    """The workshop's daily capacity per type: the store's manager."""
    from dealership.permissions import has_role

    return (has_role(user, *SERVICE_SETTINGS_ROLES) and user.store_id is not None
            and user.store_id == store.pk)


# --- Complaints ------------------------------------------------------------------------------
# The "Complaints" menu item (the board) is for every COMPLAINT_VIEW_ROLES: customer care,
# supervisor and manager work the store's complaints there; a consultant finds the
# complaints of their own customers (read-only) and a service advisor those owned by the
# service department (read-only). The scope itself: aftersales.selectors.complaints.
def can_work_complaints(user) -> bool:
    """Take in and work complaints: customer care, a supervisor or the manager of a store."""
    from dealership.permissions import has_role

    return user.store_id is not None and has_role(user, *COMPLAINT_WORK_ROLES)


def can_work_complaint(user, complaint) -> bool:
    """Work this complaint (respond, propose, resolve, close, reopen, assign, add a note)."""
    return can_work_complaints(user) and complaint.store_id == user.store_id
