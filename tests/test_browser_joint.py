"""A joint SAR/DHR shared by the adults board (it holds the case) and the community safety
partnership, in a real browser (ADR 0022): the board's business unit offers the case, the
CSP's business unit accepts it and records the DHR decision, the CSP chair signs it while the
board's decision maker signs the SAR decision, one joint review runs (read by the CSP under its
own address), and its one publication appears on both public Reviews pages. axe checks every
page on the way."""

import datetime
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from safeguarding.publication.models import Publication
from safeguarding.referrals import services
from safeguarding.referrals.models import CaseShare, Decision, Track
from safeguarding.referrals.tests.share_support import joint_case
from safeguarding.reviews import services as stages
from safeguarding.reviews.models import (
    DocumentVersion,
    Finding,
    QualityAssessment,
    Review,
    ReviewDocument,
)
from safeguarding.reviews.running import services as review_services

from .test_browser import (  # noqa: F401
    axe_source,
    axe_violations,
    browser,
    describe,
    page,
    sign_in,
)

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def milestone_rules(transactional_db):
    """Live-server tests flush the database after each test, which removes the milestone rules
    a data migration loaded; put them back."""
    from safeguarding.clock.default_rules import load_default_rules
    from safeguarding.clock.models import MilestoneRule

    load_default_rules(MilestoneRule)


def _check_axe(page, axe_source, where: str) -> None:
    violations = axe_violations(page, axe_source)
    assert not violations, f"axe on {where}:\n{describe(violations)}"


def _service_path(body: str) -> str:
    match = re.search(r"(?:https?://[^/\s]+)?(/manage/\S+)", body)
    assert match, body
    return match.group(1)


def _as(page, user) -> None:
    page.context.clear_cookies()
    sign_in(page, user.email)


