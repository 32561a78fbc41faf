"""The library's staff and public pages: who may open them, what they show, what bad input
does (nothing), the figures of the themes view, the submission .zip, the JSON endpoint, and
query counts that do not grow with the library."""

import datetime
import io
import json
import re
import zipfile
from functools import partial

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from safeguarding.actions import services as action_services
from safeguarding.actions.tests.support import signed_off_review
from safeguarding.audit.models import AuditEvent
from safeguarding.library import services
from safeguarding.library.models import LibraryRecord, NationalLibrarySubmission, SearchTerm
from safeguarding.publication.models import NationalReview

from .pages_support import add_record, published_review, shared_themes

pytestmark = pytest.mark.django_db

READER_ROLES = ["partner_lead", "reviewer", "panel_member", "agency_contributor", "administrator"]


def url(name, *args, slug="testshire"):
    return reverse(f"library:{name}", args=[slug, *args])


def public_url(name, *args, slug="testshire"):
    return reverse(f"library_public:{name}", args=[slug, *args])


def many_records(partnership, actor, count, *, public=True, start=0):
    """``count`` records in one import (years 2001 onwards, alternating types)."""
    records = [
        {
            "external_id": f"bulk-{start + n}",
            "title": f"Fictional review number {start + n} about neglect",
            "review_type": "cspr" if n % 2 else "sar",
            "publisher": f"Publisher {n % 3}",
            "year": 2001 + n % 20,
            "themes": ["Neglect"] if n % 2 else ["Self-neglect and hoarding"],
            "summary": f"A fictional summary number {start + n} about neglect at home.",
            "is_public": public,
        }
        for n in range(count)
    ]
    services.library_import(
        partnership=partnership,
        actor=actor,
        source=json.dumps(records).encode(),
        name="bulk.json",
    )


# Access ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["business_unit", *READER_ROLES])
def test_every_member_reads_the_library(client_for, partnership, business_unit_user, role):
    record = add_record(partnership, business_unit_user)
    client = client_for(role)
    for page in (
        url("search"),
        url("search") + "?q=self-neglect",
        url("record", record.pk),
        url("national_reviews"),
        url("themes"),
    ):
        assert client.get(page).status_code == 200, page
    html = client.get(url("record", record.pk)).content.decode()
    assert ("Change this record" in html) == (role == "business_unit")


@pytest.mark.parametrize("role", READER_ROLES)
def test_only_the_business_unit_changes_the_library(
    client_for, partnership, business_unit_user, role
):
    record = add_record(partnership, business_unit_user)
    client = client_for(role)
    for page in (
        url("record_add"),
        url("record_edit", record.pk),
        url("record_archive", record.pk),
        url("import"),
        url("national_review_add"),
        url("search_terms"),
    ):
        assert client.get(page).status_code == 403, page
        assert client.post(page, {"title": "x"}).status_code == 403, page
    assert LibraryRecord.objects.get().title == record.title


def test_outsiders_get_404_and_anonymous_users_sign_in(
    client, other_partnership, partnership, business_unit_user
):
    assert client.get(url("search")).status_code == 302
    from safeguarding.accounts.tests.factories import MembershipFactory, UserFactory

    outsider = UserFactory()
    MembershipFactory(user=outsider, partnership=other_partnership, role="business_unit")
    client.force_login(outsider)
    assert client.get(url("search")).status_code == 404


# Search ----------------------------------------------------------------------------------------


def test_search_finds_a_record_with_a_highlighted_snippet(
    bu_client, partnership, business_unit_user
):
    add_record(partnership, business_unit_user)
    add_record(
        partnership,
        business_unit_user,
        title="A baby and the sofa",
        review_type="cspr",
        summary="A baby died on a sofa.",
    )
    html = bu_client.get(url("search"), {"q": "carers"}).content.decode()
    results = html[html.index('id="results-heading"') :]
    assert "A fictional review from Northwold" in results
    assert "<mark>carers</mark>" in results
    if "A baby and the sofa" in results:  # found by meaning, if at all: after the match
        assert results.index("A fictional review from Northwold") < results.index(
            "A baby and the sofa"
        )


def test_search_with_nothing_found_says_so(bu_client, partnership, business_unit_user):
    add_record(partnership, business_unit_user)
    html = bu_client.get(url("search"), {"q": "xqzvw"}).content.decode()
    assert "No reviews found" in html
    assert "check the spelling" in html


def test_an_empty_library_says_so(bu_client):
    html = bu_client.get(url("search")).content.decode()
    assert "The library is empty" in html


def test_a_misspelt_search_shows_the_corrected_query(bu_client, partnership, business_unit_user):
    add_record(partnership, business_unit_user, summary="Hoarding filled every room.")
    html = bu_client.get(url("search"), {"q": "hoardnig"}).content.decode()
    assert "Showing results for <strong>hoarding</strong>" in html
    assert "A fictional review from Northwold" in html


def test_facet_filters_narrow_the_results_and_pages_follow(
    bu_client, partnership, business_unit_user
):
    many_records(partnership, business_unit_user, 50)
    html = bu_client.get(url("search")).content.decode()
    assert "50 reviews in the library" in html
    assert 'aria-label="Page 3"' in html  # 20 a page
    assert 'name="review_type" type="checkbox" value="cspr"' in html

    html = bu_client.get(url("search"), {"q": "neglect", "review_type": "cspr"}).content.decode()
    assert "25 reviews found" in html
    assert "Review type: Child safeguarding practice review" in html
    assert "Clear filters" in html

    page2 = bu_client.get(url("search"), {"review_type": "sar", "page": "2"}).content.decode()
    assert "Showing 21 to 25 of 25" in page2
    assert 'rel="prev"' in page2 and 'rel="next"' not in page2


