"""``CompiledQuery.objects`` and ``RecordQuery`` (issue 16): the records many pages read first,
from SQL built once, are the objects the ORM gives for the same queryset (every column, the
``select_related`` objects, nullable ones left empty, annotations, values converted), and a
record outside the scope or an id no column can hold is not found, as with the ORM."""

import pytest
from django.db.models import Count, Q

from safeguarding.core.compiled_sql import CompiledQuery, RecordQuery
from safeguarding.referrals.models import Decision
from safeguarding.referrals.share_selectors import case_visible_q, review_visible_q
from safeguarding.reviews.models import Review
from safeguarding.reviews.tests.review_support import commission, decided_case

pytestmark = pytest.mark.django_db


def same(orm, compiled, related=()) -> None:
    """Every column of ``orm`` and ``compiled`` equal (and of the related objects named)."""
    assert type(orm) is type(compiled)
    for field in type(orm)._meta.concrete_fields:
        assert getattr(orm, field.attname) == getattr(compiled, field.attname), field.name
        assert type(getattr(orm, field.attname)) is type(getattr(compiled, field.attname))
    assert compiled._state.adding is False and compiled._state.db == orm._state.db
    for path in related:
        left, right = orm, compiled
        for name in path.split("__"):
            assert type(right)._meta.get_field(name).is_cached(right), path
            left, right = getattr(left, name), getattr(right, name)
        if left is None:
            assert right is None, path
        else:
            same(left, right)


@pytest.fixture
def review(partnership, business_unit_user):
    case, _ = decided_case(partnership, business_unit_user)
    return commission(case, business_unit_user)


def test_a_record_is_what_the_orm_gives(partnership, other_partnership, review):
    query = RecordQuery(lambda: Review.objects.select_related("case", "partnership"))
    compiled = query.get(partnership=partnership, pk=review.pk)
    orm = Review.objects.select_related("case", "partnership").get(pk=review.pk)
    same(orm, compiled, related=["case", "partnership"])
    for _ in range(2):  # built, then reused
        assert query.get(partnership=other_partnership, pk=review.pk) is None
        assert query.get(partnership=partnership, pk=review.pk + 1000) is None
    # An id no column holds (a URL's <int:pk> may be any number of digits): not found.
    assert query.get(partnership=partnership, pk=10**30) is None
    assert query.get(partnership=partnership, pk=str(10**30)) is None
    assert query.get(partnership=partnership, pk=str(review.pk)).pk == review.pk


def test_the_scope_s_partnership_stands_in_every_place(partnership, other_partnership, review):
    """review_visible_q names the partnership twice: the review's own and the share's."""
    query = RecordQuery(
        lambda: Review.objects.select_related("case", "partnership"), review_visible_q
    )
    assert query.get(partnership=partnership, pk=review.pk).pk == review.pk
    assert query.get(partnership=other_partnership, pk=review.pk) is None


def test_a_nullable_related_object_left_empty(partnership, other_partnership, review):
    decision = Decision.objects.filter(track__case=review.case).first()
    related = ["track", "track__case", "track__case__partnership", "track__decided_by"]
    query = RecordQuery(
        lambda: Decision.objects.select_related(*related),
        lambda partnership: case_visible_q(partnership, "track__case__"),
        partnership_model=type(partnership),
    )
    compiled = query.get(partnership=partnership, pk=decision.pk)
    assert compiled.track.decided_by is None
    same(Decision.objects.select_related(*related).get(pk=decision.pk), compiled, related)
    assert query.get(partnership=other_partnership, pk=decision.pk) is None


def test_annotations_are_set(partnership, review):
    query = CompiledQuery(
        lambda partnership_id: (
            Review.objects.filter(partnership=partnership_id)
            .annotate(tracks_count=Count("tracks"))
            .order_by("pk")
        ),
        {"partnership_id": (-7_301_946_289, type(partnership)._meta.pk)},
    )
    (compiled,) = query.objects("default", partnership_id=partnership.pk)
    same(Review.objects.get(pk=review.pk), compiled)
    assert compiled.tracks_count == review.tracks.count() == 1


def test_what_objects_cannot_give_is_refused(partnership):
    query = CompiledQuery(
        lambda partnership_id: Review.objects.filter(Q(partnership=partnership_id)).values("pk"),
        {"partnership_id": (-7_301_946_289, type(partnership)._meta.pk)},
    )
    with pytest.raises(TypeError):
        query.objects("default", partnership_id=partnership.pk)
    prefetching = CompiledQuery(
        lambda partnership_id: Review.objects.filter(partnership=partnership_id).prefetch_related(
            "tracks"
        ),
        {"partnership_id": (-7_301_946_289, type(partnership)._meta.pk)},
    )
    with pytest.raises(TypeError):
        prefetching.objects("default", partnership_id=partnership.pk)
