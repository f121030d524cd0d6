"""What the browser journeys share: signing in, and catching script errors and CSP
violations (an inline style or script would be one)."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.factories import PASSWORD


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")


def watch(page: Page, problems: list[str], *, timeout_ms: int = 15_000) -> None:
    """Script errors and CSP violations end up in `problems`; the test asserts it empty."""
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None)
    page.set_default_timeout(timeout_ms)


# --- Accessibility (issue 14) -------------------------------------------------------------
# axe-core's rules, run in the page; only what blocks someone is a failure: "serious" and
# "critical" (a missing label, unreadable contrast), not "moderate"/"minor" advice.
BLOCKING_IMPACTS = ("serious", "critical")


def axe_violations(page: Page) -> list[str]:
    """The page's serious and critical axe violations, one line each: rule, impact, where."""
    from axe_playwright_python.sync_playwright import Axe  # dev dependency, e2e only

    results = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] not in BLOCKING_IMPACTS:
            continue
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        found.append(f"{violation['id']} ({violation['impact']}) at {targets}: "
                     f"{violation['help']}")
    return found


def assert_accessible(page: Page) -> None:
    """Fail on any serious or critical axe violation of the page as it is now."""
    page.wait_for_load_state()
    found = axe_violations(page)
    assert not found, f"{page.url}:\n" + "\n".join(found)


def assert_fits(page: Page, width: int) -> None:
    """Nothing on the page scrolls sideways at `width` pixels."""
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll}px wide at {width}px"


def wider_than(page: Page, width: int) -> list[str]:
    """The elements reaching past `width` pixels, for a useful failure message."""
    return page.evaluate("""(width) => Array.from(document.querySelectorAll('body *'))
        .filter(el => el.getBoundingClientRect().right > width + 1)
        .filter(el => !el.closest('.table-wrap, [data-scroll]'))
        .slice(0, 6)
        .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
             + (el.className && typeof el.className === 'string'
                ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
             + ' ' + Math.round(el.getBoundingClientRect().right) + 'px')""", width)


def sign_in_as(page: Page, base: str, user) -> None:
    """`user`'s session in the page's browser, without the login form (for sweeps over
    many roles; the journeys sign in through the form)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": base,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])


def demo_users():
    """One login per role of the demo store (`seed_demo` run first): the role's first
    user by username."""
    from dealership.enums import Role
    from dealership.models import User

    return [User.objects.filter(role=role).order_by("username").first() for role in Role]


def nav_pages(user) -> list[str]:
    """The paths of every screen in `user`'s menu."""
    from dealership.navigation import nav_for

    return [item.url for item in nav_for(user)]


def open_menu_item(page: Page, name: str) -> None:
    """Follow the desktop menu to the screen named `name`: open its section when the
    section is folded (a section of one screen is the screen's own link)."""
    menu = page.locator("nav.nav-wide")
    link = menu.get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        # `has` is matched inside each section, so it is built from the page, not the menu;
        # a link in a closed section is hidden, which `get_by_role` skips unless told.
        section = menu.locator(".nav-section").filter(
            has=page.get_by_role("link", name=name, exact=True, include_hidden=True))
        section.locator("summary").click()
    link.click()