def test_the_library_without_a_query_counts_each_theme_once_by_its_name(
    partnership, business_unit_user
):
    """Issue 16: the theme facet of the library with no query is grouped by theme id and each
    theme's name read once; the counts are over the records the other filters let through, a
    chosen theme is still listed, archived and other partnerships' records are not counted."""
    from safeguarding.accounts.tests.factories import PartnershipFactory
    from safeguarding.library import selectors

    many_records(partnership, business_unit_user, 9)  # 4 "Neglect" (cspr), 5 "Self-neglect…"
    both = add_record(
        partnership,
        business_unit_user,
        themes=shared_themes("Neglect", "Self-neglect and hoarding"),
    )
    archived = add_record(
        partnership, business_unit_user, title="Archived", themes=shared_themes("Neglect")
    )
    LibraryRecord.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
    elsewhere = PartnershipFactory()
    add_record(elsewhere, business_unit_user, themes=shared_themes("Neglect"))

    def theme_facet(filters, public_only=False):
        _records, _total, facets = selectors.record_browse(
            partnership=partnership, filters=filters, public_only=public_only, offset=0, limit=20
        )
        return [(label, n) for _value, label, n in facets["theme"]]

    assert theme_facet({}) == [("Self-neglect and hoarding", 6), ("Neglect", 5)]
    assert theme_facet({"review_type": ["cspr"]}) == [("Neglect", 4)]  # "both" is a SAR
    neglect = str(both.themes.get(name="Neglect").pk)
    # Choosing a theme does not narrow its own facet.
    assert theme_facet({"theme": [neglect]}) == theme_facet({})


def _facets_counted_one_query_each(base, filters):
    """The browse's total and facet counts as they were worked out before issue 16's change:
    a grouped count query per facet (the reference for ``_facet_counts``)."""
    from django.db.models import Count

    from safeguarding.library.selectors import FACETS_COUNTED, _narrowed

    total = _narrowed(base, filters).count()
    counts = {}
    for name in FACETS_COUNTED:
        grouped = (
            _narrowed(base, filters, skip=name).values_list(name).annotate(n=Count("pk")).order_by()
        )
        counts[name] = {value: n for value, n in grouped if value is not None}
    return total, counts


def test_the_facets_counted_from_one_query_equal_a_grouped_count_per_facet(
    partnership, business_unit_user, django_assert_max_num_queries, django_assert_num_queries
):
    """Issue 16: the browse reads each record's facet values once and counts them in Python;
    for every kind of filter (and filters that match nothing, bad values, a year not known,
    a record not public, an archived one, another partnership's) the figures are the grouped
    counts of the database, the records' page and theme facet unchanged."""
    from safeguarding.accounts.tests.factories import PartnershipFactory
    from safeguarding.library import selectors

    many_records(partnership, business_unit_user, 23)
    add_record(partnership, business_unit_user, year=None, age_group="adult", publisher="P <&>")
    add_record(partnership, business_unit_user, is_public=False, themes=shared_themes("Neglect"))
    archived = add_record(partnership, business_unit_user, title="Archived")
    LibraryRecord.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
    add_record(PartnershipFactory(), business_unit_user)
    neglect = str(shared_themes("Neglect")[0].pk)
    hoarding = str(shared_themes("Self-neglect and hoarding")[0].pk)
    for filters in [
        {},
        {"review_type": ["cspr"]},
        {"review_type": ["cspr", "sar"], "publisher": ["Publisher 1"]},
        {"year": ["2003", "2004"], "age_group": ["older_adult"]},
        {"year": ["abc"]},
        {"year_from": "2010"},
        {"year_from": ["2005"], "year_to": ["2012"], "review_type": ["sar"]},
        {"year_to": "x"},
        {"theme": [neglect]},
        {"theme": [neglect, hoarding], "year_from": "2015"},
        {"theme": ["nope"]},
        {"theme": ["999999"], "review_type": ["sar"]},
        {"publisher": ["P <&>"], "review_type": [], "unknown": ["x"]},
        {"age_group": ["nobody"]},
    ]:
        for public_only in (True, False):
            base = (
                selectors.record_list_public(partnership=partnership)
                if public_only
                else selectors.record_list_live(partnership=partnership)
            )
            total, counts = selectors._facet_counts(base, filters)
            assert (total, counts) == _facets_counted_one_query_each(base, filters), filters
            browse = partial(
                selectors.record_browse,
                partnership=partnership,
                filters=filters,
                public_only=public_only,
                offset=0,
                limit=20,
            )
            if not filters:  # the kept counts (ADR 0042): counted and kept once, then read
                if public_only:
                    with django_assert_num_queries(7):  # kept row, 4 counts, keeping, the page
                        browse()
                with django_assert_num_queries(2):  # the kept row, the page
                    browse()
            # The values, the page, the themes (fewer when a filter cannot match: year "abc").
            with django_assert_max_num_queries(3):
                records, shown, facets = selectors.record_browse(
                    partnership=partnership,
                    filters=filters,
                    public_only=public_only,
                    offset=0,
                    limit=20,
                )
            assert shown == total
            assert [r.pk for r in records] == [
                r.pk
                for r in selectors._narrowed(base, filters).order_by(
                    F("year").desc(nulls_last=True),
                    F("published_on").desc(nulls_last=True),
                    "title",
                    "pk",
                )[:20]
            ]
            for name in selectors.FACETS_COUNTED:
                assert {value: n for value, _label, n in facets[name]} == {
                    str(value): n for value, n in counts[name].items()
                }


