"""National returns (issue 17): a review's return recorded by the business unit against its
scheme's categories, checked, audited, and exported for a financial year as a real .xlsx."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from safeguarding.accounts.models import Role
from safeguarding.audit.models import AuditEvent
from safeguarding.core.errors import ServiceError
from safeguarding.reviews.models import NationalReturn, Review
from safeguarding.reviews.returns import selectors, services

from .review_support import commission, decided_case

SAR_ANSWERS = {
    "basis": "mandatory",
    "harm": "died",
    "abuse_types": ["self_neglect", "neglect"],
    "setting": "own_home",
    "individuals": "1",
    "approach": "systems",
    "notes": "Fictional notes.",
}


def at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC)


def make_review(partnership, actor, types=("sar",), signed_off=None, pseudonym="Adult A"):
    case, _ = decided_case(partnership, actor, review_types=types, pseudonym=pseudonym)
    review = commission(case, actor)
    if signed_off:
        Review.objects.filter(pk=review.pk).update(
            stage=Review.Stage.SIGNED_OFF, signed_off_at=at(signed_off)
        )
        review.refresh_from_db()
    return review


def url(review, scheme=""):
    base = reverse("reviews:national_return", args=[review.partnership.slug, review.pk])
    return f"{base}?scheme={scheme}" if scheme else base


@pytest.mark.django_db
def test_the_business_unit_records_a_sar_return_and_it_is_audited(
    bu_client, partnership, business_unit_user
):
    review = make_review(partnership, business_unit_user, signed_off=datetime.date(2025, 6, 2))
    page = bu_client.get(url(review)).content.decode()
    assert "Which types of abuse or neglect were known or suspected?" in page
    assert "Self-neglect" in page
    response = bu_client.post(url(review, "sar"), SAR_ANSWERS)
    assert response.status_code == 302
    record = NationalReturn.objects.get(review=review)
    assert record.scheme == "sar"
    assert record.answers == {
        "basis": "mandatory",
        "harm": "died",
        # kept in the scheme's order, whatever order they came in
        "abuse_types": ["neglect", "self_neglect"],
        "setting": "own_home",
        "individuals": 1,
        "approach": "systems",
    }
    event = AuditEvent.objects.get(action="national_return.recorded")
    assert event.payload["scheme"] == "sar"
    # Changing one answer records what changed; saving the same again records nothing.
    bu_client.post(url(review, "sar"), {**SAR_ANSWERS, "setting": "care_home"})
    changed = AuditEvent.objects.get(action="national_return.changed")
    assert changed.payload["changed"] == ["setting"]
    bu_client.post(url(review, "sar"), {**SAR_ANSWERS, "setting": "care_home"})
    assert AuditEvent.objects.filter(action="national_return.changed").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, message",
    [
        ({"basis": ""}, "Answer: was the review mandatory or discretionary?"),
        ({"abuse_types": []}, "Answer: which types of abuse or neglect"),
        ({"abuse_types": ["not_a_type"]}, "Select answers from the list"),
        ({"setting": "castle"}, "Select an answer from the list"),
        ({"individuals": "0"}, "Enter a number from 1 to 100"),
        ({"individuals": "two"}, "Enter a whole number"),
        ({"notes": "x" * 2_001}, "Notes must be 2,000 characters or fewer"),
        # R21: a mandatory review is about someone who died or was seriously harmed
        ({"harm": "other"}, "A mandatory review is about someone who died"),
    ],
)
def test_bad_answers_are_refused_and_change_nothing(
    bu_client, partnership, business_unit_user, change, message
):
    review = make_review(partnership, business_unit_user)
    html = bu_client.post(url(review, "sar"), {**SAR_ANSWERS, **change}).content.decode()
    assert "There is a problem" in html
    assert message in html
    assert not NationalReturn.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="national_return").exists()


@pytest.mark.django_db
def test_a_bad_change_keeps_the_return_as_it_was(bu_client, partnership, business_unit_user):
    review = make_review(partnership, business_unit_user)
    bu_client.post(url(review, "sar"), SAR_ANSWERS)
    before = NationalReturn.objects.get().answers
    bu_client.post(url(review, "sar"), {**SAR_ANSWERS, "harm": "other"})
    assert NationalReturn.objects.get().answers == before
    assert not AuditEvent.objects.filter(action="national_return.changed").exists()


@pytest.mark.django_db
def test_the_service_refuses_unknown_questions_and_schemes(partnership, business_unit_user):
    review = make_review(partnership, business_unit_user)
    good = {k: v for k, v in SAR_ANSWERS.items() if k != "notes"} | {"individuals": 1}
    with pytest.raises(ServiceError):
        services.national_return_save(
            review=review, scheme="dhr", answers=good, actor=business_unit_user
        )
    with pytest.raises(ServiceError):
        services.national_return_save(
            review=review, scheme="sar", answers={**good, "colour": "red"}, actor=business_unit_user
        )
    with pytest.raises(ServiceError):
        services.national_return_save(
            review=review,
            scheme="sar",
            answers={**good, "individuals": True},
            actor=business_unit_user,
        )
    assert not NationalReturn.objects.exists()


@pytest.mark.django_db
def test_a_dhr_return_needs_a_perpetrator_unless_it_reviews_a_suicide(
    partnership, business_unit_user
):
    review = make_review(partnership, business_unit_user, types=("dhr",))
    answers = {
        "death": "homicide",
        "relationship": "none",
        "abuse_types": ["coercive_control"],
        "setting": "shared_home",
        "victims": 1,
    }
    with pytest.raises(ServiceError, match="suicide"):
        services.national_return_save(
            review=review, scheme="dhr", answers=answers, actor=business_unit_user
        )
    record = services.national_return_save(
        review=review,
        scheme="dhr",
        answers={**answers, "death": "suicide"},
        actor=business_unit_user,
    )
    assert record.answers["relationship"] == "none"


@pytest.mark.django_db
def test_a_joint_review_returns_under_each_of_its_review_types(
    bu_client, partnership, business_unit_user
):
    review = make_review(partnership, business_unit_user, types=("cspr", "sar"))
    assert review.kind == Review.Kind.JOINT
    assert selectors.scheme_codes_for(review) == ["cspr", "sar"]
    page = bu_client.get(url(review)).content.decode()
    assert "What happened to the child?" in page  # the CSPR scheme first
    assert "?scheme=sar" in page
    assert bu_client.get(url(review, "dhr")).status_code == 404


@pytest.mark.django_db
def test_partner_leads_read_the_return_and_may_not_change_it(
    client, partnership, business_unit_user, user_for_role
):
    review = make_review(partnership, business_unit_user)
    services.national_return_save(
        review=review,
        scheme="sar",
        answers={**{k: v for k, v in SAR_ANSWERS.items() if k != "notes"}, "individuals": 1},
        actor=business_unit_user,
    )
    client.force_login(user_for_role(Role.PARTNER_LEAD))
    page = client.get(url(review)).content.decode()
    assert "Self-neglect; Neglect and acts of omission" not in page  # scheme order
    assert "Neglect and acts of omission; Self-neglect" in page
    assert "Save the return" not in page
    assert client.post(url(review, "sar"), SAR_ANSWERS).status_code == 403
    client.force_login(user_for_role(Role.AGENCY_CONTRIBUTOR))
    assert client.get(url(review)).status_code == 404


@pytest.mark.django_db
def test_the_year_export_lists_every_review_signed_off_in_it_with_its_answers(
    bu_client, partnership, business_unit_user
):
    in_year = make_review(partnership, business_unit_user, signed_off=datetime.date(2025, 6, 2))
    no_return = make_review(
        partnership, business_unit_user, signed_off=datetime.date(2026, 3, 31), pseudonym="Adult C"
    )
    earlier = make_review(
        partnership, business_unit_user, signed_off=datetime.date(2025, 3, 31), pseudonym="Adult D"
    )
    ongoing = make_review(partnership, business_unit_user, pseudonym="Adult E")
    for review in (in_year, earlier, ongoing):
        bu_client.post(url(review, "sar"), {**SAR_ANSWERS, "notes": "=SUM(A1)"})
    page = bu_client.get(
        reverse("reviews:national_returns", args=[partnership.slug]), {"year": "2025"}
    ).content.decode()
    assert in_year.reference in page and no_return.reference in page
    assert earlier.reference not in page and ongoing.reference not in page
    assert "1 review signed off in the year has no return yet" in page

    response = bu_client.get(
        reverse("reviews:national_returns_xlsx", args=[partnership.slug]), {"year": "2025"}
    )
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="national_return.exported").count() == 1
    book = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    assert book.sheetnames == ["About", "SAR"]
    rows = list(book["SAR"].iter_rows(values_only=True))
    header = rows.index(next(r for r in rows if r and r[0] == "Review"))
    body = rows[header + 1 :]
    assert [r[0] for r in body] == [in_year.reference, no_return.reference]
    first = dict(zip(rows[header], body[0], strict=True))
    assert first["Returned"] == "Yes"
    assert first["Which types of abuse or neglect were known or suspected?"] == (
        "Neglect and acts of omission; Self-neglect"
    )
    assert first["How many people is the review about?"] == 1
    assert first["Notes"] == "=SUM(A1)"  # text, never a formula
    assert body[1][4] == "No"


@pytest.mark.django_db
def test_a_bad_year_is_refused_on_the_page(bu_client, partnership):
    html = bu_client.get(
        reverse("reviews:national_returns", args=[partnership.slug]), {"year": "1900"}
    ).content.decode()
    assert "Select a financial year from the list" in html


@pytest.mark.django_db
def test_the_year_page_reads_in_few_queries_whatever_the_number_of_reviews(
    bu_client, partnership, business_unit_user
):
    list_url = reverse("reviews:national_returns", args=[partnership.slug])
    today = datetime.date.today()
    make_review(partnership, business_unit_user, signed_off=today, pseudonym="Adult F")
    bu_client.get(list_url)
    with CaptureQueriesContext(connection) as one:
        bu_client.get(list_url)
    for name in ("Adult G", "Adult H", "Adult I"):
        make_review(partnership, business_unit_user, signed_off=today, pseudonym=name)
    joint = make_review(
        partnership, business_unit_user, types=("sar", "dhr"), signed_off=today, pseudonym="J & K"
    )
    services.national_return_save(
        review=joint,
        scheme="sar",
        answers={**{k: v for k, v in SAR_ANSWERS.items() if k != "notes"}, "individuals": 1},
        actor=business_unit_user,
    )
    with CaptureQueriesContext(connection) as four:
        response = bu_client.get(list_url)
        assert response.status_code == 200
    # Pinned (issue 16): the session, user, roles, partnership and unread count, the first
    # year, the reviews, their tracks' types and their returns.
    assert len(four) == len(one) == 9
    html = response.content.decode()
    # A joint review is a row per scheme, each with its own link and status (ADR 0034 rows).
    joint_url = url(joint)
    joint.refresh_from_db()
    assert f'href="{joint_url}?scheme=sar">{joint.reference} {escape(joint.title)}</a>' in html
    assert f'href="{joint_url}?scheme=dhr">{joint.reference} {escape(joint.title)}</a>' in html
    assert html.count('govuk-tag--green">Recorded') == 1
    assert html.count("Not recorded") == 5


def test_every_option_code_is_unique_within_its_question():
    from safeguarding.reviews.returns.categories import SCHEMES

    for scheme in SCHEMES.values():
        codes = [q.code for q in scheme.questions]
        assert len(codes) == len(set(codes))
        for question in scheme.questions:
            options = [code for code, _ in question.options]
            assert len(options) == len(set(options))
