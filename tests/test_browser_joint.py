"""A joint SAR/DHR shared by the adults board (it holds the case) and the community safety
partnership, in a real browser (ADR 0022): the board's business unit offers the case, the
CSP's business unit accepts it (its DHR clock is then its own, read-only for the board) and
records the DHR decision, the CSP chair signs it while the board's decision maker signs the SAR
decision, one joint review runs (read by the CSP under its own address), the board asks an
agency of the CSP for a report and the CSP's contributor answers it, publishing waits for the
CSP's sign-off, and the one publication appears on both public Reviews pages. axe checks every
page on the way."""

import datetime
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from safeguarding.clock.models import Milestone
from safeguarding.publication import rules
from safeguarding.publication.models import PartnerSignOff, PrePublicationStep, Publication
from safeguarding.referrals import services
from safeguarding.referrals.models import CaseShare, Decision, Track
from safeguarding.referrals.tests.share_support import joint_case
from safeguarding.reviews import services as stages
from safeguarding.reviews.models import (
    AgencyRequest,
    AgencyReturn,
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
    # The DHR decision's deadline is the CSP's own: on its case page with its actions, and
    # read-only on the board's.
    decide = Milestone.objects.get(rule__review_type="dhr", rule__starts_on_event="csp_aware")
    assert decide.partnership == csp
    expect(page.locator("#milestones ~ table")).to_contain_text(decide.rule.name)

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

    _as(page, joint.board_unit)
    page.goto(f"/manage/{board.slug}/cases/{case.pk}/")
    expect(page.locator("main")).to_contain_text(f"Kept by {csp.name}")
    _check_axe(page, axe_source, "the board's case page with the CSP's deadlines")

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

    # 6b. The board asks an agency of the CSP for a report; the CSP's contributor of that agency
    # answers it under the CSP's address. An empty form is refused first.
    police = AgencyFactory(name="Fictional CSP Police", slug="fictional-csp-police")
    csp.agencies.add(police)
    officer = UserFactory(full_name="CSP police contributor", email="police@csp.example")
    MembershipFactory(user=officer, partnership=csp, role=Role.AGENCY_CONTRIBUTOR, agency=police)
    _as(page, joint.board_unit)
    page.goto(reverse("reviews:requests", args=[board.slug, review.pk]))
    page.get_by_role("link", name=f"Ask an agency of {csp.name}").click()
    page.wait_for_load_state()
    _check_axe(page, axe_source, "asking an agency of the CSP")
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_load_state()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select at least one agency")
    _check_axe(page, axe_source, "asking an agency of the CSP, with errors")
    assert not AgencyRequest.objects.exists()
    page.get_by_label("Fictional CSP Police").check()
    page.get_by_label("Agency report or individual management review").check()
    due = today + datetime.timedelta(days=14)
    page.fill("[name=due_on_0]", str(due.day))
    page.fill("[name=due_on_1]", str(due.month))
    page.fill("[name=due_on_2]", str(due.year))
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text(f"Request sent to 1 agency of {csp.name}")
    (asked_police,) = [e for e in mail.outbox if e.to == [officer.email]]
    _as(page, officer)
    page.goto(reverse("reviews:my_requests", args=[csp.slug]))
    _check_axe(page, axe_source, "the CSP contributor's requests")
    page.goto(_service_path(asked_police.body))
    assert f"/manage/{csp.slug}/" in page.url
    _check_axe(page, axe_source, "the request under the CSP's address")
    page.locator("#id_report").fill("Fictional: the police's contact with Adult J.")
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("Version 1 of your agency report")
    assert AgencyReturn.objects.get().submitted_by == officer

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
    publication = Publication.objects.create(
        partnership=board,
        review=review,
        review_type="sar",
        title="Joint SAR and DHR: Adult J",
        reviewer_names="A Fictional Reviewer",
        form=Publication.Form.IMPROVEMENTS,
        not_full_reason="Fictional: the family asked for the full report not to be published.",
        improvements="Fictional improvements.",
    )
    for kind, rule in rules.required_steps(publication):  # the board's own steps, recorded
        PrePublicationStep.objects.create(
            publication=publication,
            kind=kind,
            done_on=today,
            evidence="Fictional evidence.",
            rule_id=rule,
            recorded_by=joint.board_unit,
        )

    # 8. Publishing waits for the CSP's sign-off: refused with the reason, nothing changed.
    _as(page, joint.board_unit)
    publish_url = reverse("publication:publish", args=[board.slug, publication.pk])
    page.goto(publish_url)
    page.get_by_role("button", name="Publish or schedule").click()
    page.wait_for_load_state()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        f"{csp.name} shares this review and must record its sign-off"
    )
    _check_axe(page, axe_source, "publishing refused without the CSP's sign-off")
    publication.refresh_from_db()
    assert publication.status == Publication.Status.DRAFT

    # 9. The CSP's business unit signs it off from its own publications list.
    _as(page, joint.csp_unit)
    page.goto(reverse("publication:list", args=[csp.slug]))
    _check_axe(page, axe_source, "the CSP's publications list")
    page.get_by_role("link", name="Joint SAR and DHR: Adult J").click()
    page.wait_for_load_state()
    _check_axe(page, axe_source, "the CSP's sign-off page")
    page.get_by_role("button", name="Record the sign-off").click()
    page.wait_for_load_state()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter who signed")
    _check_axe(page, axe_source, "the CSP's sign-off page with errors")
    assert not PartnerSignOff.objects.exists()
    page.fill("[name=signed_off_on_0]", str(today.day))
    page.fill("[name=signed_off_on_1]", str(today.month))
    page.fill("[name=signed_off_on_2]", str(today.year))
    page.get_by_label("Who signed it off for your partnership").fill(
        "Fictional Chair of the Community Safety Partnership"
    )
    page.get_by_role("button", name="Record the sign-off").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("Your partnership's sign-off is recorded")
    assert PartnerSignOff.objects.get().recorded_by == joint.csp_unit

    # 10. The board sees both sign-offs and publishes, once.
    _as(page, joint.board_unit)
    page.goto(reverse("publication:detail", args=[board.slug, publication.pk]))
    expect(page.locator("#partner-sign-offs ~ dl")).to_contain_text(
        "Fictional Chair of the Community Safety Partnership"
    )
    _check_axe(page, axe_source, "the board's publication page with both sign-offs")
    page.goto(publish_url)
    page.get_by_role("button", name="Publish or schedule").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("The review has been published")
    page.context.clear_cookies()
    for partnership in (board, csp):
        page.goto(f"/{partnership.slug}/reviews/")
        expect(page.locator("main")).to_contain_text("Joint SAR and DHR: Adult J")
        _check_axe(page, axe_source, f"{partnership.name} public Reviews page")
    assert Publication.objects.count() == 1
