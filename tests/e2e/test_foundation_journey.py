"""Log in as a consultant, land on "my day", switch the interface to English and back."""

import pytest
from playwright.sync_api import Page, expect

from dealership.enums import Role, Seniority
from tests.e2e.helpers import assert_accessible
from tests.factories import PASSWORD, CustomerFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_consultant_logs_in_sees_my_day_and_switches_language(live_server, page: Page, store):
    consultant = UserFactory(username="wangfang", name="王芳", role=Role.CONSULTANT,
                             store=store, seniority=Seniority.SENIOR)
    CustomerFactory(store=store, owner=consultant, name="张三丰", phone="+8613812345678")
    page.set_default_timeout(15_000)

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    assert_accessible(page)
    page.get_by_label("用户名").fill("wangfang")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page).to_have_url(f"{live_server.url}/my-day/")
    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("我的一天")
    expect(page.get_by_role("link", name="张三丰")).to_be_visible()
    expect(page.get_by_text("138****5678")).to_be_visible()

    page.get_by_test_id("language-en").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My day")
    consultant.refresh_from_db()
    assert consultant.language == "en"

    # The choice is remembered: the login page after logging out is in English too, and
    # logging in again keeps it.
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.get_by_test_id("language-zh-hans")).to_be_visible()
    page.get_by_label("Username").fill("wangfang")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My day")

    page.get_by_test_id("language-zh-hans").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的一天")
