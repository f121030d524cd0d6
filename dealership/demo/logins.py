"""The demo store's well-known logins: one per role, one password. `seed_demo` creates
them; with DEBUG on, the login page lists them so a developer need not look them up."""

from __future__ import annotations

from dealership.enums import Role

DEMO_STORE_CODE = "DEMO"
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - documented demo login, refused with DEBUG off
ROLE_LOGINS = [
    ("receptionist", Role.RECEPTIONIST, "陈晓雯"),
    ("supervisor", Role.SUPERVISOR, "赵建国"),
    ("manager", Role.MANAGER, "周海燕"),
    ("finance", Role.FINANCE, "孙丽娟"),
    ("service_advisor", Role.SERVICE_ADVISOR, "黄志强"),
    ("customer_care", Role.CUSTOMER_CARE, "林佳怡"),
    ("marketing", Role.MARKETING, "郭子轩"),
    ("group_exec", Role.GROUP_EXEC, "何宏伟"),
    ("admin", Role.ADMIN, "系统管理员"),
]
CONSULTANT_NAMES = ["王芳", "李强", "张敏", "刘洋", "陈静", "杨磊", "黄婷", "吴凯"]


def demo_login_rows() -> list[tuple[str, str]]:
    """(role label, username) for the login page: the consultants as one range."""
    consultants = f"consultant1 … consultant{len(CONSULTANT_NAMES)}"
    rows = [(Role(role).label, username) for username, role, _name in ROLE_LOGINS]
    rows.insert(1, (Role.CONSULTANT.label, consultants))
    return rows
