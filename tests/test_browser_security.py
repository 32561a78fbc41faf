"""Issue 12 hardening in a real browser: Chromium accepts the Permissions-Policy (no console
warnings), staff pages arrive no-store, and setting up two-factor sign-in with the emailed code
works and passes axe."""

import re

import pytest
from django.core import mail
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding.accounts.tests.test_sign_in import current_code

from . import test_browser
from .test_browser import axe_violations, describe, sign_in

# The browser fixtures are shared with the other browser tests.
browser = test_browser.browser
page = test_browser.page
axe_source = test_browser.axe_source

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_chromium_accepts_the_permissions_policy_and_staff_pages_are_no_store(
    page, partnership, business_unit_user
):
    messages: list[str] = []
    page.on("console", lambda msg: messages.append(f"{msg.type}: {msg.text}"))
    public = page.goto(f"/{partnership.slug}/reviews/")
    assert "camera=()" in public.headers["permissions-policy"]
    assert "no-store" not in public.headers.get("cache-control", "")
    sign_in(page, business_unit_user.email)
    staff = page.goto("/account/")
    assert "no-store" in staff.headers["cache-control"]
    page.wait_for_load_state("load")
    assert [m for m in messages if "Permissions-Policy" in m] == []


def test_two_factor_set_up_with_the_emailed_code(page, axe_source, business_unit_user):
    sign_in(page, business_unit_user.email)
    page.goto("/account/two-factor/")
    expect(page.locator("main")).to_contain_text("First, we need to check it is you")
    assert axe_violations(page, axe_source) == []
    page.get_by_role("button", name="Email me a code").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("We have emailed a code")
    code = re.search(r"^(\d{6})$", mail.outbox[-1].body, re.MULTILINE).group(1)
    page.get_by_label("Code from the email").fill(code)
    page.get_by_role("button", name="Continue").click()

    expect(page.locator("main")).to_contain_text("scan this QR code")
    violations = axe_violations(page, axe_source)
    assert violations == [], describe(violations)
    device = TOTPDevice.objects.get(user=business_unit_user, confirmed=False)
    page.get_by_label("Security code").fill(current_code(device))
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Two-factor sign-in is set up"
    )
    device.refresh_from_db()
    assert device.confirmed
