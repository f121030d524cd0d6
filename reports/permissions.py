"""Who may use the reports screens (issue 13). Reports only read, except what the manager
sets (targets, the working calendar, the commission scheme, meeting notes, wall-screen
links) and the daily report versions the job or a manager makes.

Scope: every figure is the user's store's; a consultant sees only their own commission and
their own line of the targets; the group executive sees aggregates of the group's stores,
never a customer row; the wall screen is reached without login by a signed, revocable
kiosk link and shows names masked (张*伟) and no phone number.
"""

from __future__ import annotations

from dealership.enums import Role

HOME_ROLES = (Role.MANAGER,)
TARGET_VIEW_ROLES = (Role.MANAGER, Role.SUPERVISOR, Role.CONSULTANT)
TARGET_SET_ROLES = (Role.MANAGER,)
MEETING_ROLES = (Role.MANAGER, Role.SUPERVISOR)
MEETING_NOTE_ROLES = (Role.MANAGER,)
KIOSK_ADMIN_ROLES = (Role.MANAGER,)
CHART_ROLES = (Role.MANAGER, Role.SUPERVISOR, Role.MARKETING)
DAILY_REPORT_ROLES = (Role.MANAGER, Role.SUPERVISOR)
DAILY_REPORT_MAKE_ROLES = (Role.MANAGER,)
COMMISSION_VIEW_ROLES = (Role.MANAGER, Role.CONSULTANT)
COMMISSION_SCHEME_ROLES = (Role.MANAGER,)
COMMISSION_EXPORT_ROLES = (Role.MANAGER, Role.FINANCE)
GROUP_ROLES = (Role.GROUP_EXEC, Role.ADMIN)
