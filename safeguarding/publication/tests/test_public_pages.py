"""The public side of publication: the Reviews page lists, the archive, a page per review, its
files and the Atom feed, all right on the day they are viewed (the clock is moved)."""

import itertools
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, time
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from safeguarding.publication import public_selectors
from safeguarding.publication.models import (
    Publication,
    PublicationFile,
    PublicationSettings,
    Revision,
)
from safeguarding.referrals.models import Case
from safeguarding.reviews.models import Review

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)
_counter = itertools.count(1)


def on(day: date):
    """Move the clock the views read."""
    return mock.patch("django.utils.timezone.localdate", return_value=day)


@pytest.fixture
def publish(partnership, business_unit_user, sample_pdf):
    def make(
        title="Child A",
        review_type="cspr",
        publish_on=date(2026, 6, 1),
        status="published",
        form="full_report",
        with_file=True,
        available_on_request=True,
        improvements="",
        partnership_=None,
    ):
        p = partnership_ or partnership
        n = next(_counter)
        case = Case.objects.create(
            partnership=p,
            reference=f"T-CASE-{n}",
            pseudonym=title,
            became_aware_on=date(2024, 1, 5),
        )
        review = Review.objects.create(
            partnership=p,
            case=case,
            kind={"cspr": "lcspr", "sar": "sar", "dhr": "dhr"}[review_type],
            stage="signed_off",
            signed_off_at=timezone.now(),
            reference=f"T-REV-{n}",
            title=title,
            started_on=date(2024, 2, 1),
        )
        at = timezone.make_aware(datetime.combine(publish_on, time(9)))
        publication = Publication.objects.create(
            partnership=p,
            review=review,
            review_type=review_type,
            title=f"Review of {title}",
            summary=f"What we learned from the review of {title}.",
            form=form,
            not_full_reason="To protect a surviving sibling." if form == "improvements" else "",
            improvements=improvements,
            reviewer_names="Jo Example and Sam Sample",
            status=status,
            publish_on=publish_on,
            published_at=at if status in ("published", "withdrawn") else None,
            earliest_removal_on=date(publish_on.year + 3, publish_on.month, 1),
            withdrawn_at=at if status == "withdrawn" else None,
            withdrawal_reason="Taken down after 3 years" if status == "withdrawn" else "",
            available_on_request=available_on_request,
        )
        revision = Revision.objects.create(
            publication=publication,
            number=1,
            published_at=at,
            title=publication.title,
            summary=publication.summary,
            form=form,
            improvements=improvements,
            reviewer_names=publication.reviewer_names,
        )
        if with_file:
            f = PublicationFile(
                publication=publication,
                title="Full report",
                original_name="report.pdf",
                file_kind="pdf",
                size_bytes=len(sample_pdf),
                uploaded_by=business_unit_user,
                checked_at=at,
            )
            f.file.save("report.pdf", ContentFile(sample_pdf), save=False)
            f.save()
            revision.files.add(f)
        return publication

    return make


def reviews_page(client, partnership, day):
    with on(day):
        return client.get(reverse("public_site:reviews", args=[partnership.slug]))


# The Reviews page -------------------------------------------------------------------------


def test_each_review_type_lists_its_items_or_says_there_are_none(client, partnership, publish):
    publish(title="Child A", review_type="cspr", publish_on=date(2026, 3, 2))
    response = reviews_page(client, partnership, TODAY)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Published reviews" in html
    assert "Review of Child A" in html
    assert "published 2 March 2026" in html
    assert "There are no Safeguarding Adults Reviews published in the past 12 months." in html
    assert "There are no Child Safeguarding Practice Reviews published" not in html
    assert reverse("published:archive", args=[partnership.slug]) in html
    assert reverse("published:feed", args=[partnership.slug]) in html


def test_an_item_is_listed_until_the_day_before_it_turns_12_months_old(
    client, partnership, publish
):
    item = publish(title="Child B", publish_on=date(2025, 11, 26))
    listed = public_selectors.published_for_type(
        partnership=partnership, review_type="cspr", today=date(2026, 11, 25)
    )
    assert list(listed) == [item]
    assert not public_selectors.published_for_type(
        partnership=partnership, review_type="cspr", today=date(2026, 11, 26)
    ).exists()
    assert "Review of Child B" in reviews_page(client, partnership, date(2026, 11, 25)).text
    html = reviews_page(client, partnership, date(2026, 11, 26)).content.decode()
    assert "Review of Child B" not in html
    assert "There are no Child Safeguarding Practice Reviews published in the past 12" in html
    archived = public_selectors.archive(partnership=partnership, today=date(2026, 11, 26))
    assert list(archived) == [item]
    assert not public_selectors.archive(partnership=partnership, today=date(2026, 11, 25))


