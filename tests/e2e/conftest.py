import os

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make around it are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A browser set up for a showroom in China: Chinese first, as the staff's tablets are.
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
