"""One joint review of a case shared between two partnerships (ADR 0022): run by the
partnership that holds the case, read (with its one chronology) by the partnership the case is
shared with, and signed off by both bodies' decision makers."""

import datetime
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.tests.factories import AgencyFactory
from safeguarding.notifications.models import Notification
from safeguarding.referrals import services as referral_services
from safeguarding.referrals.models import Track
from safeguarding.referrals.tests.share_support import joint_case
from safeguarding.reviews import services as stages
from safeguarding.reviews.models import (
    ChronologyEntry,
    DocumentVersion,
    Finding,
    Person,
    PersonIdentity,
    QualityAssessment,
    Review,
    ReviewDocument,
)
from safeguarding.reviews.running import selectors as running_selectors
from safeguarding.reviews.running import services

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _decided(joint):
    today = timezone.localdate()
    for review_type, outcome, unit, maker in (
        ("sar", "mandatory", joint.board_unit, joint.board_lead),
        ("dhr", "review", joint.csp_unit, joint.csp_chair),
    ):
        track = Track.objects.get(case=joint.case, review_type=review_type)
        decision = referral_services.decision_record(
            track=track,
            outcome=outcome,
            rationale="Fictional reasons.",
            decided_on=today,
            actor=unit,
        )
        referral_services.decision_sign(decision=decision, user=maker)


def _joint_review(joint) -> Review:
    _decided(joint)
    return services.review_commission(
        case=joint.case, tracks=list(joint.case.tracks.all()), actor=joint.board_unit
    )


def _ready_for_sign_off(review: Review, actor, sample_pdf: bytes) -> Review:
    Finding.objects.create(review=review, number=1, title="Fictional", text="Fictional.")
    document = ReviewDocument.objects.create(review=review, title="Report", kind="final_report")
    DocumentVersion.objects.create(
        document=document,
        version=1,
        file=SimpleUploadedFile("report.pdf", sample_pdf),
        original_name="report.pdf",
        file_kind="pdf",
        size_bytes=len(sample_pdf),
        uploaded_by=actor,
    )
    QualityAssessment.objects.create(review=review, framework="sar_2022")
    Review.objects.filter(pk=review.pk).update(stage=Review.Stage.DRAFTING)
    review.refresh_from_db()
    return stages.review_move(review=review, target=Review.Stage.SIGN_OFF, actor=actor)


def test_one_joint_review_for_the_shared_case_covers_both_bodies_tracks():
    joint = joint_case()
    review = _joint_review(joint)
    assert review.kind == Review.Kind.JOINT
    assert review.partnership == joint.board
    assert {t.review_type for t in review.tracks.all()} == {"sar", "dhr"}
    assert Review.objects.filter(case=joint.case).count() == 1
    # Listed for both partnerships' business units, under their own addresses.
    for partnership, user in ((joint.board, joint.board_unit), (joint.csp, joint.csp_unit)):
        listed = running_selectors.review_list_for_user(
            user=user, partnership=partnership, shared=True
        )
        assert list(listed) == [review]
        page = _client(user).get(reverse("reviews:list", args=[partnership.slug]))
        assert (
            reverse("reviews:detail", args=[partnership.slug, review.pk]) in page.content.decode()
        )


def test_both_bodies_decision_makers_sign_off_the_joint_review(sample_pdf):
    joint = joint_case()
    review = _joint_review(joint)
    makers = services.decision_makers_for(review)
    assert {(m.partnership_id, m.capacity) for m in makers} == {
        (joint.board.pk, "Adult social care"),
        (joint.csp.pk, "CSP chair"),
    }
    review = _ready_for_sign_off(review, joint.board_unit, sample_pdf)
    told = Notification.objects.filter(kind="review.ready_for_sign_off")
    assert {(n.recipient, n.link) for n in told} == {
        (joint.board_lead, reverse("reviews:sign_off", args=[joint.board.slug, review.pk])),
        (joint.csp_chair, reverse("reviews:sign_off", args=[joint.csp.slug, review.pk])),
    }
    response = _client(joint.csp_chair).post(
        reverse("reviews:sign_off", args=[joint.csp.slug, review.pk])
    )
    assert response.status_code == 302
    assert response.url == reverse("reviews:sign_off", args=[joint.csp.slug, review.pk])
    review.refresh_from_db()
    assert review.stage == Review.Stage.SIGN_OFF  # the board's decision maker still signs
    services.review_sign(review=review, user=joint.board_lead)
    review.refresh_from_db()
    assert review.stage == Review.Stage.SIGNED_OFF
    assert {s.capacity for s in review.signatures.all()} == {"CSP chair", "Adult social care"}


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") if tag == "a" else None
        if href and href.startswith("/manage/"):
            self.hrefs.append(href.split("#")[0])


def test_the_partner_reads_the_review_and_its_one_chronology_but_not_identities_or_owner_pages():
    joint = joint_case()
    review = _joint_review(joint)
    agency = AgencyFactory()
    review.agencies.add(agency)
    ChronologyEntry.objects.create(
        review=review,
        agency=agency,
        occurred_on=datetime.date(2025, 4, 1),
        event="A fictional visit by the agency.",
        significance="key",
        entered_by=joint.board_unit,
    )
    person = Person.objects.create(case=joint.case, pseudonym="Adult J", role_in_case="subject")
    PersonIdentity.objects.create(person=person, full_name="Fictional Realname")
    csp = _client(joint.csp_unit)
    slug = joint.csp.slug
    chronology = csp.get(reverse("reviews:chronology", args=[slug, review.pk])).content.decode()
    assert "A fictional visit by the agency." in chronology
    assert (
        "Fictional Realname"
        not in csp.get(
            reverse("reviews:chronology", args=[slug, review.pk]) + "?names=real"
        ).content.decode()
    )
    assert (
        csp.get(reverse("reviews:person_identity", args=[slug, review.pk, person.pk])).status_code
        == 403
    )
    assert csp.get(reverse("actions:plan", args=[slug, review.pk])).status_code == 404
    assert csp.get(reverse("reviews:requests", args=[slug, review.pk])).status_code == 404
    # Every link on the partner's pages of the review opens for it.
    seen, queue = set(), [reverse("reviews:detail", args=[slug, review.pk])]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = csp.get(url)
        assert response.status_code in (200, 302), url
        if response.status_code == 200 and f"/reviews/{review.pk}/" in url and "format=" not in url:
            parser = _Links()
            parser.feed(response.content.decode())
            queue += [href for href in parser.hrefs if href not in seen]
    assert reverse("reviews:chronology", args=[slug, review.pk]) in seen
    assert reverse("reviews:people", args=[slug, review.pk]) in seen


def test_a_share_without_the_review_or_another_partnership_reads_nothing_of_it():
    joint = joint_case(decides_review_type="", grants_review=False, grants_publication=True)
    track = Track.objects.get(case=joint.case, review_type="sar")
    decision = referral_services.decision_record(
        track=track,
        outcome="mandatory",
        rationale="Fictional reasons.",
        decided_on=timezone.localdate(),
        actor=joint.board_unit,
    )
    referral_services.decision_sign(decision=decision, user=joint.board_lead)
    review = services.review_commission(case=joint.case, tracks=[track], actor=joint.board_unit)
    csp = _client(joint.csp_unit)
    for name in ("reviews:detail", "reviews:chronology", "reviews:sign_off"):
        assert csp.get(reverse(name, args=[joint.csp.slug, review.pk])).status_code == 404, name
    assert not running_selectors.review_list_for_user(
        user=joint.csp_unit, partnership=joint.csp, shared=True
    ).exists()