def test_a_search_that_is_too_long_is_an_error(bu_client):
    response = bu_client.get(url("search"), {"q": "x" * 201})
    assert response.status_code == 200
    assert "The search must be 200 characters or fewer" in response.content.decode()


@pytest.mark.parametrize("count", [3, 45])
def test_the_search_page_query_count_does_not_grow(
    bu_client, partnership, business_unit_user, django_assert_max_num_queries, count
):
    many_records(partnership, business_unit_user, count)
    bu_client.get(url("search"), {"q": "neglect"})  # the search's per-process caches
    with django_assert_max_num_queries(13):
        assert bu_client.get(url("search"), {"q": "neglect"}).status_code == 200
    with django_assert_max_num_queries(16):
        assert bu_client.get(url("search"), {"review_type": "sar"}).status_code == 200


# A record --------------------------------------------------------------------------------------


def test_the_record_page_shows_every_field_and_similar_reviews(
    bu_client, partnership, business_unit_user
):
    record = add_record(
        partnership, business_unit_user, themes=shared_themes("Self-neglect and hoarding")
    )
    add_record(partnership, business_unit_user, title="Another self-neglect review")
    html = bu_client.get(url("record", record.pk)).content.decode()
    for text in (
        "A fictional review from Northwold",
        "Safeguarding adults review",
        "Northwold Safeguarding Adults Board",
        "1 June 2022",
        "65 and over",
        '<strong class="govuk-tag govuk-tag--blue govuk-!-margin-bottom-1">Self-neglect and '
        "hoarding</strong>",
        "An older man living alone stopped letting carers in.",
        "Self-neglect needs a multi-agency response.",
        "Agencies should use the self-neglect protocol.",
        'href="https://example.org/northwold-review"',
        "Similar reviews",
        "Another self-neglect review",
    ):
        assert text in html, text


def test_an_own_record_links_to_its_published_page_and_can_be_submitted(
    bu_client, partnership, business_unit_user, sample_pdf
):
    publication = published_review(partnership, business_unit_user, sample_pdf)
    record = LibraryRecord.objects.get(publication=publication)
    html = bu_client.get(url("record", record.pk)).content.decode()
    assert reverse("published:detail", args=["testshire", publication.pk]) in html
    assert "Prepare the submission to the NSPCC National Case Review Repository" in html


@pytest.mark.parametrize("count", [1, 12])
def test_the_record_page_query_count_does_not_grow(
    bu_client, partnership, business_unit_user, django_assert_max_num_queries, count
):
    many_records(partnership, business_unit_user, count)
    record = LibraryRecord.objects.first()
    bu_client.get(url("record", record.pk))
    with django_assert_max_num_queries(14):
        assert bu_client.get(url("record", record.pk)).status_code == 200


# Adding, changing and taking out records -------------------------------------------------------

FORM = {
    "title": "A review entered by hand",
    "review_type": "dhr",
    "publisher": "Eastmoor Community Safety Partnership",
    "year": "2020",
    "published_on_0": "3",
    "published_on_1": "3",
    "published_on_2": "2020",
    "age_group": "adult",
    "summary": "A fictional summary.",
    "learning": "",
    "recommendations": "",
    "full_text": "",
    "url": "https://example.org/eastmoor",
    "is_public": "yes",
}


def test_the_business_unit_adds_a_record(bu_client, partnership):
    theme = shared_themes("Non-fatal strangulation")[0]
    response = bu_client.post(url("record_add"), {**FORM, "themes_domestic_abuse": [theme.pk]})
    record = LibraryRecord.objects.get()
    assert response.status_code == 302
    assert response.url == url("record", record.pk)
    assert (record.title, record.review_type, record.published_on) == (
        "A review entered by hand",
        "dhr",
        datetime.date(2020, 3, 3),
    )
    assert list(record.themes.all()) == [theme]
    follow = bu_client.get(response.url).content.decode()
    assert "‘A review entered by hand’ has been added to the library" in follow