def test_a_scheduled_item_is_not_listed_and_its_page_and_files_are_not_found(
    client, partnership, publish
):
    item = publish(title="Child C", publish_on=date(2026, 12, 5), status="scheduled")
    draft = publish(title="Child D", publish_on=date(2026, 12, 6), status="draft")
    f = item.files.get()
    assert "Child C" not in reviews_page(client, partnership, TODAY).text
    with on(TODAY):
        assert (
            client.get(reverse("published:detail", args=[partnership.slug, item.pk])).status_code
            == 404
        )
        assert (
            client.get(reverse("published:detail", args=[partnership.slug, draft.pk])).status_code
            == 404
        )
        url = reverse("published:file", args=[partnership.slug, item.pk, f.pk])
        assert client.get(url).status_code == 404


def test_a_published_item_is_hidden_until_its_publication_date(client, partnership, publish):
    item = publish(title="Child E", publish_on=date(2026, 11, 26))
    f = item.files.get()
    url = reverse("published:file", args=[partnership.slug, item.pk, f.pk])
    with on(TODAY):
        assert client.get(url).status_code == 404
    assert "Child E" not in reviews_page(client, partnership, TODAY).text
    with on(date(2026, 11, 26)):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_withdrawn_item_serves_no_file_and_is_in_the_archive_as_available_on_request(
    client, partnership, publish
):
    item = publish(title="Child F", publish_on=date(2023, 1, 10), status="withdrawn")
    f = item.files.get()
    with on(TODAY):
        url = reverse("published:file", args=[partnership.slug, item.pk, f.pk])
        assert client.get(url).status_code == 404
        archive = client.get(reverse("published:archive", args=[partnership.slug])).text
        assert "Review of Child F" in archive
        assert "Available on request" in archive
        page = client.get(reverse("published:detail", args=[partnership.slug, item.pk])).text
    assert "available on request" in page
    assert f"files/{f.pk}/" not in page


def test_a_withdrawn_item_not_available_on_request_is_gone(client, partnership, publish):
    item = publish(
        title="Child G",
        publish_on=date(2023, 1, 10),
        status="withdrawn",
        available_on_request=False,
    )
    with on(TODAY):
        assert (
            "Child G" not in client.get(reverse("published:archive", args=[partnership.slug])).text
        )
        url = reverse("published:detail", args=[partnership.slug, item.pk])
        assert client.get(url).status_code == 404


def test_an_earlier_revisions_file_is_not_served(client, partnership, publish, business_unit_user):
    item = publish(title="Child H", publish_on=date(2026, 1, 10))
    old = item.files.get()
    new = PublicationFile.objects.create(
        publication=item,
        title="Corrected report",
        file=old.file.name,
        original_name="r.pdf",
        file_kind="pdf",
        size_bytes=old.size_bytes,
        uploaded_by=business_unit_user,
    )
    second = Revision.objects.create(
        publication=item,
        number=2,
        published_at=timezone.now(),
        title="Review of Child H",
        form="full_report",
        reviewer_names="Jo Example",
    )
    second.files.add(new)
    with on(TODAY):
        assert (
            client.get(
                reverse("published:file", args=[partnership.slug, item.pk, old.pk])
            ).status_code
            == 404
        )
        assert (
            client.get(
                reverse("published:file", args=[partnership.slug, item.pk, new.pk])
            ).status_code
            == 200
        )


def test_another_partnerships_item_is_not_found_here(
    client, partnership, other_partnership, publish
):
    item = publish(title="Child I", partnership_=other_partnership)
    with on(TODAY):
        url = reverse("published:detail", args=[partnership.slug, item.pk])
        assert client.get(url).status_code == 404


# The archive ------------------------------------------------------------------------------


def test_the_archive_filters_by_type_and_year(client, partnership, publish):
    publish(title="Child J", review_type="cspr", publish_on=date(2024, 5, 1))
    publish(title="Adult K", review_type="sar", publish_on=date(2023, 5, 1))
    publish(title="Adult L", review_type="sar", publish_on=date(2024, 7, 1))
    url = reverse("published:archive", args=[partnership.slug])
    with on(TODAY):
        everything = client.get(url).text
        sars = client.get(url, {"type": "sar"}).text
        sars_2024 = client.get(url, {"type": "sar", "year": "2024"}).text
    assert all(t in everything for t in ("Child J", "Adult K", "Adult L"))
    assert "Child J" not in sars and "Adult K" in sars and "Adult L" in sars
    assert "Adult L" in sars_2024 and "Adult K" not in sars_2024 and "Child J" not in sars_2024


