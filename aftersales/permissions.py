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
CARE_VIEW_ROLES = (Role.CUSTOMER_CARE, Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER)
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