def test_a_record_without_a_year_is_shown_as_year_not_known(
    bu_client, partnership, business_unit_user
):
    undated = {"year": "", "published_on_0": "", "published_on_1": "", "published_on_2": ""}
    response = bu_client.post(url("record_add"), {**FORM, **undated})
    record = LibraryRecord.objects.get()
    assert response.status_code == 302
    assert record.year is None
    add_record(
        partnership, business_unit_user, title="A dated review", year=2019, published_on=None
    )
    page = bu_client.get(url("record", record.pk)).content.decode()
    assert "Year not known" in page
    listing = bu_client.get(url("search")).content.decode()
    # Newest first, the undated record last; its year said in words, not "None".
    assert listing.index("A dated review") < listing.index("A review entered by hand")
    assert "Year not known" in listing and "None" not in listing
    found = bu_client.get(url("search"), {"q": "entered by hand"}).content.decode()
    assert "Year not known" in found
    themes = bu_client.get(url("themes")).content.decode()
    assert "None" not in themes


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Enter the title"),
        ({"review_type": ""}, "Select the type of review"),
        ({"year": "20x0"}, "Enter the year as 4 digits, for example 2024"),
        ({"year": "2999"}, "The year must be"),
        ({"year": "2019"}, "The year must be the year of the date published"),
        ({"published_on_1": "13"}, "Date published must be a real date"),
        ({"url": "not a web address"}, "Enter a web address in the correct format"),
        ({"is_public": ""}, "Select whether the public can see this record"),
        ({"themes_harm": ["999999"]}, "Select themes from the list"),
        ({"summary": "x" * 20_001}, "Summary must be 20,000 characters or fewer"),
    ],
)
def test_bad_records_are_refused_with_the_error_summary_and_nothing_is_saved(
    bu_client, changes, message
):
    response = bu_client.post(url("record_add"), {**FORM, **changes})
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert message in html
    assert not LibraryRecord.objects.exists()


def test_a_refused_record_form_keeps_what_was_entered(bu_client):
    """The form groups and widgets written in Python (issue 16) show the input again, escaped:
    text, the chosen radio, select option and theme checkbox, and the date's parts."""
    theme = shared_themes("Non-fatal strangulation")[0]
    title = 'Fish & "chips" <b>review</b>'
    posted = {**FORM, "title": title, "year": "20x0", "published_on_1": "13"}
    posted["themes_domestic_abuse"] = [theme.pk]
    response = bu_client.post(url("record_add"), posted)
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html and 'href="#id_published_on_0"' in html
    assert 'value="Fish &amp; &quot;chips&quot; &lt;b&gt;review&lt;/b&gt;"' in html
    assert 'type="radio" value="dhr" checked>' in html
    assert '<option value="adult" selected>' in html
    assert f'type="checkbox" value="{theme.pk}" checked>' in html
    assert (
        'name="year" value="20x0"' in html
        and 'name="published_on_1" type="text" inputmode="numeric" value="13"' in html
    )
    assert not LibraryRecord.objects.exists()


def test_the_business_unit_changes_and_takes_out_a_record(
    bu_client, partnership, business_unit_user
):
    record = add_record(partnership, business_unit_user)
    form = bu_client.get(url("record_edit", record.pk)).content.decode()
    assert 'value="A fictional review from Northwold"' in form
    response = bu_client.post(
        url("record_edit", record.pk), {**FORM, "title": "A changed title", "is_public": "no"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.title, record.is_public) == ("A changed title", False)

    assert bu_client.get(url("record_archive", record.pk)).status_code == 200
    response = bu_client.post(url("record_archive", record.pk))
    assert response.url == url("search")
    record.refresh_from_db()
    assert record.archived_at is not None
    assert bu_client.get(url("record", record.pk)).status_code == 404


# Import ----------------------------------------------------------------------------------------

CSV_GOOD = (
    "external_id,title,review_type,publisher,year,themes\n"
    "a-1,First imported review,sar,Southbeck SAB,2019,Self-neglect and hoarding\n"
    "a-2,Second imported review,dhr,Southbeck CSP,2020,Non-fatal strangulation; Risk assessment\n"
)
CSV_BAD = (
    "external_id,title,review_type,publisher,year,themes\n"
    "a-1,First imported review,sar,Southbeck SAB,2019,Self-negelct\n"
    "a-2,,dhr,Southbeck CSP,1066,\n"
)


def test_the_import_page_imports_a_good_file(bu_client):
    response = bu_client.post(
        url("import"), {"file": SimpleUploadedFile("library.csv", CSV_GOOD.encode())}
    )
    assert response.status_code == 302
    assert LibraryRecord.objects.count() == 2
    html = bu_client.get(response.url).content.decode()
    assert "2 records imported: 2 new, 0 updated" in html


def test_the_import_page_lists_every_error_and_imports_nothing(bu_client):
    response = bu_client.post(
        url("import"), {"file": SimpleUploadedFile("library.csv", CSV_BAD.encode())}
    )
    html = response.content.decode()
    assert response.status_code == 200
    summary = html[html.index("govuk-error-summary") : html.index("</main>")]
    for text in (
        "Row 2, themes: ‘Self-negelct’ is not a theme in the library&#x27;s list",
        "Row 3, title: Enter the title",
        "Row 3, year: must be between 1900 and",
        "The file has 3 errors, so nothing was imported",
    ):
        assert text in summary, text
    assert "Errors in the file" in html
    assert not LibraryRecord.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (None, "Select a CSV or JSON file"),
        (SimpleUploadedFile("library.xlsx", b"PK\x03\x04"), "must be a CSV or JSON file"),
        (SimpleUploadedFile("library.csv", b""), "The submitted file is empty"),
    ],
)
def test_the_import_page_refuses_bad_uploads(bu_client, upload, message):
    response = bu_client.post(url("import"), {"file": upload} if upload else {})
    html = response.content.decode()
    assert "govuk-error-summary" in html and message in html
    assert not LibraryRecord.objects.exists()


# National reviews ------------------------------------------------------------------------------


