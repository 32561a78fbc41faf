"""The cache of public pages for anonymous visitors (ADR 0023, issue 16): a page is served from
the cache until the partnership's public content changes (publication, withdrawal, an edit, a
digest, the day), with ETag, Last-Modified and a short public max-age; signed-in visitors never
get or fill it; the CSP has no per-response nonce."""

import base64
import datetime
import hashlib
import re
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models import F
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.models import Role
from safeguarding.digests import services as digest_services
from safeguarding.digests.tests.support import issue as digest_issue
from safeguarding.public_site import content_version, services
from safeguarding.public_site.models import ContentBlock, PublicContentVersion
from safeguarding.publication import publishing
from safeguarding.publication.tests import test_publishing as publishing_support
from safeguarding.publication.tests.test_joint_publication import _publish as _publish_joint
from safeguarding.referrals import share_services
from safeguarding.referrals.tests.share_support import joint_case
from safeguarding.reviews.tests.review_support import member
from safeguarding.workspace.documents import docx_bytes

pytestmark = pytest.mark.django_db


def on(day: datetime.date):
    """Move the clock the views and the cache read."""
    return mock.patch("django.utils.timezone.localdate", return_value=day)


def reviews_url(partnership) -> str:
    return reverse("public_site:reviews", args=[partnership.slug])


def anonymous() -> Client:
    return Client()


def counter(partnership) -> int:
    return PublicContentVersion.objects.get(partnership=partnership).counter


@pytest.fixture(scope="module")
def report_docx() -> bytes:
    return docx_bytes("Child B: a review", ["Child B was seen by the school nurse twice."])


@pytest.fixture
def draft(partnership, business_unit_user):
    """A publication of a signed-off review, ready to publish."""
    review = publishing_support._signed_off(partnership, business_unit_user)
    return publishing.publication_start(review=review, actor=business_unit_user)


@pytest.fixture
def published(draft, business_unit_user, report_docx):
    publishing_support._ready(draft, business_unit_user, report_docx)
    publishing.publication_publish(
        publication=draft, publish_on=timezone.localdate(), actor=business_unit_user
    )
    return draft


def test_a_new_partnership_has_a_content_version(partnership):
    assert PublicContentVersion.objects.filter(partnership=partnership).exists()


def test_the_second_anonymous_request_is_one_query_with_validators_and_public_max_age(
    partnership, django_assert_num_queries
):
    visitor = anonymous()
    first = visitor.get(reviews_url(partnership))
    assert first.status_code == 200
    with django_assert_num_queries(0):  # the version was read less than a second ago
        second = visitor.get(reviews_url(partnership))
    with override_settings(PUBLIC_CONTENT_VERSION_READ_SECONDS=0), django_assert_num_queries(1):
        assert visitor.get(reviews_url(partnership)).content == first.content
    assert second.status_code == 200
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["ETag"] == f'"{hashlib.sha256(second.content).hexdigest()[:32]}"'
    assert second["Last-Modified"]
    cache_control = {part.strip() for part in second["Cache-Control"].split(",")}
    assert cache_control == {"public", f"max-age={settings.PUBLIC_PAGE_MAX_AGE}"}
    # The headers of the response kept with the page, and those added per request, are there.
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert second["X-Frame-Options"] == "DENY"
    assert len(second["X-Request-ID"]) == 32
    assert second["X-Request-ID"] != first["X-Request-ID"]
    assert not second.cookies


@pytest.mark.parametrize(
    "name",
    ["published:archive", "digests_public:list", "library_public:search", "public_site:documents"],
)
def test_the_other_public_pages_are_cached_too(partnership, name, django_assert_num_queries):
    url = reverse(name, args=[partnership.slug])
    visitor = anonymous()
    first = visitor.get(url)
    with override_settings(PUBLIC_CONTENT_VERSION_READ_SECONDS=0), django_assert_num_queries(1):
        second = visitor.get(url)
    assert second.content == first.content
    assert "public" in second["Cache-Control"]


def test_a_query_string_is_a_page_of_its_own(partnership):
    visitor = anonymous()
    url = reverse("published:archive", args=[partnership.slug])
    bad = visitor.get(url, {"year": "20x4"})
    assert "Enter the year as 4 digits" in bad.text
    assert "Enter the year as 4 digits" not in visitor.get(url).text
    assert "Enter the year as 4 digits" in visitor.get(url, {"year": "20x4"}).text


