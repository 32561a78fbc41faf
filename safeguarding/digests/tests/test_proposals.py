"""What the service proposes for an issue's period (issue 7 item 5)."""

from datetime import date

import pytest
from django.utils import timezone

from safeguarding.digests.models import DigestItem
from safeguarding.digests.proposals import learning_points, proposals_for
from safeguarding.library.models import LibraryRecord

from .support import (
    PERIOD_END,
    PERIOD_START,
    finding,
    national_review,
    publication,
    record,
    theme,
)

pytestmark = pytest.mark.django_db
Kind = DigestItem.Kind


def _propose(partnership):
    return proposals_for(partnership=partnership, period_start=PERIOD_START, period_end=PERIOD_END)


@pytest.fixture
def library(partnership, other_partnership):
    """A fictional library around the period 1 January to 31 March 2026."""
    curiosity = theme(partnership, "Professional curiosity")
    neglect = theme(partnership, "Neglect")
    housing = theme(partnership, "Housing")
    voice = theme(partnership, "Voice of the child")
    linked_publication = publication(partnership, "Child Aster", publish_on=date(2026, 2, 10))
    own = record(
        partnership,
        "Child Aster",
        published_on=date(2026, 2, 10),
        publication=linked_publication,
        themes=[curiosity, neglect],
        learning="- Ask about the baby's sleep\n- Check who else lives there\n"
        "- Share worries early\n- A fourth point",
    )
    imported = record(
        partnership,
        "Adult Birch",
        published_on=date(2026, 3, 1),
        source=LibraryRecord.Source.IMPORTED,
        review_type="sar",
        publisher="Elsewhere Safeguarding Adults Board",
        themes=[curiosity, housing, voice],
    )
    record(partnership, "Child Before", published_on=date(2025, 12, 31), themes=[neglect])
    record(partnership, "Child Old", published_on=date(2019, 5, 1), themes=[neglect])
    record(
        partnership,
        "Child Archived",
        published_on=date(2026, 2, 1),
        archived_at=timezone.now(),
        themes=[housing],
    )
    record(partnership, "Child Private", published_on=date(2026, 2, 2), is_public=False)
    linked_national = national_review(
        partnership, "Panel: sleeping", published_on=date(2026, 1, 20)
    )
    national_record = record(
        partnership,
        "Panel: sleeping",
        published_on=date(2026, 1, 20),
        source=LibraryRecord.Source.NATIONAL,
        review_type="national",
        publisher="Child Safeguarding Practice Review Panel",
        national_review=linked_national,
    )
    national_review(partnership, "Panel: adolescents", published_on=date(2026, 3, 15))
    national_review(partnership, "Panel: too early", published_on=date(2025, 11, 1))
    publication(partnership, "Child Cedar", publish_on=date(2026, 3, 20))
    publication(partnership, "Child Draft", publish_on=date(2026, 3, 21), status="draft")
    finding(partnership, on=date(2026, 2, 15), themes=[voice])
    record(other_partnership, "Elsewhere child", published_on=date(2026, 2, 1))
    return {"own": own, "imported": imported, "national": national_record}


def test_reviews_published_in_the_period_are_proposed_with_their_key_learning(partnership, library):
    proposals = _propose(partnership)
    reviews = [(p.kind, p.heading) for p in proposals if p.kind in (Kind.REVIEW, Kind.LEARNING)]
    assert reviews == [
        (Kind.REVIEW, "Child Aster"),
        (Kind.REVIEW, "Adult Birch"),
        (Kind.REVIEW, "Child Cedar"),  # published, but no library record yet
        (Kind.LEARNING, "Learning from Child Aster"),
    ]
    learning = next(p for p in proposals if p.kind == Kind.LEARNING)
    assert learning.record_id == library["own"].pk
    assert learning.text == (
        "- Ask about the baby's sleep\n- Check who else lives there\n- Share worries early"
    )
    birch = next(p for p in proposals if p.heading == "Adult Birch")
    assert birch.text.startswith(
        "Safeguarding adults review published by Elsewhere Safeguarding Adults Board on "
        "1 March 2026."
    )
    cedar = next(p for p in proposals if p.heading == "Child Cedar")
    assert cedar.record_id is None
    assert cedar.link.endswith(f"/testshire/published/{cedar_pk(partnership)}/")


def cedar_pk(partnership):
    return partnership.publications.get(title="Child Cedar").pk


def test_nothing_outside_the_period_archived_private_draft_or_of_another_partnership(
    partnership, library
):
    headings = {p.heading for p in _propose(partnership)}
    for absent in (
        "Child Before",
        "Child Old",
        "Child Archived",
        "Child Private",
        "Child Draft",
        "Panel: too early",
        "Elsewhere child",
    ):
        assert absent not in headings


def test_national_reviews_come_from_the_library_and_from_unlinked_national_reviews(
    partnership, library
):
    national = [p for p in _propose(partnership) if p.kind == Kind.NATIONAL]
    assert [(p.heading, p.record_id) for p in national] == [
        ("Panel: sleeping", library["national"].pk),  # once, through its library record
        ("Panel: adolescents", None),
    ]
    assert national[1].link == "https://panel.example/reviews/fictional"


def test_recurring_themes_twice_in_the_period_or_also_in_earlier_years(partnership, library):
    themes = {p.heading: p.text for p in _propose(partnership) if p.kind == Kind.THEME}
    assert set(themes) == {
        "Recurring theme: Professional curiosity",  # two reviews in the period
        "Recurring theme: Voice of the child",  # a review and one of our findings
        "Recurring theme: Neglect",  # once in the period, and in 2019 and 2025
    }
    assert themes["Recurring theme: Professional curiosity"] == (
        "This theme came up 2 times in this period (2 reviews in the library)."
    )
    assert themes["Recurring theme: Voice of the child"] == (
        "This theme came up 2 times in this period (1 review in the library and 1 finding of "
        "our own reviews)."
    )
    assert themes["Recurring theme: Neglect"] == (
        "This theme came up 1 time in this period (1 review in the library). It also came up in "
        "earlier years: 2019 and 2025."
    )
    # Housing: once in the period (its other record is archived), never before: not proposed.


def test_an_empty_period_proposes_nothing(partnership, library):
    assert (
        proposals_for(
            partnership=partnership,
            period_start=date(2030, 1, 1),
            period_end=date(2030, 3, 31),
        )
        == []
    )


def test_proposals_take_a_fixed_number_of_queries(
    partnership, library, django_assert_max_num_queries
):
    with django_assert_max_num_queries(9):
        _propose(partnership)


def test_learning_points_are_bullets_or_numbered_lines_or_paragraphs():
    assert learning_points("1. First\n2) Second\n3. Third\n4. Fourth") == [
        "First",
        "Second",
        "Third",
    ]
    assert learning_points("One paragraph\nwrapped.\n\nAnother.") == [
        "One paragraph wrapped.",
        "Another.",
    ]
    assert learning_points("") == []
