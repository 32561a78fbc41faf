"""Running a review in a real browser: a decision starts a rapid review; two agency contributors
return summaries; the business unit records the outcome and downloads the report; a local review
is commissioned; agencies upload chronologies; the merged chronology shows both in order; the
review is quality-assessed and signed off. axe checks the new pages on the way."""

import csv
import datetime
import io

import pytest
from django.core import mail
from django.utils import timezone

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from safeguarding.referrals import services as referral_services
from safeguarding.referrals.models import Decision, Track
from safeguarding.referrals.tests.staff_support import make_case, name_decision_makers
from safeguarding.reviews.chronology import parser
from safeguarding.reviews.models import AgencyRequest, ChronologyEntry, Review
from safeguarding.reviews.running import services as reviews

# The browser fixtures and helpers are shared with the other browser tests.
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

FACTS = "Fictional facts: Child Q was seen by police and by the health visitor in one week."


@pytest.fixture(autouse=True)
def milestone_rules(transactional_db):
    """Live-server tests flush the database after each test, which removes the milestone rules
    a data migration loaded; put them back."""
    from safeguarding.clock.default_rules import load_default_rules
    from safeguarding.clock.models import MilestoneRule

    load_default_rules(MilestoneRule)


# Helpers ---------------------------------------------------------------------------------------


def _check_axe(tab, axe, where: str) -> None:
    violations = axe_violations(tab, axe)
    assert not violations, f"axe on {where}:\n{describe(violations)}"


def _date(tab, name: str, day: datetime.date) -> None:
    tab.fill(f"[name={name}_0]", str(day.day))
    tab.fill(f"[name={name}_1]", str(day.month))
    tab.fill(f"[name={name}_2]", str(day.year))


def _click(tab, role: str, name: str) -> None:
    tab.get_by_role(role, name=name, exact=True).click()
    tab.wait_for_load_state()


def _as(tab, user) -> None:
    tab.context.clear_cookies()
    sign_in(tab, user.email)


def _success(tab, text: str) -> None:
    expect(tab.locator(".govuk-notification-banner--success")).to_contain_text(text)


def _contributor(partnership, agency, email: str):
    user = UserFactory(email=email)
    MembershipFactory(
        user=user, partnership=partnership, role=Role.AGENCY_CONTRIBUTOR, agency=agency
    )
    return user


def _open_request(tab, slug: str, reference: str, kind_label: str, axe: str = "") -> None:
    """As a contributor: the partnership home, "Your agency's requests" (checked with axe if
    given), then the request."""
    tab.goto(f"/manage/{slug}/")
    _click(tab, "link", "Your agency's requests")
    if axe:
        _check_axe(tab, axe, "contributor's list of requests")
    row = tab.locator("tbody tr").filter(has_text=kind_label).filter(has_text=reference)
    row.get_by_role("link", name=reference).click()
    tab.wait_for_load_state()


def _chronology_csv(template: bytes, rows: list[list[str]]) -> bytes:
    """The downloaded template's heading row (its example row dropped) and ``rows``."""
    headings = next(csv.reader(io.StringIO(template.decode("utf-8-sig"))))
    assert headings == parser.HEADINGS
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(headings)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _ask(tab, agencies, kind: str, due_on: datetime.date, instructions: str = "") -> None:
    """Ask every agency at once, from the review's "Agency requests" page."""
    for agency in agencies:
        tab.check(f"[name=agencies][value='{agency.pk}']")
    tab.check(f"[name=kind][value={kind}]")
    _date(tab, "due_on", due_on)
    tab.fill("[name=instructions]", instructions)
    _click(tab, "button", "Send the request")
    _success(tab, f"Request sent to {len(agencies)} agencies")


def _move_on(tab, expected_stage: str) -> None:
    expect(tab.locator("main")).to_contain_text(f"Next stage: {expected_stage}")
    tab.get_by_role("button", name="Move to the next stage").click()
    tab.wait_for_load_state()
    _success(tab, f"The review moved to ‘{expected_stage}’")
    expect(tab.locator(".govuk-summary-list").first).to_contain_text(expected_stage)


# The journey -----------------------------------------------------------------------------------