def test_a_conditional_get_with_the_etag_or_a_later_date_answers_304(partnership):
    visitor = anonymous()
    first = visitor.get(reviews_url(partnership))
    same = visitor.get(reviews_url(partnership), headers={"If-None-Match": first["ETag"]})
    assert same.status_code == 304
    assert same.content == b""
    assert same["ETag"] == first["ETag"]
    since = visitor.get(
        reviews_url(partnership), headers={"If-Modified-Since": first["Last-Modified"]}
    )
    assert since.status_code == 304
    other = visitor.get(reviews_url(partnership), headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200
    # The first render answers a conditional GET too.
    caches["public_pages"].clear()
    assert (
        visitor.get(reviews_url(partnership), headers={"If-None-Match": first["ETag"]}).status_code
        == 304
    )


def test_publishing_changes_the_page_at_once(partnership, draft, business_unit_user, report_docx):
    visitor = anonymous()
    title = draft.title
    assert title not in visitor.get(reviews_url(partnership)).text
    before = counter(partnership)
    publishing_support._ready(draft, business_unit_user, report_docx)
    publishing.publication_publish(
        publication=draft, publish_on=timezone.localdate(), actor=business_unit_user
    )
    assert counter(partnership) > before
    page = visitor.get(reviews_url(partnership))
    assert title in page.text


def test_withdrawing_changes_the_pages_at_once(partnership, published):
    visitor = anonymous()
    detail = reverse("published:detail", args=[partnership.slug, published.pk])
    assert published.title in visitor.get(reviews_url(partnership)).text
    assert visitor.get(detail).status_code == 200
    publishing.publication_withdraw(
        publication=published,
        actor=member(partnership, Role.PARTNER_LEAD),
        reason="The family asked us to.",
        available_on_request=False,
    )
    assert published.title not in visitor.get(reviews_url(partnership)).text
    assert visitor.get(detail).status_code == 404


def test_editing_a_section_changes_the_page_at_once(partnership, business_unit_user):
    block = services.content_block_create(
        partnership=partnership,
        actor=business_unit_user,
        heading="How we review",
        body="Text",
        review_type="",
        position=1,
    )
    visitor = anonymous()
    assert "How we review" in visitor.get(reviews_url(partnership)).text
    services.content_block_update(
        block=block,
        actor=business_unit_user,
        heading="How reviews are run",
        body="Text",
        review_type="",
        position=1,
    )
    page = visitor.get(reviews_url(partnership)).text
    assert "How reviews are run" in page
    assert "How we review" not in page


def test_publishing_a_digest_changes_the_digest_list_at_once(partnership, business_unit_user):
    made = digest_issue(partnership, business_unit_user, title="Autumn learning")
    digest_services.item_add(issue=made, actor=business_unit_user, heading="Sleep", text="Safe")
    digest_services.issue_update(
        issue=made,
        actor=business_unit_user,
        title=made.title,
        period_start=made.period_start,
        period_end=made.period_end,
        introduction="What we learned this autumn.",
    )
    visitor = anonymous()
    url = reverse("digests_public:list", args=[partnership.slug])
    assert "Autumn learning" not in visitor.get(url).text
    digest_services.issue_publish(issue=made, actor=business_unit_user)
    assert "Autumn learning" in visitor.get(url).text


def test_a_rolled_back_write_changes_no_version(partnership, business_unit_user):
    before = counter(partnership)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.content_block_create(
            partnership=partnership,
            actor=business_unit_user,
            heading="Half written",
            body="Text",
            review_type="",
            position=1,
        )
        raise RuntimeError("the rest of the operation failed")
    assert counter(partnership) == before
    assert "Half written" not in anonymous().get(reviews_url(partnership)).text


def test_another_process_sees_a_change_once_its_read_version_is_older_than_a_second(
    partnership, business_unit_user
):
    services.content_block_create(
        partnership=partnership,
        actor=business_unit_user,
        heading="Written here",
        body="Text",
        review_type="",
        position=1,
    )
    visitor = anonymous()
    assert "Written here" in visitor.get(reviews_url(partnership)).text
    # Another server process changes the page (its signals bump the version in the database;
    # this process's memory of the version is not forgotten).
    ContentBlock.objects.filter(partnership=partnership).update(heading="Written elsewhere")
    PublicContentVersion.objects.filter(partnership=partnership).update(counter=F("counter") + 1)
    assert "Written elsewhere" not in visitor.get(reviews_url(partnership)).text
    with override_settings(PUBLIC_CONTENT_VERSION_READ_SECONDS=0):
        assert "Written elsewhere" in visitor.get(reviews_url(partnership)).text


def test_the_day_boundary_moves_an_item_to_the_archive_without_a_write(partnership, published):
    visitor = anonymous()
    day = timezone.localdate()
    later = day.replace(year=day.year + 1)
    archive = reverse("published:archive", args=[partnership.slug])
    with on(day):
        assert published.title in visitor.get(reviews_url(partnership)).text
        assert published.title not in visitor.get(archive).text
    with on(later):
        assert published.title not in visitor.get(reviews_url(partnership)).text
        page = visitor.get(archive)
        assert published.title in page.text
    # Last-Modified is no earlier than the day's midnight: a cache revalidates after it.
    last_modified = datetime.datetime.strptime(page["Last-Modified"], "%a, %d %b %Y %H:%M:%S GMT")
    midnight = timezone.make_aware(datetime.datetime.combine(later, datetime.time.min))
    assert last_modified.replace(tzinfo=datetime.UTC) >= midnight


def test_a_signed_in_visitor_neither_gets_nor_fills_the_cache(
    partnership, business_unit_user, django_assert_max_num_queries
):
    visitor = anonymous()
    cached = visitor.get(reviews_url(partnership))
    assert "Staff sign in" in cached.text
    staff = Client()
    staff.force_login(business_unit_user)
    page = staff.get(reviews_url(partnership))
    assert "Staff sign in" not in page.text  # rendered for them, not the anonymous copy
    assert "private" in page["Cache-Control"]
    assert "public" not in page["Cache-Control"]
    assert "ETag" not in page
    # A page rendered for staff is not what the next anonymous visitor gets.
    caches["public_pages"].clear()
    staff.get(reviews_url(partnership))
    fresh = visitor.get(reviews_url(partnership))
    assert "Staff sign in" in fresh.text
    with django_assert_max_num_queries(1):
        assert visitor.get(reviews_url(partnership)).content == fresh.content


def test_no_nonce_and_the_inline_script_is_allowed_by_its_hash(partnership):
    page = anonymous().get(reviews_url(partnership))
    policy = page["Content-Security-Policy"]
    assert "nonce" not in policy
    assert "nonce" not in page.text
    inline = re.findall(r"<script>(.*?)</script>", page.text, re.S)
    assert len(inline) == 1
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy
    assert f"'sha256-{digest}'" == settings.BASE_INLINE_SCRIPT_HASH
    # Every other script is a file of our own (script-src 'self').
    for src in re.findall(r'<script[^>]* src="([^"]+)"', page.text):
        assert src.startswith(settings.STATIC_URL)


def test_ending_a_joint_share_takes_the_review_off_the_partners_page_at_once():
    joint = joint_case()
    publication = _publish_joint(joint)
    visitor = anonymous()
    assert publication.title in visitor.get(reviews_url(joint.csp)).text
    share_services.case_share_end(
        share=joint.share, reason="No longer a joint review.", actor=joint.board_unit
    )
    assert publication.title not in visitor.get(reviews_url(joint.csp)).text
    assert publication.title in visitor.get(reviews_url(joint.board)).text


def test_every_cached_page_is_public_and_takes_the_partnership():
    """The cache answers before sign-in is checked: only pages anyone may see are kept."""
    from django.urls import get_resolver

    from safeguarding.public_site.middleware import CACHED_PAGES

    for name in CACHED_PAGES:
        namespace, url_name = name.split(":")
        resolver = get_resolver().namespace_dict[namespace][1]
        callback = next(
            pattern.callback
            for pattern in resolver.url_patterns
            if getattr(pattern, "name", None) == url_name
        )
        assert getattr(callback, "login_required", True) is False, name
        assert reverse(name, kwargs=_kwargs(name)).startswith("/a-partnership/"), name


def _kwargs(name: str) -> dict:
    kwargs: dict = {"slug": "a-partnership"}
    if name in {"published:detail", "library_public:record"}:
        kwargs["pk"] = 1
    if name == "digests_public:issue":
        kwargs["number"] = 1
    return kwargs


def _forget_callbacks() -> int:
    return sum(
        callback is content_version.forget_read_versions
        for _, callback, _ in connection.run_on_commit
    )


@pytest.mark.django_db(transaction=True)  # real transactions: nothing registered before
def test_a_transaction_of_many_writes_registers_one_callback(partnership):
    """An import of 200 records bumps 200 times: the versions read are forgotten once, on
    commit (issue 16). A callback registered in a savepoint rolled back goes with it, and the
    next bump registers it again."""
    before = counter(partnership)
    with transaction.atomic():
        for position in range(200):
            ContentBlock.objects.create(
                partnership=partnership,
                heading=f"Section {position}",
                body="Text",
                position=position,
            )
        assert _forget_callbacks() == 1
    assert counter(partnership) == before + 200

    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            content_version.bump({partnership.pk})
            assert _forget_callbacks() == 1
            raise RuntimeError("rolled back")
        assert _forget_callbacks() == 0
        content_version.bump({partnership.pk})
        content_version.bump({partnership.pk})
        assert _forget_callbacks() == 1


@pytest.mark.django_db(transaction=True)
def test_the_versions_read_are_forgotten_when_the_writer_commits(partnership):
    content_version.version_for_slug(partnership.slug)
    with transaction.atomic():
        content_version.bump({partnership.pk})
        content_version.version_for_slug(partnership.slug)  # read again before the commit
        assert content_version._read
    assert not content_version._read


def test_a_head_request_is_answered_as_a_get_without_a_body(partnership):
    """HEAD (link checkers, monitors, caches revalidating) is a safe method: every read-only
    page answers it as it answers GET (``require_safe``, not ``require_GET``'s 405), the public
    pages with their validators, and a staff page still sends an anonymous visitor to sign in."""
    client = anonymous()
    got = client.get(reviews_url(partnership))
    head = client.head(reviews_url(partnership))
    assert head.status_code == 200 and head.content == b""
    assert head["ETag"] == got["ETag"] and head["Cache-Control"] == got["Cache-Control"]
    archive = reverse("published:archive", args=[partnership.slug])
    assert client.head(archive).status_code == 200
    staff = reverse("actions:tracker", args=[partnership.slug])
    assert client.head(staff).status_code == 302
