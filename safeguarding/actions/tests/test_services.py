"""The action-plan services: the rules of docs/rules.md §action-plans and R24, and that a refused
operation changes nothing."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from safeguarding.accounts.models import Role
from safeguarding.actions import services
from safeguarding.actions.models import Action, ActionEvidence, ActionUpdate, Theme
from safeguarding.audit.models import AuditEvent
from safeguarding.core.errors import ServiceError
from safeguarding.reviews.tests.review_support import make_lcspr

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(partnership, business_unit_user):
    review, _ = make_lcspr(partnership, business_unit_user)
    review.stage = "signed_off"
    review.signed_off_at = timezone.now()
    review.save(update_fields=["stage", "signed_off_at"])
    return review


@pytest.fixture
def finding(review, business_unit_user):
    theme = Theme.objects.get(partnership=None, name="Information sharing")
    return services.learning_add(
        review=review,
        actor=business_unit_user,
        kind="finding",
        title="Sharing",
        text="Agencies did not share.",
        themes=[theme],
    )


@pytest.fixture
def recommendation(review, finding, business_unit_user, agency):
    return services.recommendation_add(
        review=review,
        actor=business_unit_user,
        text="Share risk assessments.",
        findings=[finding],
        agencies=[agency],
        to_partnership=False,
        scope="multi_agency",
        expected_change="Risks are known to every agency.",
    )


@pytest.fixture
def action(recommendation, business_unit_user, agency):
    return services.action_add(
        recommendation=recommendation,
        actor=business_unit_user,
        text="Agree a protocol.",
        agency=agency,
        lead_name="A Fictional Lead",
        target_date=timezone.localdate() + datetime.timedelta(days=20),
    )


def _pdf(sample_pdf, name="evidence.pdf"):
    return SimpleUploadedFile(name, sample_pdf, content_type="application/pdf")


def test_findings_can_be_added_to_a_signed_off_review_with_themes(finding, review):
    assert review.is_read_only
    assert finding.number == 1
    assert [t.name for t in finding.themes.all()] == ["Information sharing"]
    assert AuditEvent.objects.filter(action="finding.added_to_action_plan").exists()


def test_a_recommendation_needs_a_finding_an_addressee_and_the_expected_change(
    review, finding, business_unit_user
):
    base = {
        "review": review,
        "actor": business_unit_user,
        "text": "Do better.",
        "findings": [finding],
        "agencies": [],
        "to_partnership": True,
        "scope": "multi_agency",
        "expected_change": "A change.",
    }
    for change, field in (
        ({"findings": []}, "findings"),
        ({"to_partnership": False}, "agencies"),
        ({"expected_change": "  "}, "expected_change"),
        ({"scope": "galaxy"}, "scope"),
        ({"agreed_on": review.started_on - datetime.timedelta(days=1)}, "agreed_on"),
    ):
        with pytest.raises(ServiceError) as raised:
            services.recommendation_add(**{**base, **change})
        assert raised.value.field == field
    assert review.recommendations.count() == 0
    assert services.recommendation_add(**base).number == 1


def test_an_action_target_date_cannot_be_before_the_review_started(
    recommendation, business_unit_user, agency
):
    with pytest.raises(ServiceError) as raised:
        services.action_add(
            recommendation=recommendation,
            actor=business_unit_user,
            text="Too early.",
            agency=agency,
            lead_name="Lead",
            target_date=recommendation.review.started_on - datetime.timedelta(days=1),
        )
    assert raised.value.field == "target_date"
    assert "on or after the review started" in raised.value.message
    assert Action.objects.count() == 0


def test_completion_needs_evidence_and_acceptance(
    action, user_for_role, business_unit_user, sample_pdf
):
    contributor = user_for_role(Role.AGENCY_CONTRIBUTOR)
    with pytest.raises(ServiceError) as raised:
        services.completion_request(action=action, actor=contributor, note="Done.")
    assert raised.value.field == "evidence"
    action.refresh_from_db()
    assert action.status == "not_started"

    services.completion_request(
        action=action, actor=contributor, note="Done.", evidence=[_pdf(sample_pdf)]
    )
    action.refresh_from_db()
    assert action.status == "completion_requested"
    assert action.evidence.count() == 1
    services.completion_accept(action=action, actor=business_unit_user)
    action.refresh_from_db()
    assert action.status == "complete"
    assert action.completed_on == timezone.localdate()
    kinds = list(action.updates.values_list("kind", flat=True))
    assert kinds == ["created", "completion_requested", "accepted"]


def test_a_returned_completion_reopens_the_action_and_needs_a_reason(
    action, business_unit_user, sample_pdf
):
    services.completion_request(
        action=action, actor=business_unit_user, note="Done.", evidence=[_pdf(sample_pdf)]
    )
    with pytest.raises(ServiceError):
        services.completion_return(action=action, actor=business_unit_user, note="")
    services.completion_return(action=action, actor=business_unit_user, note="Not enough.")
    action.refresh_from_db()
    assert action.status == "on_track"
    # The evidence given earlier counts for the next request.
    services.completion_request(action=action, actor=business_unit_user, note="Again.")


def test_not_implemented_needs_a_reason(action, business_unit_user):
    with pytest.raises(ServiceError) as raised:
        services.action_not_implemented(action=action, actor=business_unit_user, reason=" ")
    assert raised.value.field == "reason"
    action.refresh_from_db()
    assert action.status == "not_started"
    services.action_not_implemented(action=action, actor=business_unit_user, reason="Superseded.")
    action.refresh_from_db()
    assert (action.status, action.not_implemented_reason) == ("not_implemented", "Superseded.")


def test_evidence_of_the_wrong_type_is_refused_and_nothing_is_stored(
    action, business_unit_user, sample_pdf, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    good = _pdf(sample_pdf, "good.pdf")
    bad = SimpleUploadedFile("notes.pdf", b"just some text", content_type="application/pdf")
    with pytest.raises(ServiceError) as raised:
        services.action_progress(
            action=action,
            actor=business_unit_user,
            note="Progress.",
            status="on_track",
            evidence=[good, bad],
        )
    assert raised.value.field == "evidence"
    assert "notes.pdf" in raised.value.message
    assert ActionEvidence.objects.count() == 0
    assert ActionUpdate.objects.filter(kind="progress").count() == 0
    assert not any(tmp_path.rglob("*.pdf"))


def test_a_failed_write_removes_the_stored_files(
    action, business_unit_user, sample_pdf, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ServiceError):
        # A status an agency cannot set is refused before anything is stored.
        services.action_progress(
            action=action,
            actor=business_unit_user,
            note="Progress.",
            status="complete",
            evidence=[_pdf(sample_pdf)],
        )
    assert not any(tmp_path.rglob("*.pdf"))


def test_impact_is_planned_then_recorded(recommendation, business_unit_user):
    with pytest.raises(ServiceError):
        services.impact_record(
            recommendation=recommendation,
            actor=business_unit_user,
            result="Better.",
            judgement="changed",
        )
    services.impact_plan_set(
        recommendation=recommendation, actor=business_unit_user, method="audit", plan="An audit."
    )
    services.impact_record(
        recommendation=recommendation,
        actor=business_unit_user,
        result="Better.",
        judgement="partly",
    )
    recommendation.refresh_from_db()
    assert recommendation.impact_judgement == "partly"
    assert recommendation.impact_recorded_on == timezone.localdate()


def test_themes_are_data_the_partnership_extends(
    partnership, other_partnership, business_unit_user
):
    shared = services.themes_available(partnership).count()
    assert shared > 50  # docs/rules.md §themes
    services.theme_add(
        partnership=partnership, actor=business_unit_user, facet="practice", name="Transitions"
    )
    assert services.themes_available(partnership).count() == shared + 1
    assert services.themes_available(other_partnership).count() == shared
    with pytest.raises(ServiceError):
        services.theme_add(
            partnership=partnership, actor=business_unit_user, facet="practice", name="transitions"
        )
    with pytest.raises(ServiceError):
        services.theme_add(
            partnership=partnership,
            actor=business_unit_user,
            facet="practice",
            name="Information sharing",
        )


def test_the_overdue_flag_follows_the_target_date(action):
    later = action.target_date + datetime.timedelta(days=1)
    assert not action.is_overdue(action.target_date)
    assert action.is_overdue(later)
    action.status = "completion_requested"  # with the business unit, not late
    assert not action.is_overdue(later)
    action.status = "complete"
    assert not action.is_overdue(later)
