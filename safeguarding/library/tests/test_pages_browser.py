"""The library's pages in a real browser: axe finds no violations on the staff and public
pages (with results, with errors, the themes chart, a submission), and search works without
JavaScript."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from safeguarding.library import services
from safeguarding.library.models import LibraryRecord
from tests.test_browser import (  # noqa: F401
    axe_source,
    axe_violations,
    browser,
    describe,
    page,
    page_without_js,
    sign_in,
)

from .pages_support import add_record, published_review

pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def default_themes(transactional_db):
    """Live-server tests flush the database after each test, which removes the shared themes
    a data migration loaded; put them back."""
    from safeguarding.actions.default_themes import DEFAULT_THEMES
    from safeguarding.actions.models import Theme

    for facet, names in DEFAULT_THEMES.items():
        for name in names:
            Theme.objects.get_or_create(partnership=None, facet=facet, name=name)


def _library(partnership, business_unit_user, sample_pdf):
    from .pages_support import shared_themes

    publication = published_review(partnership, business_unit_user, sample_pdf)
    own = LibraryRecord.objects.get(publication=publication)
    services.submission_prepare(record=own, actor=business_unit_user, page_url="")
    for year in (2019, 2021, 2023):
        add_record(
            partnership,
            business_unit_user,
            title=f"Self-neglect review of {year}",
            year=year,
            published_on=None,
            themes=shared_themes("Self-neglect and hoarding"),
        )
    return own, LibraryRecord.objects.filter(source="manual").first()


def test_library_pages_have_no_axe_violations(
    page,  # noqa: F811
    axe_source,  # noqa: F811
    partnership,
    business_unit_user,
    sample_pdf,
):
    own, manual = _library(partnership, business_unit_user, sample_pdf)
    national = services.national_review_add(
        partnership=partnership,
        actor=business_unit_user,
        title="A fictional national review",
        published_on=datetime.date(2025, 3, 3),
        url="https://panel.example/reviews/fictional",
    )
    business_unit_user.set_password("correct-horse-battery-staple")
    business_unit_user.save()
    slug = partnership.slug

    def staff(name, *args):
        return reverse(f"library:{name}", args=[slug, *args])

    public_pages = {
        "public search": reverse("library_public:search", args=[slug]) + "?q=neglect",
        "public browse": reverse("library_public:search", args=[slug]),
        "public record": reverse("library_public:record", args=[slug, manual.pk]),
    }
    staff_pages = {
        "search": staff("search") + "?q=neglect&review_type=sar",
        "search, nothing found": staff("search") + "?q=zebra",
        "search, too long": staff("search") + "?q=" + "x" * 201,
        "record": staff("record", own.pk),
        "add a record": staff("record_add"),
        "import": staff("import"),
        "national reviews": staff("national_reviews"),
        "add a national review": staff("national_review_add"),
        "take down a national review": staff("national_review_remove", national.national_review_id),
        "search terms": staff("search_terms"),
        "themes by year": staff("themes"),
        "submission": staff("submission", own.pk),
        "record as sent": staff("submission_sent", own.pk),
    }
    failures = []

    def check(name, url):
        page.goto(url)
        page.wait_for_load_state("load")
        assert urlsplit(page.url).path == urlsplit(url).path, f"{name}: at {page.url}"
        violations = axe_violations(page, axe_source)
        if violations:
            failures.append(f"{name} ({page.url}):\n{describe(violations)}")

    for name, url in public_pages.items():
        check(name, url)
    sign_in(page, business_unit_user.email)
    for name, url in staff_pages.items():
        check(name, url)
    # Pages with errors.
    page.goto(staff("record_add"))
    page.get_by_role("button", name="Add the record").click()
    page.wait_for_load_state("load")
    assert "There is a problem" in page.content()
    violations = axe_violations(page, axe_source)
    if violations:
        failures.append(f"add a record with errors:\n{describe(violations)}")
    page.goto(staff("import"))
    page.set_input_files(
        "input[type=file]",
        files=[
            {
                "name": "bad.csv",
                "mimeType": "text/csv",
                "buffer": b"external_id,title,review_type,publisher,year\nx,,inquest,P,1066\n",
            }
        ],
    )
    page.get_by_role("button", name="Import the records").click()
    page.wait_for_load_state("load")
    assert "Row 2, review_type" in page.content()
    violations = axe_violations(page, axe_source)
    if violations:
        failures.append(f"import with errors:\n{describe(violations)}")
    assert not failures, "axe found problems:\n" + "\n".join(failures)


def test_the_public_library_searches_and_filters_without_javascript(
    page_without_js,  # noqa: F811
    partnership,
    business_unit_user,
):
    add_record(partnership, business_unit_user, title="Self-neglect in a tower block")
    add_record(
        partnership,
        business_unit_user,
        title="A baby on a sofa",
        review_type="cspr",
        summary="A baby died on a sofa.",
        year=2023,
        published_on=None,
    )
    tab = page_without_js
    tab.goto(reverse("library_public:search", args=[partnership.slug]))
    tab.get_by_label("Search the library").fill("sofa")
    tab.get_by_role("button", name="Search", exact=True).click()
    body = tab.locator("main").inner_text()
    assert "A baby on a sofa" in body and "tower block" not in body
    tab.goto(reverse("library_public:search", args=[partnership.slug]))
    tab.get_by_label("Safeguarding adults review (1)").check()
    tab.get_by_role("button", name="Apply filters").click()
    body = tab.locator("main").inner_text()
    assert "Self-neglect in a tower block" in body and "A baby on a sofa" not in body
    tab.get_by_role("link", name="Self-neglect in a tower block").click()
    assert tab.get_by_role("heading", level=1).inner_text() == "Self-neglect in a tower block"