@pytest.mark.parametrize("year", ["twenty", "2099", "1850"])
def test_a_bad_year_shows_a_govuk_error(client, partnership, publish, year):
    publish(title="Child M", publish_on=date(2024, 5, 1))
    with on(TODAY):
        response = client.get(reverse("published:archive", args=[partnership.slug]), {"year": year})
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "Child M" in html  # the unfiltered archive is still shown


def test_the_archive_says_when_it_is_empty(client, partnership):
    with on(TODAY):
        html = client.get(reverse("published:archive", args=[partnership.slug])).text
    assert "There are no archived reviews yet." in html


def _archive_titles(html: str) -> list[str]:
    link = r'class="govuk-link" href="/[^"]+/published/\d+/">Review of ([^<]+)</a>'
    return re.findall(link, html)


def test_the_archive_makes_the_same_queries_empty_or_full(
    client, partnership, publish, django_assert_num_queries, settings
):
    """Issue 16: the page's rows and their count are one query, so an empty archive (a first
    year) makes the same queries as a full one: the content version (ADR 0023), the
    partnership, its publication settings and the page. Was 3 empty and 4 with items."""
    url = reverse("published:archive", args=[partnership.slug])
    settings.PUBLIC_CONTENT_VERSION_READ_SECONDS = 0  # the version is read on every request

    def visit(**params) -> str:
        with on(TODAY), django_assert_num_queries(4):
            return client.get(url, params).text

    assert "There are no archived reviews yet." in visit()
    assert "No archived reviews match these filters." in visit(type="sar")
    for n in range(30):
        publish(title=f"Child A{n:02}", publish_on=date(2015, 1, 1 + n), with_file=False)
    assert len(_archive_titles(visit())) == 25
    assert len(_archive_titles(visit(type="cspr", page="2"))) == 5


def test_the_archive_is_paginated_with_its_filters_kept(client, partnership, publish):
    for n in range(27):
        publish(title=f"Child P{n:02}", publish_on=date(2015, 2, 1 + n), with_file=False)
    publish(title="Adult Q", review_type="sar", publish_on=date(2015, 3, 1), with_file=False)
    url = reverse("published:archive", args=[partnership.slug])
    with on(TODAY):
        first = client.get(url, {"type": "cspr", "year": "2015"}).text
        second = client.get(url, {"type": "cspr", "year": "2015", "page": "2"}).text
    newest_first = [f"Child P{n:02}" for n in reversed(range(27))]
    assert _archive_titles(first) == newest_first[:25]
    assert _archive_titles(second) == newest_first[25:]
    assert "govuk-pagination" in first
    # The links to the other pages keep the filters.
    assert "?type=cspr&amp;year=2015&amp;page=2" in first
    assert "?type=cspr&amp;year=2015&amp;page=1" in second
    assert "Adult Q" not in first + second


@pytest.mark.parametrize(
    ("asked", "shown"),
    [("abc", 1), ("1.5", 1), ("", 1), ("2", 2), ("3", 2), ("999999999999999999999", 2), ("0", 2)],
)
def test_a_bad_archive_page_number_answers_a_page_that_exists(
    client, partnership, publish, asked, shown
):
    """As core.pagination promises (Django's get_page): not a number, the first page; past the
    last page or below 1, the last."""
    for n in range(26):
        publish(title=f"Child B{n:02}", publish_on=date(2015, 4, 1 + n), with_file=False)
    with on(TODAY):
        url = reverse("published:archive", args=[partnership.slug])
        response = client.get(url, {"page": asked})
    assert response.status_code == 200
    assert len(_archive_titles(response.text)) == (25 if shown == 1 else 1)
    assert f'aria-label="Page {shown}" aria-current="page"' in response.text


# A page per review ------------------------------------------------------------------------


def test_the_review_page_shows_reviewers_summary_and_files_with_type_and_size(
    client, partnership, publish
):
    item = publish(title="Child N", publish_on=date(2026, 4, 1))
    with on(TODAY):
        html = client.get(reverse("published:detail", args=[partnership.slug, item.pk])).text
    assert "Review of Child N" in html
    assert "Child Safeguarding Practice Review" in html
    assert "Jo Example and Sam Sample" in html
    assert "What we learned from the review of Child N." in html
    assert "1 April 2026" in html
    assert "PDF," in html
    f = item.files.get()
    assert reverse("published:file", args=[partnership.slug, item.pk, f.pk]) in html