def test_adding_a_national_review_puts_it_in_the_library_and_on_the_public_page(
    bu_client, client_for, client, partnership
):
    theme = shared_themes("Child criminal exploitation and county lines")[0]
    response = bu_client.post(
        url("national_review_add"),
        {
            "title": "It was hard to escape",
            "published_on_0": "1",
            "published_on_1": "3",
            "published_on_2": "2020",
            "url": "https://example.org/hard-to-escape",
            "summary": "Criminal exploitation of children.",
            "themes_harm": [theme.pk],
        },
    )
    assert response.status_code == 302
    review = NationalReview.objects.get()
    record = LibraryRecord.objects.get(national_review=review)
    assert list(record.themes.all()) == [theme]
    html = bu_client.get(url("national_reviews")).content.decode()
    assert "It was hard to escape" in html and "1 March 2020" in html
    client.logout()
    public = client.get(reverse("public_site:reviews", args=["testshire"])).content.decode()
    assert "It was hard to escape" in public


def test_a_bad_national_review_saves_nothing(bu_client):
    response = bu_client.post(
        url("national_review_add"),
        {"title": "", "published_on_0": "1", "published_on_1": "3", "published_on_2": "2999"},
    )
    html = response.content.decode()
    assert "Enter the title of the national review" in html
    assert "Enter the web address of the national review" in html
    assert not NationalReview.objects.exists() and not LibraryRecord.objects.exists()


def test_a_national_review_from_the_future_saves_nothing(bu_client):
    response = bu_client.post(
        url("national_review_add"),
        {
            "title": "Future",
            "published_on_0": "1",
            "published_on_1": "3",
            "published_on_2": "2999",
            "url": "https://example.org/future",
        },
    )
    assert "The date published must be today or in the past" in response.content.decode()
    assert not NationalReview.objects.exists() and not LibraryRecord.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"url": "not a url"}, "Enter a web address in the correct format"),
        ({"url": "http://panel.example/x"}, "Enter a web address that starts with https://"),
        ({"published_on_0": "31", "published_on_1": "2"}, "Date published must be a real date"),
    ],
)
def test_a_national_review_with_a_bad_address_or_date_saves_nothing(bu_client, overrides, message):
    data = {
        "title": "A fictional national review about infants",
        "published_on_0": "3",
        "published_on_1": "3",
        "published_on_2": "2025",
        "url": "https://panel.example/reviews/infants",
    }
    html = bu_client.post(url("national_review_add"), {**data, **overrides}).content.decode()
    assert "There is a problem" in html and message in html
    assert not NationalReview.objects.exists() and not LibraryRecord.objects.exists()


def test_a_national_review_taken_down_leaves_the_public_page_and_the_library(
    bu_client, client, partnership, business_unit_user
):
    record = services.national_review_add(
        partnership=partnership,
        actor=business_unit_user,
        title="A fictional national review about infants",
        published_on=datetime.date(2025, 3, 3),
        url="https://panel.example/reviews/infants",
    )
    review = record.national_review
    listed = bu_client.get(url("national_reviews")).content.decode()
    assert url("national_review_remove", review.pk) in listed
    assert "Take ‘A fictional national review about infants’ off the public page?" in (
        bu_client.get(url("national_review_remove", review.pk)).content.decode()
    )
    response = bu_client.post(url("national_review_remove", review.pk))
    assert response.status_code == 302 and response["Location"] == url("national_reviews")
    review.refresh_from_db()
    record.refresh_from_db()
    assert review.archived_at is not None and record.archived_at is not None
    assert AuditEvent.objects.filter(action="national_review.removed").count() == 1
    assert "panel.example" not in bu_client.get(url("national_reviews")).content.decode()
    public = client.get(reverse("public_site:reviews", args=["testshire"])).content.decode()
    assert "panel.example" not in public
    assert bu_client.post(url("national_review_remove", review.pk)).status_code == 404


def test_only_the_business_unit_sees_the_take_down_link(
    client_for, partnership, business_unit_user
):
    record = services.national_review_add(
        partnership=partnership,
        actor=business_unit_user,
        title="A fictional national review",
        published_on=datetime.date(2025, 3, 3),
        url="https://panel.example/reviews/x",
    )
    html = client_for("partner_lead").get(url("national_reviews")).content.decode()
    assert "A fictional national review" in html
    assert url("national_review_remove", record.national_review_id) not in html


# Search terms ----------------------------------------------------------------------------------


def test_search_terms_page_adds_and_removes_terms(bu_client, partnership):
    SearchTerm.objects.get_or_create(
        partnership=None, term="marac", defaults={"expansion": "risk conference"}
    )
    html = bu_client.get(url("search_terms")).content.decode()
    assert "marac" in html and "Shared terms" in html
    response = bu_client.post(url("search_terms"), {"term": "LADO", "expansion": "allegations"})
    assert response.status_code == 302
    term = SearchTerm.objects.get(partnership=partnership)
    assert term.term == "lado"
    # Shared terms have no remove link; the partnership's own do.
    html = bu_client.get(url("search_terms")).content.decode()
    assert url("search_term_remove", term.pk) in html
    shared = SearchTerm.objects.get(partnership=None, term="marac")
    assert bu_client.get(url("search_term_remove", shared.pk)).status_code == 404
    response = bu_client.post(url("search_term_remove", term.pk))
    assert response.status_code == 302
    assert not SearchTerm.objects.filter(partnership=partnership).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"term": "", "expansion": "x"}, "Enter the word, phrase or abbreviation"),
        ({"term": "lado", "expansion": ""}, "Enter what it also means"),
        ({"term": "x" * 101, "expansion": "y"}, "must be 100 characters or fewer"),
    ],
)
def test_bad_search_terms_are_refused(bu_client, partnership, data, message):
    response = bu_client.post(url("search_terms"), data)
    html = response.content.decode()
    assert "govuk-error-summary" in html and message in html
    assert not SearchTerm.objects.filter(partnership=partnership).exists()


