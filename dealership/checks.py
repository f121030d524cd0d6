"""Start-up checks of what the apps registered (`dealership.registry`).

A menu item or role home naming a URL that does not exist would otherwise surface as a
500 on the first page that renders the menu, and a mistyped permission as a role quietly
missing a right. `DealershipConfig.ready()` registers these checks; Django runs them before
`runserver`, `migrate` and `check`, so such an entry stops the process instead.
"""

from __future__ import annotations

from collections import Counter

from django.apps import apps
from django.core.checks import Error
from django.urls import NoReverseMatch, reverse

from dealership.enums import NavGroup, Role
from dealership.registry import nav_items, role_homes, role_permissions


def _reverse_error(url_name: str, *, what: str, obj: object) -> list[Error]:
    try:
        reverse(url_name)
    except NoReverseMatch:
        return [Error(f"{what} names the URL {url_name!r}, which does not reverse.",
                      hint="Use the name of a URL without arguments, with its namespace.",
                      obj=obj, id="dealership.E001")]
    return []


def _role_error(role: str, *, what: str, obj: object) -> list[Error]:
    if role in Role.values:
        return []
    return [Error(f"{what} names the unknown role {role!r}.",
                  hint=f"Roles: {', '.join(Role.values)}.", obj=obj, id="dealership.E002")]


def _declared_permissions() -> set[str]:
    """Every "app_label.codename" a model declares: Django's defaults and Meta.permissions."""
    declared = set()
    for model in apps.get_models():
        opts = model._meta
        declared.update(f"{opts.app_label}.{action}_{opts.model_name}"
                        for action in opts.default_permissions)
        declared.update(f"{opts.app_label}.{codename}" for codename, _name in opts.permissions)
    return declared


def check_navigation(app_configs=None, **kwargs) -> list[Error]:
    """Menu items: a URL that reverses, a known role, a known section, one item per URL."""
    errors: list[Error] = []
    items = nav_items()
    for item in items:
        errors += _reverse_error(item.url_name, what="A navigation item", obj=item)
        for role in item.roles:
            errors += _role_error(role, what="A navigation item", obj=item)
        if item.group not in NavGroup.values:
            errors.append(Error(f"A navigation item names an unknown menu section "
                                f"{item.group!r}.", hint=f"Use one of {NavGroup.values}.",
                                obj=item, id="dealership.E006"))
    counts = Counter(item.url_name for item in items)
    errors += [Error(f"{count} navigation items name the URL {url_name!r}.",
                     hint="Register each screen once, with every role that reaches it.",
                     obj=url_name, id="dealership.E003")
               for url_name, count in counts.items() if count > 1]
    return errors


def check_role_homes(app_configs=None, **kwargs) -> list[Error]:
    """Role homes: a URL that reverses, a known role, and one home per role."""
    errors: list[Error] = []
    homes = role_homes()
    for home in homes:
        errors += _reverse_error(home.url_name, what="A role home", obj=home)
        errors += _role_error(home.role, what="A role home", obj=home)
    counts = Counter(home.role for home in homes)
    errors += [Error(f"The role {role!r} has {count} home pages.",
                     hint="Register one home per role.", obj=role, id="dealership.E004")
               for role, count in counts.items() if count > 1]
    return errors


def check_role_permissions(app_configs=None, **kwargs) -> list[Error]:
    """Role permissions: a known role, and permissions some model declares."""
    errors: list[Error] = []
    declared = _declared_permissions()
    for fragment in role_permissions():
        errors += _role_error(fragment.role, what="A role permission fragment", obj=fragment)
        errors += [Error(f"The role {fragment.role!r} is granted {codename!r}, which no model "
                         "declares.", hint='Write "app_label.codename" of an installed model.',
                         obj=fragment, id="dealership.E005")
                   for codename in fragment.codenames if codename not in declared]
    return errors
