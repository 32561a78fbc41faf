""" "Have we seen this before?": similar findings, recommendations and library records
(``similar.similar_texts``, ``similar.similar_records``), and the vectors kept for them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safeguarding.actions.models import Action
from safeguarding.actions.tests.support import add_action, add_recommendation, signed_off_review
from safeguarding.library import embeddings
from safeguarding.library import similar as finder
from safeguarding.library.models import FindingVector
from safeguarding.reviews.models import Review
from safeguarding.reviews.running import services as review_services
from safeguarding.reviews.tests.review_support import make_lcspr

from .search_support import make_library, make_record

# The sentence model is on here (off elsewhere in the tests: conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.search_vectors]

EARLIER = (
    (
        "Safer sleep advice",
        "Safer sleep advice was given to the mother but not to the father, and nobody asked "
        "where the baby slept when the parents had been drinking.",
    ),
    (
        "Information sharing",
        "The school did not know that police had attended the home after domestic abuse.",
    ),
    (
        "Escalation",
        "Practitioners who disagreed with the decision to close the case did not escalate.",
    ),
)


@pytest.fixture
def earlier_review(partnership, business_unit_user, sample_pdf):
    return signed_off_review(partnership, business_unit_user, sample_pdf, findings=EARLIER)


@pytest.fixture
def current_review(partnership, business_unit_user):
    review, _ = make_lcspr(partnership, business_unit_user)
    Review.objects.filter(pk=review.pk).update(stage=Review.Stage.DRAFTING)
    review.refresh_from_db()
    return review


def test_a_repeated_finding_shows_the_earlier_one_first(
    partnership, earlier_review, current_review, business_unit_user
):
    make_library(partnership)
    text = (
        "Nobody asked the father where the baby slept after the parents had been drinking; "
        "safer sleep advice went only to the mother."
    )
    review_services.finding_add(
        review=current_review, actor=business_unit_user, title="Safe sleep", text=text
    )
    similar = finder.similar_texts(partnership, text, exclude_review_id=current_review.pk)
    first = similar[0]
    assert (first.kind, first.title) == ("finding", "Safer sleep advice")
    assert first.review_id == earlier_review.pk
    assert first.review_reference == earlier_review.reference
    assert first.year == earlier_review.findings.get(title="Safer sleep advice").created_at.year
    # the current review's own finding is not offered back
    assert all(item.review_id != current_review.pk for item in similar)
    assert 1 <= len(similar) <= 5


def test_own_recommendations_come_with_what_happened_to_their_actions(
    partnership, earlier_review, business_unit_user, agency
):
    finding = earlier_review.findings.get(title="Safer sleep advice")
    recommendation = add_recommendation(
        earlier_review,
        business_unit_user,
        findings=[finding],
        text="Health visitors should give safer sleep advice to fathers and male carers.",
    )
    add_action(recommendation, business_unit_user, agency, text="Update the safer sleep leaflet")
    add_action(recommendation, business_unit_user, agency, text="Train health visitors")
    similar = finder.similar_texts(
        partnership, "Safer sleep advice should be given to fathers as well as mothers.", limit=5
    )
    by_kind = {(item.kind, item.id): item for item in similar}
    assert ("recommendation", recommendation.pk) in by_kind
    assert by_kind[("recommendation", recommendation.pk)].actions == (("Not started", 2),)
    assert by_kind[("finding", finding.pk)].actions == (("Not started", 2),)
    assert Action.objects.count() == 2


def test_library_records_are_offered_too(partnership):
    library = make_library(partnership)
    similar = finder.similar_texts(
        partnership, "The father was not asked about co-sleeping after drinking alcohol."
    )
    assert similar[0].kind == "record"
    assert similar[0].id == library["sudi"].pk
    assert similar[0].year == library["sudi"].year


def test_vectors_are_kept_and_remade_when_the_text_changes(
    partnership, earlier_review, business_unit_user
):
    if not embeddings.available():
        pytest.skip("no sentence model installed")
    finder.similar_texts(partnership, "escalation of disagreements")
    assert FindingVector.objects.filter(kind="finding").count() == 3
    finding = earlier_review.findings.get(title="Escalation")
    stored = FindingVector.objects.get(kind="finding", object_id=finding.pk)
    with CaptureQueriesContext(connection) as again:
        finder.similar_texts(partnership, "escalation of disagreements")
    assert not any("INSERT" in q["sql"] for q in again.captured_queries)
    finding.text = "A completely different finding about interpreters."
    finding.save()
    finder.similar_texts(partnership, "escalation of disagreements")
    changed = FindingVector.objects.get(kind="finding", object_id=finding.pk)
    assert changed.text_hash != stored.text_hash


def test_other_partnerships_findings_are_not_offered(
    other_partnership, earlier_review, business_unit_user
):
    assert finder.similar_texts(other_partnership, EARLIER[0][1]) == []


def test_empty_text_finds_nothing(partnership, earlier_review):
    assert finder.similar_texts(partnership, "   ") == []


def test_similar_records(partnership, other_partnership):
    library = make_library(partnership)
    twin = make_record(
        partnership,
        title="Child Z: death of an infant sharing a bed with parents",
        summary="The baby died while bed sharing with parents who had drunk alcohol. Safer "
        "sleep advice had not been repeated.",
        themes=["Sudden unexpected death in infancy (SUDI)"],
    )
    make_record(other_partnership, title="Co-sleeping death elsewhere", summary="Co-sleeping.")
    similar = finder.similar_records(library["sudi"], limit=3)
    assert similar[0].id == twin.pk
    assert library["sudi"].pk not in [item.id for item in similar]
    assert len(similar) <= 3
    assert all(item.kind == "record" for item in similar)


def test_similar_records_are_worked_out_once_per_state_of_the_library(partnership):
    """Kept in the catalogue (issue 16): asked again, only the library's version and the
    records' titles are read; a change to a record makes them worked out again."""
    library = make_library(partnership)
    twin = make_record(
        partnership,
        title="Child Z: death of an infant sharing a bed with parents",
        summary="The baby died while bed sharing with parents who had drunk alcohol.",
        themes=["Sudden unexpected death in infancy (SUDI)"],
    )
    first = finder.similar_records(library["sudi"], limit=3)
    assert first[0].id == twin.pk

    with CaptureQueriesContext(connection) as again:
        assert finder.similar_records(library["sudi"], limit=3) == first
    assert len(again) == 2

    twin.archived_at = timezone.now()
    twin.save(update_fields=["archived_at"])
    assert twin.pk not in [item.id for item in finder.similar_records(library["sudi"], limit=3)]