def test_a_search_term_twice_is_refused(bu_client, partnership, business_unit_user):
    services.search_term_add(
        partnership=partnership, actor=business_unit_user, term="lado", expansion="allegations"
    )
    response = bu_client.post(url("search_terms"), {"term": "LADO", "expansion": "again"})
    assert "‘lado’ is already in your search terms" in response.content.decode()
    assert SearchTerm.objects.filter(partnership=partnership).count() == 1


# Themes by year --------------------------------------------------------------------------------


def _cells(html: str, tag: str) -> dict[tuple[str, str], int]:
    pattern = rf'<{tag}[^>]*data-theme="(\d+)" data-year="(\d+)" data-count="(\d+)"'
    return {(t, y): int(c) for t, y, c in re.findall(pattern, html)}


def test_the_themes_chart_and_table_hold_the_same_figures(
    bu_client, partnership, business_unit_user, sample_pdf
):
    neglect, hoarding = shared_themes("Neglect", "Self-neglect and hoarding")
    add_record(partnership, business_unit_user, year=2019, published_on=None, themes=[neglect])
    add_record(partnership, business_unit_user, year=2019, published_on=None, themes=[neglect])
    add_record(
        partnership, business_unit_user, year=2021, published_on=None, themes=[neglect, hoarding]
    )
    # An own review not yet published: its findings count in the year they were written.
    review = signed_off_review(partnership, business_unit_user, sample_pdf)
    for finding in review.findings.all():  # two findings, one review: counted once
        action_services.finding_themes_set(
            finding=finding, actor=business_unit_user, themes=[neglect]
        )

    this_year = timezone.localdate().year
    assert this_year - 2019 + 1 > 5  # the years with data are more than a page of them
    n, h = str(neglect.pk), str(hoarding.pk)
    cells = {}
    for page in (1, 2):  # the newest five years, then the earlier ones (ADR 0029)
        html = bu_client.get(url("themes"), {"page": page}).content.decode()
        svg = html[html.index("<svg") : html.index("</svg>")]
        table = html[html.index('<table class="govuk-table app-themes-table"') :]
        chart_cells, table_cells = _cells(svg, "g"), _cells(table, "td")
        assert chart_cells == table_cells
        assert 'role="img"' in svg and "<title" in svg
        cells[page] = table_cells
    assert {year for _, year in cells[1]} == {str(y) for y in range(this_year - 4, this_year + 1)}
    assert cells[1][(n, str(this_year))] == 1
    assert {year for _, year in cells[2]} == {"2019", "2020", "2021"}  # from the first with data
    assert cells[2][(n, "2019")] == 2
    assert cells[2][(n, "2020")] == 0
    assert cells[2][(n, "2021")] == 1
    assert cells[2][(h, "2021")] == 1
    assert "Recurring" in html  # neglect appeared in more than one of 2019 to 2021


def test_a_finding_counts_in_the_year_it_was_written_in_england(
    partnership, business_unit_user, sample_pdf
):
    """The year is read from the stored UTC moment (issue 16): the same as the year in England,
    as the year turns in winter, when British time is UTC."""
    from zoneinfo import ZoneInfo

    from safeguarding.library import selectors
    from safeguarding.reviews.models import Finding

    (neglect,) = shared_themes("Neglect")
    review = signed_off_review(partnership, business_unit_user, sample_pdf)
    first, second = review.findings.all()[:2]
    for finding in (first, second):
        action_services.finding_themes_set(
            finding=finding, actor=business_unit_user, themes=[neglect]
        )
    london = ZoneInfo("Europe/London")
    moments = {
        first.pk: datetime.datetime(2019, 12, 31, 23, 59, tzinfo=london),
        second.pk: datetime.datetime(2020, 1, 1, 0, 1, tzinfo=london),
    }
    for pk, moment in moments.items():
        Finding.objects.filter(pk=pk).update(created_at=moment)

    figures = selectors.themes_by_year(partnership=partnership)

    (row,) = figures.rows
    assert dict(row.cells) == {2019: 1, 2020: 1}


def test_the_themes_pages_keep_the_group_and_answer_any_page_number(
    bu_client, partnership, business_unit_user
):
    """Issue 16, ADR 0029: five years a page, the newest first; the pagination keeps the group
    chosen; a page past the last shows the last, one that is not a number the first."""
    neglect, strangulation = shared_themes("Neglect", "Non-fatal strangulation")
    add_record(partnership, business_unit_user, year=2012, published_on=None, themes=[neglect])
    add_record(partnership, business_unit_user, year=2024, published_on=None, themes=[neglect])
    add_record(
        partnership, business_unit_user, year=2024, published_on=None, themes=[strangulation]
    )
    last = 2024  # the pages run back from the last year with data

    first = bu_client.get(url("themes"), {"facet": "harm"}).content.decode()
    assert f"Years {last - 4} to {last}." in first
    assert "The figures go back to 2012" in first
    assert "Neglect" in first and "Non-fatal strangulation" not in first  # another group
    assert 'href="?facet=harm&amp;page=2"' in first and 'rel="next"' in first
    middle = bu_client.get(url("themes"), {"facet": "harm", "page": 2}).content.decode()
    assert "No theme in this group was recorded in these years." in middle
    assert "app-themes-chart" not in middle and 'rel="prev"' in middle
    for wild in ("99", "-3", "two"):
        page = bu_client.get(url("themes"), {"facet": "harm", "page": wild})
        assert page.status_code == 200
        expected = "2012 to 2014 (page 3 of 3)" if wild == "99" else f"{last - 4} to {last}."
        assert f"Years {expected}" in page.content.decode(), wild


