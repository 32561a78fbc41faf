"""A partnership's own quality marker set (issue 14 §4, ADR 0024): defined by the business unit
as data, markers archived never deleted, chosen when a review is first assessed; an assessment
keeps its set."""

import pytest
from django.urls import reverse

from safeguarding.accounts.models import Role
from safeguarding.audit.models import AuditEvent
from safeguarding.core.errors import ServiceError
from safeguarding.reviews.marker_sets import services
from safeguarding.reviews.models import LocalMarker, LocalMarkerSet, QualityAssessment
from safeguarding.reviews.running import services as review_services
from safeguarding.reviews.running.quality_markers import SAR_SET, local_sets_for, set_for

from .review_support import commission, decided_case


def sar_review(partnership, actor, pseudonym="Adult A"):
    case, _ = decided_case(partnership, actor, review_types=("sar",), pseudonym=pseudonym)
    return commission(case, actor)


def regional_set(partnership, actor, kinds=("sar",)):
    marker_set = services.marker_set_create(
        partnership=partnership,
        name="Regional SAR quality markers",
        review_kinds=list(kinds),
        source="https://example.org/regional-markers",
        note="Fictional regional checklist.",
        actor=actor,
    )
    for title in ("Referral made promptly", "Family involved", "Learning shared"):
        services.marker_add(marker_set=marker_set, stage="All", title=title, actor=actor)
    return marker_set


def quality_url(review):
    return reverse("reviews:quality", args=[review.partnership.slug, review.pk])


def all_met(numbers, marker_set_choice):
    data = {"marker_set": marker_set_choice, "summary": "Fictional summary."}
    for number in numbers:
        data[f"rating_{number}"] = "met"
    return data


@pytest.mark.django_db
def test_the_business_unit_builds_a_set_through_the_pages(bu_client, partnership):
    slug = partnership.slug
    response = bu_client.post(
        reverse("reviews:marker_set_add", args=[slug]),
        {"name": "Regional SAR markers", "review_kinds": ["sar", "joint"], "note": ""},
    )
    marker_set = LocalMarkerSet.objects.get()
    assert response.status_code == 302
    assert marker_set.review_kinds == ["sar", "joint"]
    for title in ("First marker", "Second marker"):
        bu_client.post(
            reverse("reviews:marker_add", args=[slug, marker_set.pk]),
            {"stage": "Setting up", "title": title, "guidance": "What good looks like."},
        )
    first, second = marker_set.markers.all()
    assert (first.number, second.number) == (1, 2)
    bu_client.post(reverse("reviews:marker_archive", args=[slug, marker_set.pk, first.pk]))
    first.refresh_from_db()
    assert first.is_archived
    # A new marker never takes an archived marker's number.
    bu_client.post(
        reverse("reviews:marker_add", args=[slug, marker_set.pk]), {"title": "Third marker"}
    )
    assert list(marker_set.markers.values_list("number", flat=True)) == [1, 2, 3]
    bu_client.post(reverse("reviews:marker_restore", args=[slug, marker_set.pk, first.pk]))
    first.refresh_from_db()
    assert not first.is_archived
    page = bu_client.get(reverse("reviews:marker_set", args=[slug, marker_set.pk])).content
    assert b"Third marker" in page
    assert LocalMarker.objects.count() == 3  # nothing deleted
    assert list(
        AuditEvent.objects.filter(action__startswith="marker_set.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [
        "marker_set.created",
        "marker_set.marker_added",
        "marker_set.marker_added",
        "marker_set.marker_archived",
        "marker_set.marker_added",
        "marker_set.marker_restored",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "", "review_kinds": ["sar"]}, "Enter the name of the marker set"),
        ({"name": "Set", "review_kinds": []}, "Select the review types the set applies to"),
        ({"name": "Set", "review_kinds": ["rapid_review"]}, "Select review types from the list"),
        ({"name": "Set", "review_kinds": ["sar"], "source": "not a url"}, "Enter a web address"),
        ({"name": "x" * 201, "review_kinds": ["sar"]}, "200 characters or fewer"),
    ],
)
def test_a_bad_set_is_refused_and_changes_nothing(bu_client, partnership, data, message):
    html = bu_client.post(
        reverse("reviews:marker_set_add", args=[partnership.slug]), data
    ).content.decode()
    assert "There is a problem" in html and message in html
    assert not LocalMarkerSet.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="marker_set.").exists()


