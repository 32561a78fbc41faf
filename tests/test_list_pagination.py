"""Lists that grow with the years are cut into pages (issue 16): GOV.UK pagination whose links
keep the filters, the same number of queries however many rows, and a page number past the
last answering the last page (as GOV.UK services do), not an error."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safeguarding.core.pagination import PAGE_SIZE, pagination
from safeguarding.digests.models import DigestIssue
from safeguarding.digests.tests import support

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    client.get(url)  # the session and anything else a first request sets up
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def _rows(response, marker: str) -> int:
    return response.content.decode().count(marker)


def _issues(partnership, start: int, count: int, status=DigestIssue.Status.PUBLISHED) -> None:
    DigestIssue.objects.bulk_create(
        DigestIssue(
            partnership=partnership,
            number=number,
            title=f"Learning digest {number}",
            period_start=date(2024, 1, 1),
            period_end=date(2024, 3, 31),
            status=status,
        )
        for number in range(start, start + count)
    )


def test_pagination_links_keep_the_filters_and_mark_the_current_page():
    request = RequestFactory().get("/x/", {"type": "cspr", "year": "2023", "page": "4"})
    links = pagination(request, 4, 9)
    assert links is not None
    assert links["previous"] == "?type=cspr&year=2023&page=3"
    assert links["next"] == "?type=cspr&year=2023&page=5"
    numbers = [item.get("number") for item in links["items"]]
    assert numbers == [1, None, 3, 4, 5, None, 9]  # None: an ellipsis
    assert [item["number"] for item in links["items"] if item.get("current")] == [4]
    assert pagination(request, 1, 1) is None  # one page: no pagination at all


@pytest.mark.parametrize("public", [False, True], ids=["staff", "public"])
def test_digest_lists_are_paginated_with_flat_queries(client, bu_client, partnership, public):
    http = client if public else bu_client
    name = "digests_public:list" if public else "digests:list"
    url = reverse(name, args=[partnership.slug])
    _issues(partnership, 1, 3)
    few = _queries(http, url)
    _issues(partnership, 4, 3 * PAGE_SIZE)
    assert _queries(http, url) == few

    first = http.get(url)
    assert "Learning digest 78</a>" in first.text
    assert "Learning digest 54</a>" in first.text
    assert "Learning digest 53</a>" not in first.text  # the newest 25 only
    assert 'class="govuk-pagination"' in first.text
    assert 'href="?page=2"' in first.text

    beyond = http.get(url, {"page": "999"})
    assert beyond.status_code == 200  # the last page, GOV.UK style
    assert "Learning digest 1</a>" in beyond.text
    assert http.get(url, {"page": "not-a-number"}).status_code == 200


def test_reviews_list_is_paginated_with_flat_queries(bu_client, partnership):
    url = reverse("reviews:list", args=[partnership.slug])
    for number in range(2):
        support.review(partnership, f"Review {number}")
    few = _queries(bu_client, url)
    for number in range(2, 2 + 2 * PAGE_SIZE):
        support.review(partnership, f"Review {number}")
    assert _queries(bu_client, url) == few
    response = bu_client.get(url)
    assert _rows(response, 'data-label="Review"') == PAGE_SIZE
    assert 'href="?page=3"' in response.text
    last = bu_client.get(url, {"page": "3"})
    assert _rows(last, 'data-label="Review"') == 2
    assert _rows(bu_client.get(url, {"page": "40"}), 'data-label="Review"') == 2


def test_staff_publication_list_is_paginated_with_flat_queries(bu_client, partnership):
    url = reverse("publication:list", args=[partnership.slug])
    for number in range(2):
        support.publication(partnership, f"Publication {number}", publish_on=date(2024, 5, 1))
    few = _queries(bu_client, url)
    for number in range(2, 2 + PAGE_SIZE):
        support.publication(partnership, f"Publication {number}", publish_on=date(2024, 5, 1))
    assert _queries(bu_client, url) == few
    response = bu_client.get(url)
    assert _rows(response, 'data-label="Title"') == PAGE_SIZE
    assert _rows(bu_client.get(url, {"page": "2"}), 'data-label="Title"') == 2


def test_public_archive_is_paginated_and_its_pages_keep_the_filter(client, partnership):
    url = reverse("published:archive", args=[partnership.slug])
    for number in range(2):
        support.publication(partnership, f"Archived {number}", publish_on=date(2023, 3, 1))
    few = _queries(client, url + "?type=cspr")
    for number in range(2, 2 + PAGE_SIZE):
        support.publication(partnership, f"Archived {number}", publish_on=date(2023, 3, 1))
    assert _queries(client, url + "?type=cspr") == few

    response = client.get(url, {"type": "cspr", "year": "2023"})
    assert response.status_code == 200
    links = re.findall(r'href="(\?[^"]*page=\d+)"', response.text)
    assert links and all("type=cspr" in link and "year=2023" in link for link in links)
    detail = re.compile(r'href="/[^"]+/published/\d+/"')
    assert len(detail.findall(response.text)) == PAGE_SIZE
    second = client.get(url, {"type": "cspr", "year": "2023", "page": "2"})
    assert len(detail.findall(second.text)) == 2
    assert client.get(url, {"page": "50"}).status_code == 200


def test_a_row_link_is_the_url_reverse_gives_for_that_key():
    from safeguarding.core.links import row_link

    detail = row_link("published:detail", "testshire")
    for key in (1, 7, 42, 10**9):
        assert detail(key) == reverse("published:detail", args=["testshire", key])
    download = row_link("public_site:document_download", "a-b")
    assert download(3) == reverse("public_site:document_download", args=["a-b", 3])


def test_staff_publication_list_counts_each_ones_open_findings_in_its_order(
    bu_client, partnership, business_unit_user, other_partnership
):
    """The open findings are a subquery per row of the page (not a join grouped by every
    column): open findings of the files in use only; the order is by status, then newest."""
    from django.utils import timezone

    from safeguarding.publication.models import CheckFinding, Publication, PublicationFile

    def publication(title, status, day, findings=()):
        made = support.publication(partnership, title, publish_on=day, status=status)
        for resolution, replaced in findings:
            file = PublicationFile.objects.create(
                publication=made,
                title="Report",
                file="r.pdf",
                original_name="r.pdf",
                file_kind="pdf",
                size_bytes=1,
                uploaded_by=business_unit_user,
                replaced_at=timezone.now() if replaced else None,
            )
            CheckFinding.objects.create(
                file=file, kind="name", text="x", page=1, context="x", resolution=resolution
            )
        return made

    publication("Draft two open", Publication.Status.DRAFT, date(2024, 3, 1), [("", False)] * 2)
    publication(
        "Draft resolved",
        Publication.Status.DRAFT,
        date(2024, 4, 1),
        [("false_match", False), ("", True)],  # resolved, and open on a replaced file
    )
    publication("Published old", Publication.Status.PUBLISHED, date(2023, 1, 1))
    publication("Published new", Publication.Status.PUBLISHED, date(2024, 1, 1), [("", False)])
    support.publication(other_partnership, "Theirs", publish_on=date(2024, 5, 1))
    html = bu_client.get(reverse("publication:list", args=[partnership.slug])).text
    rows = re.findall(
        r'data-label="Title"><a[^>]*>([^<]+)</a>.*?data-label="Open findings">(\d+)<', html, re.S
    )
    assert rows == [
        ("Draft resolved", "0"),
        ("Draft two open", "2"),
        ("Published new", "1"),
        ("Published old", "0"),
    ]


@pytest.mark.parametrize("themes", [0, 3, 60])
def test_the_count_apart_answers_the_same_pages_as_the_window_count(themes):
    """``paginate_in_one_query(count_apart=True)`` (the public archive, issue 16) counts in a
    scalar subquery instead of ``COUNT(*) OVER ()``: the same page, count and links for every
    page number, in one query while the page has rows."""
    from safeguarding.actions.models import Theme
    from safeguarding.core.pagination import paginate_in_one_query

    Theme.objects.bulk_create(
        Theme(name=f"Paged theme {n:03}", facet="harm") for n in range(themes)
    )
    rows = Theme.objects.filter(name__startswith="Paged theme").order_by("-name", "-id")
    for number in ["", "1", "2", "3", "abc", "0", "-1", "99", "99999999999"]:
        request = RequestFactory().get("/", {"page": number, "type": "x"} if number else {})
        window, window_links = paginate_in_one_query(request, rows, per_page=25)
        with CaptureQueriesContext(connection) as captured:
            apart, apart_links = paginate_in_one_query(request, rows, per_page=25, count_apart=True)
        assert (apart.number, apart.paginator.count, apart_links) == (
            window.number,
            window.paginator.count,
            window_links,
        ), number
        assert [t.pk for t in apart.object_list] == [t.pk for t in window.object_list], number
        if number in ("", "1", "abc") or (themes == 60 and number in ("2", "3")):
            assert len(captured.captured_queries) == 1, number  # a page that has rows


@pytest.mark.parametrize("themes", [0, 3, 60])
@pytest.mark.parametrize("count_apart", [False, True])
def test_a_compiled_list_answers_the_same_pages_as_the_orm(
    themes, count_apart, partnership, other_partnership
):
    """``CompiledList`` (issue 16: a list's page from SQL built once, the offset a parameter)
    gives the page, count, objects and links ``paginate_in_one_query`` gives for the same
    queryset, for every page number, for two partnerships' values of one compiled SQL, in one
    query while the page has rows."""
    from safeguarding.accounts.models import Partnership
    from safeguarding.actions.models import Theme
    from safeguarding.core.compiled_sql import PARTNERSHIP_PLACEHOLDER
    from safeguarding.core.pagination import CompiledList, paginate_in_one_query

    def listed(partnership_id):
        return (
            Theme.objects.filter(partnership_id=partnership_id, name__startswith="Paged theme")
            .select_related("partnership")
            .order_by("-name", "-id")
        )

    owners = [partnership, other_partnership]
    for index, owner in enumerate(owners):
        Theme.objects.bulk_create(
            Theme(partnership=owner, name=f"Paged theme {n:03}", facet="harm")
            for n in range(themes + index)
        )
    compiled = CompiledList(
        listed,
        {"partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk)},
        count_apart=count_apart,
    )
    for owner in owners:
        for number in ["", "1", "2", "3", "abc", "0", "-1", "99", "99999999999"]:
            request = RequestFactory().get("/", {"page": number, "type": "x"} if number else {})
            orm, orm_links = paginate_in_one_query(request, listed(owner.pk), per_page=25)
            with CaptureQueriesContext(connection) as captured:
                page, links = compiled.page(request, partnership_id=owner.pk)
            assert (page.number, page.paginator.count, links) == (
                orm.number,
                orm.paginator.count,
                orm_links,
            ), number
            assert [(t.pk, t.name, t.partnership.name) for t in page.object_list] == [
                (t.pk, t.name, t.partnership.name) for t in orm.object_list
            ], number
            if number in ("", "1", "abc") or (themes == 60 and number in ("2", "3")):
                assert len(captured.captured_queries) == 1, number  # a page that has rows
                sql = captured.captured_queries[0]["sql"]
                assert sql.endswith(f"OFFSET {(page.number - 1) * 25}")  # the offset, a parameter