def test_the_themes_view_filters_by_group_and_says_when_empty(
    bu_client, partnership, business_unit_user
):
    add_record(partnership, business_unit_user, themes=shared_themes("Neglect"))
    html = bu_client.get(url("themes"), {"facet": "practice"}).content.decode()
    assert "No themes have been recorded in this group yet" in html
    html = bu_client.get(url("themes"), {"facet": "harm"}).content.decode()
    assert "Neglect" in html and "<svg" in html


@pytest.mark.parametrize("count", [2, 40])
def test_the_themes_page_query_count_does_not_grow(
    bu_client, partnership, business_unit_user, django_assert_max_num_queries, count
):
    many_records(partnership, business_unit_user, count)
    with django_assert_max_num_queries(12):  # +1: the unread notifications count
        assert bu_client.get(url("themes")).status_code == 200


# National library submissions ------------------------------------------------------------------


def test_the_submission_is_prepared_downloaded_and_recorded_as_sent(
    bu_client, partnership, business_unit_user, sample_pdf
):
    publication = published_review(partnership, business_unit_user, sample_pdf)
    record = LibraryRecord.objects.get(publication=publication)
    page = bu_client.get(url("submission", record.pk)).content.decode()
    assert "Prepare the submission" in page
    assert bu_client.get(url("submission_download", record.pk)).status_code == 404

    response = bu_client.post(url("submission", record.pk))
    assert response.status_code == 302
    page = bu_client.get(url("submission", record.pk)).content.decode()
    assert "Local safeguarding partnership" in page  # the NSPCC's label
    assert "Dr A Fictional-Reviewer" in page

    download = bu_client.get(url("submission_download", record.pk))
    assert download["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert sorted(archive.namelist()) == ["files/01-report.pdf", "metadata.json"]
        metadata = json.loads(archive.read("metadata.json"))
    assert metadata["metadata"]["published_url"].endswith(
        reverse("published:detail", args=["testshire", publication.pk])
    )

    bad = bu_client.post(url("submission_sent", record.pk), {"sent_on_0": "", "note": ""})
    assert "Enter date it was sent" in bad.content.decode()
    assert NationalLibrarySubmission.objects.get().sent_on is None

    today = timezone.localdate()
    response = bu_client.post(
        url("submission_sent", record.pk),
        {
            "sent_on_0": today.day,
            "sent_on_1": today.month,
            "sent_on_2": today.year,
            "note": "Emailed.",
        },
    )
    assert response.status_code == 302
    assert NationalLibrarySubmission.objects.get().sent_on == today
    page = bu_client.get(url("submission", record.pk)).content.decode()
    assert f"Sent on {today:%-d %B %Y}" in page


def test_records_that_no_library_holds_have_no_submission_page(
    bu_client, partnership, business_unit_user
):
    record = add_record(partnership, business_unit_user)
    assert bu_client.get(url("submission", record.pk)).status_code == 404


# Public pages ----------------------------------------------------------------------------------


def test_the_public_library_shows_public_records_only(client, partnership, business_unit_user):
    public = add_record(partnership, business_unit_user, title="A public self-neglect review")
    hidden = add_record(
        partnership, business_unit_user, title="A staff-only self-neglect review", is_public=False
    )
    for query in ({}, {"q": "self-neglect"}):
        html = client.get(public_url("search"), query).content.decode()
        assert "A public self-neglect review" in html
        assert "A staff-only self-neglect review" not in html
    assert client.get(public_url("record", public.pk)).status_code == 200
    assert client.get(public_url("record", hidden.pk)).status_code == 404
    html = client.get(public_url("record", public.pk)).content.decode()
    assert "A staff-only self-neglect review" not in html  # not even as a similar review


def test_a_withdrawn_review_leaves_the_public_library(
    client, partnership, business_unit_user, user_for_role, sample_pdf
):
    from safeguarding.publication import publishing

    publication = published_review(partnership, business_unit_user, sample_pdf)
    record = LibraryRecord.objects.get(publication=publication)
    assert client.get(public_url("record", record.pk)).status_code == 200
    publishing.publication_withdraw(
        publication=publication,
        actor=user_for_role("partner_lead"),
        reason="A court order.",
        available_on_request=False,
    )
    assert client.get(public_url("record", record.pk)).status_code == 404
    assert publication.title not in client.get(public_url("search")).content.decode()


def test_the_json_endpoint_lists_public_records_in_the_schema(
    client, partnership, business_unit_user, sample_pdf
):
    publication = published_review(partnership, business_unit_user, sample_pdf)
    add_record(partnership, business_unit_user, themes=shared_themes("Self-neglect and hoarding"))
    add_record(partnership, business_unit_user, title="Staff only", is_public=False)
    response = client.get(public_url("json"))
    assert response["Content-Type"] == "application/json"
    document = response.json()
    assert document["schema"] == "library-record/1"
    assert (document["count"], document["page"], document["pages"]) == (2, 1, 1)
    assert document["next"] is None and document["previous"] is None
    own, manual = document["records"]
    assert list(own) == [
        "external_id",
        "title",
        "review_type",
        "publisher",
        "year",
        "published_on",
        "age_group",
        "themes",
        "summary",
        "learning",
        "recommendations",
        "full_text",
        "url",
        "is_public",
    ]
    assert own["external_id"] == f"testshire-publication-{publication.pk}"
    assert own["url"] == "http://testserver" + reverse(
        "published:detail", args=["testshire", publication.pk]
    )
    assert manual["themes"] == ["Self-neglect and hoarding"]
    assert manual["published_on"] == "2022-06-01"
    assert all(record["is_public"] for record in document["records"])


def test_the_json_endpoint_pages(client, partnership, business_unit_user):
    many_records(partnership, business_unit_user, 30)
    first = client.get(public_url("json")).json()
    assert (first["count"], first["pages"], len(first["records"])) == (30, 2, 25)
    assert first["next"] == f"http://testserver{public_url('json')}?page=2"
    second = client.get(public_url("json"), {"page": "2"}).json()
    assert len(second["records"]) == 5
    assert second["previous"].endswith("?page=1")
    assert client.get(public_url("json"), {"page": "3"}).status_code == 404
    assert client.get(public_url("json"), {"page": "x"}).status_code == 400


@pytest.mark.parametrize("count", [2, 60])
def test_the_json_endpoint_query_count_does_not_grow(
    client, partnership, business_unit_user, django_assert_num_queries, count
):
    many_records(partnership, business_unit_user, count)
    # The content version (ADR 0023), the partnership, the page with its count, its themes.
    with django_assert_num_queries(4):
        assert client.get(public_url("json")).status_code == 200


@pytest.mark.parametrize("count", [2, 45])
def test_the_public_search_query_count_does_not_grow(
    client, partnership, business_unit_user, django_assert_max_num_queries, count
):
    many_records(partnership, business_unit_user, count)
    client.get(public_url("search"), {"q": "neglect"})
    with django_assert_max_num_queries(10):
        assert client.get(public_url("search"), {"q": "neglect"}).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(public_url("search")).status_code == 200


def test_public_pages_of_an_unknown_partnership_are_404(client):
    assert client.get(public_url("search", slug="nowhere")).status_code == 404
    assert client.get(public_url("json", slug="nowhere")).status_code == 404


# Year range, year words, confident totals (issue 15) -------------------------------------------


def test_year_range_narrows_the_search_and_the_list(bu_client, partnership, business_unit_user):
    many_records(partnership, business_unit_user, 20)  # years 2001 to 2020
    html = bu_client.get(
        url("search"), {"q": "neglect", "year_from": "2010", "year_to": "2012"}
    ).content.decode()
    assert "Years published: 2010 to 2012" in html
    assert re.findall(r"· (\d{4})</p>", html) and all(
        2010 <= int(y) <= 2012 for y in re.findall(r"· (\d{4})</p>", html)
    )
    listed = bu_client.get(url("search"), {"year_from": "2019"}).content.decode()
    assert "2 reviews in the library" in listed
    assert "Years published: 2019 or later" in listed


def test_a_bad_year_is_an_error_and_is_not_applied(bu_client, partnership, business_unit_user):
    many_records(partnership, business_unit_user, 5)
    html = bu_client.get(
        url("search"), {"q": "neglect", "year_from": "20x9", "year_to": "2003"}
    ).content.decode()
    assert "govuk-error-summary" in html
    assert "Enter the &#x27;from&#x27; year as 4 digits" in html
    assert "Years published: up to 2003" in html  # the valid part still applies
    backwards = bu_client.get(
        url("search"), {"q": "neglect", "year_from": "2005", "year_to": "2003"}
    ).content.decode()
    assert "must be the same as or after" in backwards
    assert "Years published:" not in backwards  # nothing applied


def test_year_words_in_the_query_are_explained(bu_client, partnership, business_unit_user):
    many_records(partnership, business_unit_user, 20)
    html = bu_client.get(url("search"), {"q": "neglect since 2018"}).content.decode()
    assert "Showing reviews published in 2018 or later, as your search asked" in html
    years = {int(y) for y in re.findall(r"· (\d{4})</p>", html)}
    assert years and min(years) >= 2018


def test_confident_matches_lead_and_the_loose_ones_are_explained(
    bu_client, partnership, business_unit_user
):
    for n in range(3):
        add_record(
            partnership,
            business_unit_user,
            title=f"Domestic abuse review {n}",
            summary="Domestic abuse and coercive control by a partner over many years.",
        )
    for n in range(12):
        add_record(
            partnership,
            business_unit_user,
            title=f"Another review {n}",
            summary="A review of practice.",
            full_text="Practitioners did not ask about abuse at home. " + "Other words. " * 40,
        )
    html = bu_client.get(url("search"), {"q": "domestic abuse"}).content.decode()
    heading = re.search(r'id="results-heading">([^<]*)<', html).group(1)
    assert "match your search closely" in heading
    assert "are listed after them" in html
    assert "Showing 1 to 15 of 15" in html