def test_a_joint_sar_and_dhr_decided_by_two_bodies_with_one_review_and_one_publication(
    page, axe_source, sample_pdf
):
    joint = joint_case(offer=False)
    board, csp, case = joint.board, joint.csp, joint.case

    # 1. The board's business unit offers the case to the CSP; an empty form is refused first.
    _as(page, joint.board_unit)
    page.goto(f"/manage/{board.slug}/cases/{case.pk}/")
    page.get_by_role("link", name="Share with another partnership").click()
    page.wait_for_load_state()
    _check_axe(page, axe_source, "sharing page")
    page.get_by_role("button", name="Offer the case").click()
    page.wait_for_load_state()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose the partnership to share the case with"
    )
    _check_axe(page, axe_source, "sharing page with errors")
    assert not CaseShare.objects.exists()
    page.get_by_label("Partnership to share the case with").select_option(label=csp.name)
    page.get_by_label("Joint decision body").check()
    page.get_by_label("Domestic Homicide Review").check()
    page.get_by_label("The published review is listed on its public page too").check()
    page.get_by_role("button", name="Offer the case").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text(f"Case offered to {csp.name}")
    share = CaseShare.objects.get()
    assert (share.state, share.decides_review_type, share.grants_review) == (
        "invited",
        "dhr",
        True,
    )

    # 2. The CSP's business unit is emailed, follows the link and accepts.
    (offer,) = [e for e in mail.outbox if e.subject.startswith(f"{board.name} offers")]
    assert offer.to == [joint.csp_unit.email]
    _as(page, joint.csp_unit)
    page.goto(_service_path(offer.body))
    _check_axe(page, axe_source, "offer page")
    page.get_by_label("Yes, accept it").check()
    page.get_by_role("button", name="Send your answer").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("You accepted the case")
    expect(page.locator("main")).to_contain_text(f"{board.name} holds this case")
    _check_axe(page, axe_source, "shared case page")

    # 3. It records the DHR decision for its track, under its own address.
    page.get_by_role("link", name="Record the decision for the Domestic Homicide Review").click()
    page.wait_for_load_state()
    _check_axe(page, axe_source, "decision form")
    page.get_by_label("Hold a Domestic Homicide Review").check()
    page.get_by_label("Reasons for the decision").fill(
        "Fictional: the death appears to have resulted from violence by a relative."
    )
    today = timezone.localdate()
    page.fill("[name=decided_on_0]", str(today.day))
    page.fill("[name=decided_on_1]", str(today.month))
    page.fill("[name=decided_on_2]", str(today.year))
    page.get_by_role("button", name=re.compile("Record the decision|Save")).click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("Decision recorded")
    dhr = Decision.objects.get(track__review_type="dhr")

    # 4. The CSP chair (the CSP's own decision maker) is emailed and signs the DHR decision.
    (asked,) = [e for e in mail.outbox if e.to == [joint.csp_chair.email]]
    _as(page, joint.csp_chair)
    page.goto(_service_path(asked.body))
    assert f"/manage/{csp.slug}/" in page.url
    _check_axe(page, axe_source, "sign page")
    page.get_by_role("button", name="Sign this decision").click()
    page.wait_for_load_state()
    dhr.refresh_from_db()
    assert dhr.state == Decision.State.FINAL
    assert dhr.signatures.get().capacity == "CSP chair"

    # 5. The board decides and signs the SAR track with its own decision maker.
    sar = services.decision_record(
        track=Track.objects.get(case=case, review_type="sar"),
        outcome="mandatory",
        rationale="Fictional reasons.",
        decided_on=today,
        actor=joint.board_unit,
    )
    services.decision_sign(decision=sar, user=joint.board_lead)

    # 6. One joint review of both tracks, run by the board, read by the CSP.
    review = review_services.review_commission(
        case=case, tracks=list(case.tracks.all()), actor=joint.board_unit
    )
    assert review.kind == Review.Kind.JOINT
    _as(page, joint.csp_unit)
    page.goto(f"/manage/{csp.slug}/reviews/{review.pk}/")
    expect(page.locator("main")).to_contain_text(f"{board.name} runs this review")
    _check_axe(page, axe_source, "joint review under the CSP's address")
    page.get_by_role("link", name="The chronology").click()
    page.wait_for_load_state()
    _check_axe(page, axe_source, "chronology under the CSP's address")

    # 7. Signed off by both bodies, published once, listed on both public Reviews pages.
    Finding.objects.create(review=review, number=1, title="Fictional", text="Fictional.")
    document = ReviewDocument.objects.create(review=review, title="Report", kind="final_report")
    DocumentVersion.objects.create(
        document=document,
        version=1,
        file=SimpleUploadedFile("report.pdf", sample_pdf),
        original_name="report.pdf",
        file_kind="pdf",
        size_bytes=len(sample_pdf),
        uploaded_by=joint.board_unit,
    )
    QualityAssessment.objects.create(review=review, framework="sar_2022")
    Review.objects.filter(pk=review.pk).update(stage=Review.Stage.DRAFTING)
    review.refresh_from_db()
    stages.review_move(review=review, target=Review.Stage.SIGN_OFF, actor=joint.board_unit)
    review_services.review_sign(review=review, user=joint.board_lead)
    review_services.review_sign(review=review, user=joint.csp_chair)
    review.refresh_from_db()
    assert review.stage == Review.Stage.SIGNED_OFF
    publish_on = today - datetime.timedelta(days=1)
    Publication.objects.create(
        partnership=board,
        review=review,
        review_type="sar",
        title="Joint SAR and DHR: Adult J",
        reviewer_names="A Fictional Reviewer",
        status="published",
        publish_on=publish_on,
        published_at=timezone.now(),
        earliest_removal_on=publish_on + datetime.timedelta(days=366),
    )
    page.context.clear_cookies()
    for partnership in (board, csp):
        page.goto(f"/{partnership.slug}/reviews/")
        expect(page.locator("main")).to_contain_text("Joint SAR and DHR: Adult J")
        _check_axe(page, axe_source, f"{partnership.name} public Reviews page")
    assert Publication.objects.count() == 1