@pytest.mark.django_db
def test_names_are_unique_among_current_sets_and_bad_markers_are_refused(
    bu_client, partnership, business_unit_user
):
    marker_set = regional_set(partnership, business_unit_user)
    html = bu_client.post(
        reverse("reviews:marker_set_add", args=[partnership.slug]),
        {"name": "regional sar QUALITY markers", "review_kinds": ["sar"]},
    ).content.decode()
    assert "already has a marker set with this name" in html
    html = bu_client.post(
        reverse("reviews:marker_add", args=[partnership.slug, marker_set.pk]), {"title": " "}
    ).content.decode()
    assert "Enter the marker" in html
    assert marker_set.markers.count() == 3
    # An archived set is read-only; its name may be used again.
    services.marker_set_archive(marker_set=marker_set, actor=business_unit_user)
    with pytest.raises(ServiceError):
        services.marker_add(marker_set=marker_set, title="Late", actor=business_unit_user)
    assert (
        bu_client.get(
            reverse("reviews:marker_add", args=[partnership.slug, marker_set.pk])
        ).status_code
        == 403
    )
    regional_set(partnership, business_unit_user)
    assert LocalMarkerSet.objects.count() == 2


@pytest.mark.django_db
def test_a_review_is_assessed_against_the_chosen_set_and_keeps_it(
    bu_client, partnership, business_unit_user
):
    marker_set = regional_set(partnership, business_unit_user)
    review = sar_review(partnership, business_unit_user)
    assert local_sets_for(review) == [marker_set]
    # First the choice of set; the national one is the default.
    choose = bu_client.get(quality_url(review)).content.decode()
    assert "Which quality markers will you assess the review against?" in choose
    assert "Regional SAR quality markers" in choose
    form = bu_client.get(quality_url(review), {"marker_set": marker_set.pk}).content.decode()
    assert "Family involved" in form
    response = bu_client.post(quality_url(review), all_met([1, 2, 3], str(marker_set.pk)))
    assert response.status_code == 302
    assessment = QualityAssessment.objects.get(review=review)
    assert assessment.framework == "local" and assessment.local_set == marker_set
    assert sorted(assessment.ratings.values_list("marker", flat=True)) == [1, 2, 3]
    event = AuditEvent.objects.get(action="quality.assessed")
    assert event.payload["marker_set"] == marker_set.pk

    # Archiving a rated marker and adding another: the assessment still shows its rating.
    services.marker_archive(marker=marker_set.markers.get(number=2), actor=business_unit_user)
    services.marker_add(marker_set=marker_set, title="New marker", actor=business_unit_user)
    review.refresh_from_db()
    used = set_for(review)
    assert used.numbers == [1, 2, 3, 4]
    assert [m.archived for m in used.markers] == [False, True, False, False]
    # Archiving the whole set: the review keeps it; new reviews are no longer offered it.
    services.marker_set_archive(marker_set=marker_set, actor=business_unit_user)
    review.refresh_from_db()
    assert set_for(review).title == "Regional SAR quality markers"
    other = sar_review(partnership, business_unit_user, pseudonym="Adult B")
    assert local_sets_for(other) == []
    assert bu_client.get(quality_url(other)).status_code == 200  # straight to the SAR markers
    assert "Which quality markers" not in bu_client.get(quality_url(other)).content.decode()


@pytest.mark.django_db
def test_the_national_set_is_still_chosen_by_default(bu_client, partnership, business_unit_user):
    regional_set(partnership, business_unit_user)
    review = sar_review(partnership, business_unit_user)
    bu_client.post(quality_url(review), all_met(SAR_SET.numbers, "national"))
    assessment = QualityAssessment.objects.get(review=review)
    assert assessment.framework == SAR_SET.framework and assessment.local_set is None


@pytest.mark.django_db
def test_a_set_of_another_kind_or_partnership_is_refused_and_changes_nothing(
    bu_client, partnership, other_partnership, business_unit_user
):
    children_only = regional_set(partnership, business_unit_user, kinds=("lcspr",))
    elsewhere = regional_set(other_partnership, business_unit_user)
    review = sar_review(partnership, business_unit_user)
    for marker_set in (children_only, elsewhere):
        response = bu_client.post(quality_url(review), all_met([1, 2, 3], str(marker_set.pk)))
        assert response.status_code == 404
        with pytest.raises(ServiceError):
            review_services.quality_assessment_save(
                review=review,
                actor=business_unit_user,
                ratings={n: {"rating": "met"} for n in (1, 2, 3)},
                local_set=marker_set,
            )
    assert not QualityAssessment.objects.exists()
    assert (
        bu_client.get(
            reverse("reviews:marker_set", args=[partnership.slug, elsewhere.pk])
        ).status_code
        == 404
    )


@pytest.mark.django_db
def test_only_the_business_unit_manages_marker_sets(
    client, partnership, business_unit_user, user_for_role
):
    marker_set = regional_set(partnership, business_unit_user)
    for role in (Role.PARTNER_LEAD, Role.REVIEWER, Role.AGENCY_CONTRIBUTOR):
        client.force_login(user_for_role(role))
        assert (
            client.get(reverse("reviews:marker_sets", args=[partnership.slug])).status_code == 403
        )
        response = client.post(
            reverse("reviews:marker_archive", args=[partnership.slug, marker_set.pk, 1]),
        )
        assert response.status_code == 403
    assert not marker_set.markers.filter(archived_at__isnull=False).exists()
