import pytest


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright():
    # Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
    # make around it (and the database flush after them) are still plain synchronous code.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A browser set up for a showroom in China: Chinese first, as the staff's tablets are.
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
