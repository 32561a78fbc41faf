"""Real-browser checks: accessibility (axe), a whole editing journey, pages without JavaScript,
and the content security policy.

Chromium comes from the system package (see "Browser tests" in STACK.md); it is started once for
the module and every test gets a fresh browser context (its own cookies). Pages are served by
pytest-django's live_server, so the database is transactional.
"""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from safeguarding.core.uploads import PDF
from safeguarding.public_site import services as public_services

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Chromium's headless shell (Debian's chromium-headless-shell, `make chromium`): the engine of
# Debian's Chromium without the desktop browser around it, as Playwright runs headless Chromium
# itself. Journeys took about a third less CPU than with /usr/bin/chromium (ADR 0055).
CHROMIUM = "/usr/bin/chromium-headless-shell"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "correct-horse-battery-staple"
AXE_PATH = (
    Path(settings.BASE_DIR) / "safeguarding" / "static" / "vendor" / "axe-core" / "axe.min.js"
)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
AXE_RUN = (
    "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, "
    "resultTypes: ['violations']})"
)
CSP_MESSAGE = re.compile(r"content security policy", re.IGNORECASE)


# Browser and pages ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: make chromium")
    # Playwright's sync API runs an event loop in this thread; Django would then refuse
    # database calls (made by the test itself and by live_server's flush) as "async unsafe".
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = playwright_sync.sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _new_page(browser, live_server, **context_options):
    context = browser.new_context(base_url=live_server.url, **context_options)
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.fixture
def page(browser, live_server) -> Iterator:
    context, page = _new_page(browser, live_server)
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser, live_server) -> Iterator:
    context, page = _new_page(browser, live_server, java_script_enabled=False)
    yield page
    context.close()


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE_PATH.exists():
        pytest.skip(f"{AXE_PATH} is missing: run `python manage.py build_frontend`")
    return AXE_PATH.read_text()


# Data ------------------------------------------------------------------------------------------


@pytest.fixture
def public_page(partnership, business_unit_user, sample_pdf):
    """The partnership's public Reviews page with two sections and a document."""
    blocks = [
        public_services.content_block_create(
            partnership=partnership,
            actor=business_unit_user,
            heading="What a review is",
            body="A review looks at how agencies worked together.\n\n"
            "- Child Safeguarding Practice Reviews\n- Safeguarding Adults Reviews",
            review_type="",
            position=10,
        ),
        public_services.content_block_create(
            partnership=partnership,
            actor=business_unit_user,
            heading="How to make a referral",
            body="Use the referral form below.",
            review_type="",
            position=20,
        ),
    ]
    document = public_services.public_document_upload(
        partnership=partnership,
        actor=business_unit_user,
        title="Safeguarding Adults Review procedure",
        category="procedure",
        review_type="",
        uploaded=SimpleUploadedFile("procedure.pdf", sample_pdf),
        kind=PDF,
    )
    return blocks, document


# Helpers ---------------------------------------------------------------------------------------


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()
    assert "/sign-in/" not in page.url, f"Sign-in failed for {email}: still on {page.url}"