def test_rapid_review_then_local_review_to_sign_off(
    page,  # noqa: F811
    axe_source,  # noqa: F811
    partnership,
    business_unit_user,
    agency,
    sample_pdf,
    tmp_path,
):
    slug = partnership.slug
    today = timezone.localdate()
    health = AgencyFactory(name="Testshire Community Health", slug="testshire-health")
    partnership.agencies.add(agency, health)
    police_contributor = _contributor(partnership, agency, "contributor@police.example")
    health_contributor = _contributor(partnership, health, "contributor@health.example")
    signers = name_decision_makers(partnership)
    case = make_case(partnership, business_unit_user, pseudonym="Child Q", agencies=[agency])
    referral_services.case_send_for_decision(
        case=case, review_types=["cspr"], actor=business_unit_user
    )
    track = Track.objects.get(case=case, review_type="cspr")

    # 1. The business unit starts the rapid review from the case page.
    sign_in(page, business_unit_user.email)
    page.goto(f"/manage/{slug}/cases/{case.pk}/")
    _click(page, "link", "Start the rapid review")
    _click(page, "button", "Start the rapid review")
    rapid = Review.objects.get(kind=Review.Kind.RAPID_REVIEW)
    _success(page, f"Rapid review {rapid.reference} started")
    # Only the mother is recorded: the case's own pseudonym, Child Q, is allowed in chronologies
    # before anyone adds the subject (issue 13).
    reviews.person_add(
        review=rapid, actor=business_unit_user, pseudonym="Mother R", role_in_case="parent"
    )

    # 2. ... and asks both agencies for their summaries.
    _click(page, "link", "Ask agencies for summaries")
    _check_axe(page, axe_source, "agency requests (rapid review)")
    _ask(page, [agency, health], "agency_summary", today, "Cover every contact this year.")
    asked = {m.to[0] for m in mail.outbox if "for agency summary" in m.subject}
    assert asked == {police_contributor.email, health_contributor.email}

    # 3. Each contributor returns the structured summary; the police attach a PDF.
    attachment = tmp_path / "police-summary.pdf"
    attachment.write_bytes(sample_pdf)
    summaries = [
        (police_contributor, "Police attended a call to the home in March.", attachment),
        (health_contributor, "The health visitor saw Child Q twice in February.", None),
    ]
    for index, (contributor, involvement, upload) in enumerate(summaries):
        _as(page, contributor)
        _open_request(page, slug, rapid.reference, "Agency summary", axe_source if index else "")
        if index == 0:
            _check_axe(page, axe_source, "contributor's agency summary form")
        page.fill("[name=involvement]", involvement)
        page.fill("[name=went_well]", "Information was shared on the day.")
        page.fill("[name=concerns]", "Nobody asked Child Q directly.")
        page.fill("[name=immediate_actions]", "A reminder to staff about asking the child.")
        if upload:
            page.set_input_files("[name=attachment]", str(upload))
        _click(page, "button", "Send")
        _success(page, "Version 1 of your agency summary (rapid review) has been sent")
        expect(page.locator("main")).to_contain_text(involvement)
        if upload:
            expect(page.get_by_role("link", name="police-summary.pdf")).to_be_visible()
    assert AgencyRequest.objects.filter(review=rapid, returned_at__isnull=False).count() == 2

    # 4. The business unit records the meeting and the recommendation ...
    _as(page, business_unit_user)
    page.goto(f"/manage/{slug}/reviews/{rapid.pk}/")
    _move_on(page, "Rapid review meeting")
    _click(page, "link", "Record the rapid review meeting and recommendation")
    _check_axe(page, axe_source, "rapid review outcome form")
    _date(page, "meeting_held_on", today)
    page.fill("[name=meeting_attendees]", "Police DI, ICB designated nurse, LA head of service")
    page.fill("[name=facts_summary]", FACTS)
    page.fill("[name=learning_identified]", "Agencies did not share the bruising.")
    page.check("[name=recommendation][value=rapid_review_then_local]")
    page.fill("[name=recommendation_rationale]", "Fictional: agencies held different pictures.")
    _click(page, "button", "Save")
    _success(page, "Rapid review meeting and recommendation saved")

    # ... downloads the report ...
    page.goto(f"/manage/{slug}/reviews/{rapid.pk}/outcome/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Word document").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    from docx import Document

    text = "\n".join(p.text for p in Document(download.path()).paragraphs)
    assert FACTS in text
    assert "Police attended a call to the home in March." in text

    # ... and records sending it to the National Panel.
    page.goto(f"/manage/{slug}/reviews/{rapid.pk}/panel/")
    _date(page, "submitted_on", today)
    _click(page, "button", "Record the date sent")
    _success(page, "Sending to the National Panel recorded")
    rapid.refresh_from_db()
    assert rapid.stage == Review.Stage.SUBMITTED_TO_PANEL

    # 5. The partners decide on a local review (made final in Python) ...
    decision = referral_services.decision_record(
        track=track,
        outcome="rapid_review_then_local",
        rationale="Fictional reasons: the rapid review recommends a local review.",
        decided_on=today,
        actor=business_unit_user,
    )
    for signer in signers.values():
        referral_services.decision_sign(decision=decision, user=signer)
    decision.refresh_from_db()
    assert decision.state == Decision.State.FINAL

    # ... and the business unit commissions it from the case page.
    page.goto(f"/manage/{slug}/cases/{case.pk}/")
    _click(page, "link", "Commission the review")
    page.check(f"[name=tracks][value='{track.pk}']")
    _click(page, "button", "Commission the review")
    review = Review.objects.get(kind=Review.Kind.LCSPR)
    _success(page, f"Review {review.reference} commissioned")
    _check_axe(page, axe_source, "review task list")

    # 6. Terms of reference, a reviewer, then the agency reports stage.
    _click(page, "link", "Terms of reference")
    _date(page, "scope_start", datetime.date(2025, 1, 1))
    _date(page, "scope_end", datetime.date(2025, 6, 30))
    page.fill("[name=key_lines_of_enquiry]", "How did agencies share what they knew?")
    page.fill("[name=methodology]", "A systems review with agency chronologies.")
    page.fill("[name=timescale]", "Six months.")
    page.check(f"[name=agencies][value='{health.pk}']")  # see _ask: one can be chosen
    _click(page, "button", "Save the terms of reference")
    _success(page, "Terms of reference saved")

    _click(page, "link", "Appoint the reviewer, chair and panel")
    page.check("[name=role][value=reviewer]")
    page.fill("[name=name]", "Pat Fictional")
    page.fill("[name=organisation]", "Independent reviewers")
    page.check("[name=independent]")
    _date(page, "appointed_on", today)
    _click(page, "button", "Appoint")
    _success(page, "appointed")

    page.goto(f"/manage/{slug}/reviews/{review.pk}/")
    _move_on(page, "Agency reports and chronology")

    # 7. The business unit asks both agencies for chronologies.
    _click(page, "link", "Ask agencies for reports and chronologies")
    _ask(page, [agency, health], "chronology", today + datetime.timedelta(days=20))

    # 8. Each contributor downloads the template and uploads a chronology; the dates interleave.
    chronologies = [
        (
            police_contributor,
            [
                [
                    "10/01/2025",
                    "09:30",
                    "no",
                    "Child Q",
                    "Police welfare check",
                    "PN-1",
                    "PC",
                    "routine",
                ],
                [
                    "05/03/2025",
                    "",
                    "no",
                    "Child Q; Mother R",
                    "Call to the home",
                    "PN-2",
                    "PC",
                    "key",
                ],
            ],
        ),
        (
            health_contributor,
            [
                [
                    "14/02/2025",
                    "11:00",
                    "no",
                    "Child Q",
                    "Health visitor home visit",
                    "HV-1",
                    "Health visitor",
                    "significant",
                ],
                [
                    "2025-04-20",
                    "",
                    "yes",
                    "Mother R; Lodger S",  # not in the case: proposed to the business unit
                    "Missed clinic appointment",
                    "",
                    "",
                    "routine",
                ],
            ],
        ),
    ]
    for index, (contributor, rows) in enumerate(chronologies):
        _as(page, contributor)
        _open_request(page, slug, review.reference, "Chronology")
        _click(page, "link", "Add your agency's chronology")
        if index == 0:
            _check_axe(page, axe_source, "chronology upload")
        pseudonyms = page.locator("#pseudonyms + p + dl")
        expect(pseudonyms).to_contain_text("Child Q")
        expect(pseudonyms).to_contain_text("Mother R")
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Download the template (CSV)").click()
        template = download_info.value.path().read_bytes()
        assert "# Pseudonyms you can use" in template.decode("utf-8-sig")
        upload = tmp_path / f"chronology-{index}.csv"
        upload.write_bytes(_chronology_csv(template, rows))
        page.set_input_files("[name=file]", str(upload))
        _click(page, "button", "Check and import")
        _success(page, "2 chronology entries imported")
        expect(page.get_by_role("heading", name="Your agency's chronology")).to_be_visible()
        if index == 0:
            # The same file again: a page says so before anything is saved; cancelled.
            _click(page, "link", "Upload a chronology file")
            page.set_input_files("[name=file]", str(upload))
            _click(page, "button", "Check and import")
            expect(
                page.get_by_role("heading", name="This file was already uploaded")
            ).to_be_visible()
            expect(page.locator("main")).to_contain_text("2 of the 2 rows in this file are")
            _check_axe(page, axe_source, "chronology file already uploaded")
            _click(page, "button", "Continue")  # no choice: the GOV.UK error summary
            expect(page.locator(".govuk-error-summary")).to_contain_text(
                "Select what to do with the file"
            )
            _check_axe(page, axe_source, "chronology file already uploaded, with an error")
            page.check("[name=choice][value=cancel]")
            _click(page, "button", "Continue")
            _success(page, f"Nothing was imported from {upload.name}")
            # The upload is the request's return, version 1.
            _open_request(page, slug, review.reference, "Chronology")
            expect(page.locator("main")).to_contain_text("Returned v1")
            expect(page.locator("main")).not_to_contain_text("Nothing has been returned yet")
    assert ChronologyEntry.objects.filter(review=review).count() == 4

    # 9. The merged chronology shows both agencies' entries in date order, with the timeline.
    _as(page, business_unit_user)
    page.goto(f"/manage/{slug}/reviews/{review.pk}/")
    _click(page, "link", "Merged chronology")
    expect(page.get_by_role("heading", name="Merged chronology")).to_be_visible()
    _check_axe(page, axe_source, "merged chronology")
    expect(page.locator("figure.app-timeline-figure svg")).to_have_count(1)
    entries = page.locator("#chronology-table tbody tr:not(.app-chronology-gap)")
    expect(entries).to_have_count(4)
    order = [
        (entries.nth(i).locator("td").nth(1).inner_text(), entries.nth(i).locator("td").nth(3))
        for i in range(4)
    ]
    assert [agency_name for agency_name, _ in order] == [
        agency.name,
        health.name,
        agency.name,
        health.name,
    ]
    expected_events = [
        "Police welfare check",
        "Health visitor home visit",
        "Call to the home",
        "Missed clinic appointment",
    ]
    assert [cell.inner_text().strip() for _, cell in order] == expected_events

    # 9b. The health trust's file named someone not in the case: the business unit adds them.
    page.goto(f"/manage/{slug}/reviews/{review.pk}/people/")
    proposed = page.locator("#proposed-people + p + table")
    expect(proposed).to_contain_text("Lodger S")
    expect(page.locator("main table").first).to_contain_text("Child Q")  # added by the upload
    proposed.get_by_role("link", name="Decide who ‘Lodger S’ is").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Who is ‘Lodger S’?")).to_be_visible()
    _check_axe(page, axe_source, "a person proposed by an agency")
    page.check("[name=decision][value=add]")
    page.select_option("[name=role_in_case]", "other")
    _click(page, "button", "Save the decision")
    _success(page, "Lodger S added to the case and linked to their rows")

    # 10. Drafting: findings, a draft report, the quality assessment; then sign-off.
    page.goto(f"/manage/{slug}/reviews/{review.pk}/")
    _move_on(page, "Analysis and drafting")
    _click(page, "link", "Findings")
    page.fill("[name=title]", "Information about bruising was not shared")
    page.fill("[name=text]", "Fictional finding: the police and health held different pictures.")
    _click(page, "button", "Add the finding")
    _success(page, "Finding 1 added")

    report = tmp_path / "draft-report.pdf"
    report.write_bytes(sample_pdf)
    page.goto(f"/manage/{slug}/reviews/{review.pk}/documents/upload/")
    page.check("[name=document][value=new]")
    page.fill("[name=title]", "Draft overview report")
    page.check("[name=document_kind][value=draft_report]")
    page.set_input_files("[name=file]", str(report))
    _click(page, "button", "Upload")
    _success(page, "Version 1 of ‘Draft overview report’ uploaded")

    page.goto(f"/manage/{slug}/reviews/{review.pk}/")
    _click(page, "link", "Quality markers")
    _check_axe(page, axe_source, "quality markers form")
    met = page.locator("input[type=radio][value=met]")
    assert met.count() == 18  # the CSPR quality markers
    for i in range(met.count()):
        met.nth(i).check()
    page.fill("[name=summary]", "A proportionate, well-evidenced review.")
    _click(page, "button", "Save the assessment")
    _success(page, "Quality assessment saved")
    assert review.quality.ratings.filter(rating="met").count() == 18

    page.goto(f"/manage/{slug}/reviews/{review.pk}/")
    _move_on(page, "Sign-off")

    # 11. Every decision maker signs; the last signature signs the review off.
    for number, (capacity, signer) in enumerate(signers.items()):
        _as(page, signer)
        page.goto(f"/manage/{slug}/reviews/{review.pk}/sign-off/")
        if number == 0:
            _check_axe(page, axe_source, f"sign-off as {capacity}")
        _click(page, "button", "Sign off the findings and final report")
    expect(page.locator(".govuk-panel__title")).to_have_text("Signed off")
    _check_axe(page, axe_source, "sign-off, signed off")
    review.refresh_from_db()
    assert review.stage == Review.Stage.SIGNED_OFF
    assert review.signatures.count() == 3
