"""The partner's sign-off of a shared review's publication (ADR 0022, R46): one publication of a
joint SAR/DHR goes out only once the Community Safety Partnership, which decided the DHR track,
has signed it off on its own page; the Safeguarding Adults Board sees it as a required step."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import (
    MembershipFactory,
    PartnershipFactory,
    UserFactory,
)
from safeguarding.audit.models import AuditEvent
from safeguarding.core.errors import ServiceError
from safeguarding.notifications.models import Notification
from safeguarding.publication import partner_sign_off, publishing, rules
from safeguarding.publication.models import PartnerSignOff, PrePublicationStep, Publication
from safeguarding.referrals.models import Track
from safeguarding.referrals.tests.share_support import joint_case
from safeguarding.reviews.models import Review

pytestmark = pytest.mark.django_db

Kind = PrePublicationStep.Kind


# Session, user, partnership, role, the page of publications, the page of shared ones, the
# unread notifications count (measured; pinned so the list cannot grow with the years).
LIST_QUERIES = 7


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ready(joint) -> Publication:
    """A draft publication of the joint review, every owner's step done: only the partner's
    sign-off is missing."""
    today = timezone.localdate()
    review = Review.objects.create(
        partnership=joint.board,
        case=joint.case,
        kind=Review.Kind.JOINT,
        stage=Review.Stage.SIGNED_OFF,
        signed_off_at=timezone.now(),
        reference="JR-1",
        title="Adult J",
        started_on=today - datetime.timedelta(days=200),
    )
    review.tracks.set(Track.objects.filter(case=joint.case))
    publication = Publication.objects.create(
        partnership=joint.board,
        review=review,
        review_type="sar",
        title="Joint SAR and DHR: Adult J",
        reviewer_names="A Fictional Reviewer",
        form=Publication.Form.IMPROVEMENTS,
        not_full_reason="Fictional: the family asked.",
        improvements="Fictional improvements.",
    )
    for kind, rule in rules.required_steps(publication):
        PrePublicationStep.objects.create(
            publication=publication,
            kind=kind,
            done_on=today,
            evidence="Fictional evidence.",
            rule_id=rule,
            recorded_by=joint.board_unit,
        )
    return publication


def _url(partnership, publication) -> str:
    return reverse("publication:partner_sign_off", args=[partnership.slug, publication.pk])


def _form(**changes) -> dict:
    today = timezone.localdate()
    return {
        "signed_off_on_0": today.day,
        "signed_off_on_1": today.month,
        "signed_off_on_2": today.year,
        "signed_off_by": "Fictional Chair of the Community Safety Partnership",
        "note": "Agreed at the fictional partnership meeting.",
        **changes,
    }


def test_the_board_signs_a_sar_off_under_a_local_practice_rule():
    joint = joint_case()
    publication = _ready(joint)
    assert (Kind.BOARD_SIGN_OFF, "R46") in rules.required_steps(publication)
    assert ("R15" not in dict(rules.required_steps(publication)).values()) is True


def test_publishing_waits_for_the_partners_sign_off_and_changes_nothing():
    joint = joint_case()
    publication = _ready(joint)
    today = timezone.localdate()
    with pytest.raises(publishing.PublicationRefused) as refused:
        publishing.publication_publish(
            publication=publication, publish_on=today, actor=joint.board_unit
        )
    assert refused.value.reasons == [
        "Fictional Community Safety Partnership shares this review and must record its "
        "sign-off of the publication (local practice: each body that holds or shares the "
        "review signs the report off before it is published)"
    ]
    # Through the page: the GOV.UK error summary says why, and nothing changed.
    response = _client(joint.board_unit).post(
        reverse("publication:publish", args=[joint.board.slug, publication.pk]),
        {"publish_on_0": today.day, "publish_on_1": today.month, "publish_on_2": today.year},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and "must record its sign-off" in page
    publication.refresh_from_db()
    assert publication.status == Publication.Status.DRAFT
    assert not publication.revisions.exists()
    assert not AuditEvent.objects.filter(action="publication.published").exists()
    # The owner sees the partner's sign-off as a step not done.
    detail = _client(joint.board_unit).get(
        reverse("publication:detail", args=[joint.board.slug, publication.pk])
    )
    assert "Not signed off" in detail.content.decode()


def test_the_partners_business_unit_signs_off_and_the_owner_can_publish():
    joint = joint_case()
    publication = _ready(joint)
    csp = _client(joint.csp_unit)
    listing = csp.get(reverse("publication:list", args=[joint.csp.slug])).content.decode()
    assert _url(joint.csp, publication) in listing
    assert csp.get(_url(joint.csp, publication)).status_code == 200

    # Bad input changes nothing.
    future = timezone.localdate() + datetime.timedelta(days=3)
    for bad in (
        _form(signed_off_by=""),
        _form(signed_off_on_0="40"),
        _form(
            signed_off_on_0=future.day, signed_off_on_1=future.month, signed_off_on_2=future.year
        ),
    ):
        response = csp.post(_url(joint.csp, publication), bad)
        assert response.status_code == 200
        assert "govuk-error-summary" in response.content.decode()
    assert not PartnerSignOff.objects.exists()

    response = csp.post(_url(joint.csp, publication), _form())
    assert response.status_code == 302
    sign_off = PartnerSignOff.objects.get()
    assert sign_off.partnership == joint.csp
    assert sign_off.recorded_by == joint.csp_unit
    assert sign_off.signed_off_by == "Fictional Chair of the Community Safety Partnership"
    events = AuditEvent.objects.filter(action="publication.partner_signed_off")
    assert {e.partnership_id for e in events} == {joint.board.pk, joint.csp.pk}
    told = Notification.objects.get(kind="publication.partner_signed_off")
    assert told.recipient == joint.board_unit
    assert told.link == reverse("publication:detail", args=[joint.board.slug, publication.pk])

    # Once only.
    with pytest.raises(ServiceError):
        partner_sign_off.partner_sign_off_record(
            publication=publication,
            partnership=joint.csp,
            signed_off_on=timezone.localdate(),
            signed_off_by="Someone else",
            note="",
            actor=joint.csp_unit,
        )
    csp.post(_url(joint.csp, publication), _form(signed_off_by="Someone else"))
    assert PartnerSignOff.objects.count() == 1

    detail = _client(joint.board_unit).get(
        reverse("publication:detail", args=[joint.board.slug, publication.pk])
    )
    assert "Fictional Chair of the Community Safety Partnership" in detail.content.decode()
    publishing.publication_publish(
        publication=publication, publish_on=timezone.localdate(), actor=joint.board_unit
    )
    publication.refresh_from_db()
    assert publication.status == Publication.Status.PUBLISHED
    # Published: too late to sign off.
    with pytest.raises(ServiceError):
        partner_sign_off.partner_sign_off_record(
            publication=publication,
            partnership=joint.csp,
            signed_off_on=timezone.localdate(),
            signed_off_by="x",
            note="",
            actor=joint.csp_unit,
        )


def test_only_the_partners_business_unit_signs_off_and_no_one_else_reaches_the_page():
    joint = joint_case()
    publication = _ready(joint)
    # The partner's lead reads the page but may not sign it off.
    lead = _client(joint.csp_chair)
    assert lead.get(_url(joint.csp, publication)).status_code == 200
    assert lead.post(_url(joint.csp, publication), _form()).status_code == 403
    with pytest.raises(ServiceError):
        partner_sign_off.partner_sign_off_record(
            publication=publication,
            partnership=joint.csp,
            signed_off_on=timezone.localdate(),
            signed_off_by="x",
            note="",
            actor=joint.csp_chair,
        )
    # The owner's own publication is not a shared one: 404 under its address, and the owner's
    # business unit cannot sign off for the partner.
    assert _client(joint.board_unit).get(_url(joint.board, publication)).status_code == 404
    with pytest.raises(ServiceError):
        partner_sign_off.partner_sign_off_record(
            publication=publication,
            partnership=joint.board,
            signed_off_on=timezone.localdate(),
            signed_off_by="x",
            note="",
            actor=joint.board_unit,
        )
    # Another partnership's business unit: 404 under its own address and the partner's.
    other = PartnershipFactory()
    outsider = UserFactory()
    MembershipFactory(user=outsider, partnership=other, role=Role.BUSINESS_UNIT)
    for partnership in (other, joint.csp):
        assert _client(outsider).get(_url(partnership, publication)).status_code == 404
    assert not PartnerSignOff.objects.exists()


def test_a_share_that_only_reads_the_review_asks_no_sign_off():
    joint = joint_case(decides_review_type="", grants_publication=False, grants_review=True)
    publication = _ready(joint)
    assert rules.partner_sign_offs(publication) == []
    assert _client(joint.csp_unit).get(_url(joint.csp, publication)).status_code == 404


def test_an_ended_share_asks_no_sign_off_and_closes_the_page():
    from safeguarding.referrals import share_services

    joint = joint_case()
    publication = _ready(joint)
    # The CSP's DHR track has no decision yet, so the share may end.
    share_services.case_share_end(share=joint.share, reason="Fictional", actor=joint.board_unit)
    assert rules.partner_sign_offs(publication) == []
    assert _client(joint.csp_unit).get(_url(joint.csp, publication)).status_code == 404


def test_both_lists_of_publications_page_apart_and_keep_each_others_page(
    django_assert_num_queries,
):
    """Issue 16: the partnership's publications and those of reviews shared with it each come
    a page at a time in one query (the same queries with none and with pages of both), the
    shared ones under ``shared_page``; each list's links keep the other's page."""
    import re

    from safeguarding.core.pagination import PAGE_SIZE
    from safeguarding.referrals.models import Case

    joint = joint_case()
    client = _client(joint.csp_unit)
    url = reverse("publication:list", args=[joint.csp.slug])
    client.get(url)  # the session's first request
    with django_assert_num_queries(LIST_QUERIES):
        empty = client.get(url).content.decode()
    assert "No publications yet" in empty and "govuk-pagination" not in empty

    today = timezone.localdate()
    own_case = Case.objects.create(
        partnership=joint.csp,
        reference="OWN-1",
        pseudonym="Person O",
        became_aware_on=datetime.date(2026, 1, 5),
    )
    for n in range(PAGE_SIZE + 2):
        for partnership, case, prefix in (
            (joint.board, joint.case, "Shared"),
            (joint.csp, own_case, "Own"),
        ):
            review = Review.objects.create(
                partnership=partnership,
                case=case,
                kind=Review.Kind.JOINT,
                stage=Review.Stage.SIGNED_OFF,
                signed_off_at=timezone.now(),
                reference=f"{prefix[0]}R-{n:02}",
                title=f"{prefix} {n:02}",
                started_on=today - datetime.timedelta(days=200),
            )
            Publication.objects.create(
                partnership=partnership,
                review=review,
                review_type="sar",
                title=f"{prefix} publication {n:02}",
                reviewer_names="A Fictional Reviewer",
            )
    signed = Publication.objects.get(title="Shared publication 26")
    PartnerSignOff.objects.create(
        publication=signed,
        partnership=joint.csp,
        signed_off_on=today,
        signed_off_by="Fictional Chair",
        recorded_by=joint.csp_unit,
    )

    def listed(html, prefix):
        return re.findall(rf">{prefix} publication (\d\d)<", html)

    with django_assert_num_queries(LIST_QUERIES):
        first = client.get(url).content.decode()
    shared = [f"{n:02}" for n in range(PAGE_SIZE + 1, -1, -1)]  # newest first
    assert listed(first, "Shared") == shared[:PAGE_SIZE]
    assert len(listed(first, "Own")) == PAGE_SIZE
    assert first.count("Signed off</strong>") == 1
    assert 'aria-label="Pages of publications of shared reviews"' in first
    assert 'href="?shared_page=2"' in first and 'href="?page=2"' in first

    both = client.get(url, {"page": "2", "shared_page": "2"}).content.decode()
    assert listed(both, "Shared") == shared[PAGE_SIZE:]
    assert len(listed(both, "Own")) == 2
    # Each list's links change its own page and keep the other's.
    assert 'href="?page=1&amp;shared_page=2"' in both
    assert 'href="?page=2&amp;shared_page=1"' in both

    own_second = client.get(url, {"page": "2"}).content.decode()
    assert listed(own_second, "Shared") == shared[:PAGE_SIZE]  # the shared list stays on 1
    assert 'href="?page=2&amp;shared_page=2"' in own_second
    for bad, same_as in (("abc", first), ("0", both), ("99", both), ("1.5", first)):
        html = client.get(url, {"shared_page": bad}).content.decode()
        assert listed(html, "Shared") == listed(same_as, "Shared"), bad