def axe_violations(page, axe_source: str) -> list[dict]:
    page.evaluate(axe_source)
    return page.evaluate(AXE_RUN, AXE_TAGS)["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = [", ".join(node["target"]) for node in v["nodes"][:3]]
        more = f" (+{len(v['nodes']) - 3} more)" if len(v["nodes"]) > 3 else ""
        lines.append(f"- {v['id']} [{v['impact']}]: {v['help']}\n    at {targets}{more}")
    return "\n".join(lines)


# 1. Accessibility ------------------------------------------------------------------------------


def _home(page, slug):
    page.goto("/")


def _reviews(page, slug):
    page.goto(f"/{slug}/reviews/")
    expect(page.get_by_role("heading", name="What a review is")).to_be_visible()
    expect(page.get_by_role("link", name="Safeguarding Adults Review procedure")).to_be_visible()


def _accessibility(page, slug):
    page.goto("/accessibility/")


def _sign_in(page, slug):
    page.goto("/sign-in/")


def _sign_in_errors(page, slug):
    page.goto("/sign-in/")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def _partnership_home(page, slug):
    page.goto(f"/manage/{slug}/")
    expect(page.get_by_role("link", name="Change the public Reviews page")).to_be_visible()


def _manage(page, slug):
    page.goto(f"/manage/{slug}/public-page/")
    expect(page.get_by_role("heading", name="Public Reviews page", level=1)).to_be_visible()


def _block_edit_errors(page, slug):
    page.goto(f"/manage/{slug}/public-page/")
    page.get_by_role("link", name="Change What a review is").click()
    page.get_by_label("Heading").fill("")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def _document_upload_errors(page, slug):
    page.goto(f"/manage/{slug}/public-page/documents/add/")
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def _audit_trail(page, slug):
    page.goto(f"/manage/{slug}/audit/")
    expect(page.locator("main table")).to_be_visible()


def _not_found(page, slug):
    response = page.goto("/no-such-page/here/")
    assert response.status == 404


PUBLIC_PAGES = {
    "public home": _home,
    "public Reviews page": _reviews,
    "accessibility statement": _accessibility,
    "sign in": _sign_in,
    "sign in with errors": _sign_in_errors,
    "page not found": _not_found,
}
STAFF_PAGES = {
    "staff home": _partnership_home,
    "public page management": _manage,
    "section edit with errors": _block_edit_errors,
    "document upload with errors": _document_upload_errors,
    "audit trail": _audit_trail,
}


def _check_pages(page, axe_source: str, pages: dict, slug: str) -> None:
    """Visit every page in turn (one test, so one database and one sign-in) and report every
    page's violations together."""
    failures = []
    for name, visit in pages.items():
        visit(page, slug)
        page.wait_for_load_state("load")
        violations = axe_violations(page, axe_source)
        if violations:
            failures.append(f"{name} ({page.url}):\n{describe(violations)}")
    assert not failures, "axe found problems:\n" + "\n".join(failures)


def test_public_pages_have_no_axe_violations(page, axe_source, partnership, public_page):
    _check_pages(page, axe_source, PUBLIC_PAGES, partnership.slug)


def test_staff_pages_have_no_axe_violations(
    page, axe_source, partnership, business_unit_user, public_page
):
    sign_in(page, business_unit_user.email)
    _check_pages(page, axe_source, STAFF_PAGES, partnership.slug)


# 2. A whole journey ----------------------------------------------------------------------------


def test_business_unit_changes_a_section(page, partnership, business_unit_user, public_page):
    new_text = "Reviews are held when a child or adult has died or been seriously harmed."
    sign_in(page, business_unit_user.email)
    expect(page).to_have_url(re.compile(rf"/manage/{partnership.slug}/$"))

    page.get_by_role("link", name="Change the public Reviews page").click()
    page.get_by_role("link", name="Change What a review is").click()
    expect(page.get_by_role("heading", name="Change a section")).to_be_visible()
    page.get_by_label("Text").fill(new_text)
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/manage/{partnership.slug}/public-page/$"))
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Section ‘What a review is’ saved")

    page.goto(f"/{partnership.slug}/reviews/")
    section = page.locator("section", has=page.get_by_role("heading", name="What a review is"))
    expect(section).to_contain_text(new_text)
    expect(page.get_by_text("A review looks at how agencies worked together")).to_have_count(0)

    page.goto(f"/manage/{partnership.slug}/")
    page.get_by_role("link", name="See who did what, and when").click()
    expect(page.locator("main")).to_contain_text("Changed a section of the public Reviews page")


# 3. Without JavaScript -------------------------------------------------------------------------


def test_sign_in_and_edit_a_section_without_javascript(
    page_without_js, partnership, business_unit_user, public_page
):
    page = page_without_js
    sign_in(page, business_unit_user.email)
    assert "js-enabled" not in (page.locator("body").get_attribute("class") or "")

    page.goto(f"/manage/{partnership.slug}/public-page/")
    page.get_by_role("link", name="Change How to make a referral").click()
    page.get_by_label("Text").fill("Download the referral form and email it to us.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Section ‘How to make a referral’ saved"
    )
    page.goto(f"/{partnership.slug}/reviews/")
    expect(page.locator("main")).to_contain_text("Download the referral form and email it to us.")


# 4. Content security policy and GOV.UK Frontend -----------------------------------------------


def test_content_security_policy_holds_and_frontend_starts(page, partnership, public_page):
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error" or CSP_MESSAGE.search(msg.text)
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url}"))

    response = page.goto(f"/{partnership.slug}/reviews/")
    page.wait_for_load_state("load")
    assert "script-src" in response.headers.get("content-security-policy", "")
    # GOV.UK Frontend is a module loaded after parsing: wait for initAll to mark a component.
    page.wait_for_selector("[data-govuk-skip-link-init]", state="attached")
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    assert problems == [], "\n".join(problems)

    # The policy is enforced (and the listener would see a breach): an inline script without
    # the nonce is refused and reported on the console.
    with page.expect_console_message(lambda msg: bool(CSP_MESSAGE.search(msg.text))):
        page.evaluate(
            """() => {
                const script = document.createElement('script');
                script.textContent = 'window.cspBypassed = true';
                document.body.appendChild(script);
            }"""
        )
    assert page.evaluate("window.cspBypassed") is None
