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