def test_an_improvements_only_item_shows_the_improvements(client, partnership, publish):
    item = publish(
        title="Adult O",
        review_type="sar",
        publish_on=date(2026, 4, 1),
        form="improvements",
        improvements="Agencies will share risk assessments within 24 hours.",
        with_file=False,
    )
    with on(TODAY):
        html = client.get(reverse("published:detail", args=[partnership.slug, item.pk])).text
    assert "The improvements to be made" in html
    assert "Agencies will share risk assessments within 24 hours." in html
    assert "There are no documents to download" in html


# The Atom feed and R38 --------------------------------------------------------------------


def test_the_atom_feed_lists_published_items_only(client, partnership, publish):
    publish(title="Child P", publish_on=date(2026, 2, 1))
    publish(title="Child Q", publish_on=date(2022, 2, 1))
    publish(title="Child R", publish_on=date(2026, 12, 1), status="scheduled")
    with on(TODAY):
        response = client.get(reverse("published:feed", args=[partnership.slug]))
    assert response["Content-Type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(response.content)  # noqa: S314 - our own feed
    titles = [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert titles == ["Review of Child P", "Review of Child Q"]


def test_dhrs_are_called_dardrs_from_the_partnerships_date(client, partnership):
    partnership.runs_dhr = True
    partnership.save()
    PublicationSettings.objects.create(partnership=partnership, dardr_name_from=date(2026, 12, 1))
    label = public_selectors.review_type_label
    assert label(partnership, "dhr", date(2026, 11, 30)) == "Domestic Homicide Review"
    assert label(partnership, "dhr", date(2026, 12, 1)) == "Domestic Abuse Related Death Review"
    assert label(partnership, "sar", date(2026, 12, 1)) == "Safeguarding Adults Review"
    before = reviews_page(client, partnership, date(2026, 11, 30)).text
    after = reviews_page(client, partnership, date(2026, 12, 1)).text
    assert "There are no Domestic Homicide Reviews published in the past 12 months." in before
    assert "Domestic Abuse Related Death Review" not in before
    assert "There are no Domestic Abuse Related Death Reviews published in the past 12" in after


def test_the_reviews_page_query_count_does_not_grow_with_items(
    client, partnership, publish, django_assert_max_num_queries
):
    for n in range(6):
        publish(
            title=f"Child S{n}",
            review_type="cspr" if n % 2 else "sar",
            publish_on=date(2026, n + 1, 3),
        )
    with on(TODAY), django_assert_max_num_queries(8):  # +1: the public content version (ADR 0023)
        response = client.get(reverse("public_site:reviews", args=[partnership.slug]))
    assert response.text.count("Review of Child S") == 6


def test_the_archive_and_detail_query_counts_are_fixed(
    client, partnership, publish, django_assert_max_num_queries
):
    items = [publish(title=f"Child T{n}", publish_on=date(2020 + n, 1, 3)) for n in range(4)]
    with on(TODAY), django_assert_max_num_queries(4):  # +1: the public content version (ADR 0023)
        client.get(reverse("published:archive", args=[partnership.slug]))
    with on(TODAY), django_assert_max_num_queries(8):
        client.get(reverse("published:detail", args=[partnership.slug, items[0].pk]))
    with on(TODAY), django_assert_max_num_queries(4):
        client.get(reverse("published:feed", args=[partnership.slug]))


def test_the_demo_shows_published_reviews_and_no_recent_dhrs(client):
    from safeguarding.workspace.management.commands.load_demo import load_demo

    load_demo()
    html = client.get(reverse("public_site:reviews", args=["riverton-safeguarding"])).text
    assert "Review of Child R" in html and "Review of Adult S" in html
    assert "Review of Child U" not in html  # scheduled
    community = client.get(reverse("public_site:reviews", args=["riverton-community-safety"])).text
    assert "There are no Domestic Homicide Reviews published in the past 12 months." in community
    archive = client.get(reverse("published:archive", args=["riverton-community-safety"])).text
    assert "Review of Adult T" in archive
    archive = client.get(reverse("published:archive", args=["riverton-safeguarding"])).text
    assert "Review of Adult V" in archive and "Available on request" in archive


def _feed(client, partnership):
    with on(TODAY):
        response = client.get(reverse("published:feed", args=[partnership.slug]))
    assert response.status_code == 200
    return ET.fromstring(response.content)  # noqa: S314 - our own feed


ATOM = {"a": "http://www.w3.org/2005/Atom"}


def test_the_atom_feed_carries_the_latest_entries_only_in_the_same_queries(
    client, partnership, publish, django_assert_num_queries
):
    """Issue 16: the feed is bounded (FEED_SIZE newest), whatever the years of reviews, and
    reads the same queries: the content version (ADR 0023), the partnership, its publication
    settings and the entries with their latest revision."""
    assert public_selectors.FEED_SIZE == 20
    empty = _feed(client, partnership)
    assert empty.findall("a:entry", ATOM) == []
    days = [date(2016 + n // 12, n % 12 + 1, 5) for n in range(public_selectors.FEED_SIZE + 5)]
    for n, day in enumerate(days):
        publish(title=f"Child F{n}", publish_on=day, with_file=False)
    with django_assert_num_queries(4):
        root = _feed(client, partnership)
    entries = root.findall("a:entry", ATOM)
    assert len(entries) == public_selectors.FEED_SIZE
    titles = [entry.findtext("a:title", namespaces=ATOM) for entry in entries]
    newest = [f"Review of Child F{n}" for n in reversed(range(len(days)))]
    assert titles == newest[: public_selectors.FEED_SIZE]
    link = entries[0].find("a:link", ATOM).get("href")
    newest_item = Publication.objects.get(title=newest[0])
    assert link == "http://testserver" + reverse(
        "published:detail", args=[partnership.slug, newest_item.pk]
    )
    assert entries[0].findtext("a:id", namespaces=ATOM) == link
    # One more item: still FEED_SIZE entries and the same queries.
    publish(title="Child F-last", publish_on=date(2026, 10, 1), with_file=False)
    with django_assert_num_queries(4):
        root = _feed(client, partnership)
    entries = root.findall("a:entry", ATOM)
    assert len(entries) == public_selectors.FEED_SIZE
    assert entries[0].findtext("a:title", namespaces=ATOM) == "Review of Child F-last"


def test_the_atom_feed_shows_the_latest_revision_and_when_it_was_updated(
    client, partnership, publish
):
    first = publish(title="Child U", publish_on=date(2026, 3, 1), with_file=False)
    publish(title="Child W", publish_on=date(2026, 4, 1), with_file=False)
    revised_at = timezone.make_aware(datetime(2026, 10, 20, 14, 30))
    Revision.objects.create(
        publication=first,
        number=2,
        published_at=revised_at,
        title="Review of Child U (revised)",
        summary="The revised summary.",
        form="full_report",
        reviewer_names=first.reviewer_names,
    )
    root = _feed(client, partnership)
    entries = {
        entry.findtext("a:title", namespaces=ATOM): entry for entry in root.findall("a:entry", ATOM)
    }
    assert set(entries) == {"Review of Child U (revised)", "Review of Child W"}
    revised = entries["Review of Child U (revised)"]
    assert revised.findtext("a:summary", namespaces=ATOM) == "The revised summary."
    when = datetime.fromisoformat
    assert when(revised.findtext("a:updated", namespaces=ATOM)) == revised_at
    assert revised.findtext("a:published", namespaces=ATOM).startswith("2026-03-01T09:00:00")
    # The feed was last updated when its latest entry was: the revision.
    assert when(root.findtext("a:updated", namespaces=ATOM)) == revised_at


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_the_archive_and_feed_read_their_page_newest_first_through_an_index(
    client, partnership, publish
):
    """Issue 16: the archive's and the feed's conditions (the partnership's or a share's, an OR)
    fit no index, so SQLite reads ``publication_newest`` in the page's order and stops at the
    page instead of sorting every publication; the archive's count is a subquery run once, not
    ``COUNT(*) OVER ()`` (which reads every row first)."""
    for n in range(3):
        publish(title=f"Child I{n}", publish_on=date(2015 + n, 1, 5), with_file=False)
    for name in ("published:archive", "published:feed"):
        with on(TODAY), CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(name, args=[partnership.slug])).status_code == 200
        (page,) = [
            q["sql"]
            for q in captured.captured_queries
            if 'FROM "publication_publication"' in q["sql"] and "ORDER BY" in q["sql"]
        ]
        assert "OVER ()" not in page
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {page}")
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert "USING INDEX publication_newest" in plan and "TEMP B-TREE" not in plan, plan
