"""Requests for information (issue 14 §2): Care Act 2014 s45 and Children Act 2004 s16H,
made, due, answered or refused, escalated; listed open and overdue; reminded; audited."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safeguarding.accounts.models import Role
from safeguarding.audit.models import AuditEvent
from safeguarding.clock.reminders import reminders_send
from safeguarding.core.errors import ServiceError
from safeguarding.information_requests import services
from safeguarding.information_requests.models import InformationRequest
from safeguarding.information_requests.selectors import (
    information_request_lists,
    information_requests_in_order,
)
from safeguarding.notifications.models import Notification
from safeguarding.referrals.tests.staff_support import make_case

pytestmark = pytest.mark.django_db

MADE = datetime.date(2025, 5, 1)
DUE = datetime.date(2025, 5, 15)


def _make(case, actor, **extra):
    return services.information_request_make(
        case=case,
        actor=actor,
        recipient=extra.pop("recipient", "Testshire GP practice"),
        legal_basis=extra.pop("legal_basis", "care_act_s45"),
        information_sought="Records of contact with Adult A between fictional dates.",
        made_on=extra.pop("made_on", MADE),
        due_on=extra.pop("due_on", DUE),
        **extra,
    )


@pytest.fixture
def case(partnership, business_unit_user):
    return make_case(partnership, business_unit_user)


def test_a_request_is_recorded_with_its_audit_event(case, business_unit_user):
    request = _make(case, business_unit_user)
    assert request.status == "open" and request.partnership == case.partnership
    event = AuditEvent.objects.get(action="information_request.made")
    assert event.payload["legal_basis"] == "care_act_s45"
    assert event.payload["due_on"] == "2025-05-15"


def test_the_power_must_be_one_the_partnership_holds(partnership, case, business_unit_user):
    partnership.runs_safeguarding_adults_reviews = False
    partnership.save()
    with pytest.raises(ServiceError, match="power this partnership holds") as error:
        _make(case, business_unit_user)
    assert error.value.field == "legal_basis"
    assert _make(case, business_unit_user, legal_basis="children_act_s16h").pk


def test_only_the_business_unit_records_requests(case, user_for_role):
    with pytest.raises(ServiceError, match="Only the business unit"):
        _make(case, user_for_role(Role.PARTNER_LEAD))
    assert not InformationRequest.objects.exists()


def test_refused_then_escalated_then_answered_keeps_the_whole_history(case, business_unit_user):
    request = _make(case, business_unit_user)
    services.information_request_refuse(
        request=request,
        actor=business_unit_user,
        refused_on=MADE.replace(day=10),
        refusal_reason="They say consent is needed.",
    )
    services.information_request_escalate(
        request=request,
        actor=business_unit_user,
        escalated_on=MADE.replace(day=11),
        escalated_to="The practice's Caldicott guardian",
        note="Consent is not needed under section 45.",
    )
    with pytest.raises(ServiceError, match="already refused"):
        services.information_request_refuse(
            request=request, actor=business_unit_user, refused_on=MADE, refusal_reason="Again"
        )
    answered = services.information_request_answer(
        request=request,
        actor=business_unit_user,
        answered_on=MADE.replace(day=20),
        answer_summary="Records received by secure email, filed with the case.",
    )
    assert answered.status == "answered" and answered.refusal_reason  # the refusal stays
    assert answered.escalations.count() == 1
    actions = list(
        AuditEvent.objects.filter(action__startswith="information_request.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "information_request.made",
        "information_request.refused",
        "information_request.escalated",
        "information_request.answered",
    ]
    assert AuditEvent.objects.get(action="information_request.answered").payload["late"] is True
    with pytest.raises(ServiceError, match="nothing to escalate"):
        services.information_request_escalate(
            request=request,
            actor=business_unit_user,
            escalated_on=MADE,
            escalated_to="x",
            note="y",
        )


def test_the_list_puts_overdue_requests_first(partnership, case, business_unit_user):
    late = _make(case, business_unit_user, recipient="Late body")
    waiting = _make(case, business_unit_user, recipient="Waiting body", due_on=MADE.replace(day=30))
    answered = _make(case, business_unit_user, recipient="Answered body")
    services.information_request_answer(
        request=answered, actor=business_unit_user, answered_on=MADE, answer_summary="Given."
    )
    today = MADE.replace(day=20)
    rows = information_requests_in_order(
        user=business_unit_user, partnership=partnership, today=today
    )
    lists = information_request_lists(rows=rows, today=today)
    assert lists.overdue == [late] and lists.open == [waiting] and lists.closed == [answered]


def test_the_business_unit_is_reminded_before_and_after_the_due_date(
    partnership, case, business_unit_user
):
    _make(case, business_unit_user, due_on=datetime.date(2025, 5, 15))
    assert reminders_send(today=datetime.date(2025, 5, 12), sources=["information_requests"]) == 1
    assert reminders_send(today=datetime.date(2025, 5, 13), sources=["information_requests"]) == 0
    assert reminders_send(today=datetime.date(2025, 5, 16), sources=["information_requests"]) == 1
    told = Notification.objects.filter(kind__startswith="information_request.")
    assert set(told.values_list("kind", flat=True)) == {
        "information_request.due_soon",
        "information_request.overdue",
    }
    assert set(told.values_list("recipient", flat=True)) == {business_unit_user.pk}


# Pages ----------------------------------------------------------------------------------------


def test_the_pages_record_a_request_and_its_answer(bu_client, partnership, case):
    url = reverse("information_requests:make", args=[partnership.slug, case.pk])
    assert bu_client.get(url).status_code == 200
    response = bu_client.post(
        url,
        {
            "recipient": "Testshire Housing",
            "legal_basis": "care_act_s45",
            "information_sought": "Tenancy records.",
            "made_on_0": "1",
            "made_on_1": "5",
            "made_on_2": "2025",
            "due_on_0": "15",
            "due_on_1": "5",
            "due_on_2": "2025",
        },
    )
    request = InformationRequest.objects.get()
    assert response.status_code == 302
    assert response.url == reverse(
        "information_requests:detail", args=[partnership.slug, request.pk]
    )
    page = bu_client.get(response.url).content.decode()
    assert "Testshire Housing" in page and "Care Act 2014 section 45" in page
    response = bu_client.post(
        reverse("information_requests:answer", args=[partnership.slug, request.pk]),
        {
            "answered_on_0": "9",
            "answered_on_1": "5",
            "answered_on_2": "2025",
            "answer_summary": "x",
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "answered"
    listing = bu_client.get(reverse("information_requests:list", args=[partnership.slug]))
    assert "Testshire Housing" in listing.content.decode()
    case_page = bu_client.get(reverse("referrals:case", args=[partnership.slug, case.pk]))
    assert reverse("information_requests:case", args=[partnership.slug, case.pk]) in (
        case_page.content.decode()
    )


def test_bad_input_shows_the_error_summary_and_records_nothing(bu_client, partnership, case):
    response = bu_client.post(
        reverse("information_requests:make", args=[partnership.slug, case.pk]),
        {
            "recipient": "",
            "legal_basis": "care_act_s45",
            "information_sought": "x",
            "made_on_0": "15",
            "made_on_1": "5",
            "made_on_2": "2025",
            "due_on_0": "1",
            "due_on_1": "5",
            "due_on_2": "2025",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert 'href="#id_recipient"' in page and 'href="#id_due_on' in page
    assert not InformationRequest.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="information_request.").exists()


def test_the_list_page_does_not_grow_with_the_requests(
    bu_client, partnership, case, business_unit_user, django_assert_max_num_queries
):
    for n in range(6):
        request = _make(case, business_unit_user, recipient=f"Body {n}")
        services.information_request_escalate(
            request=request,
            actor=business_unit_user,
            escalated_on=MADE,
            escalated_to="Its chief executive",
            note="Not answered.",
        )
    url = reverse("information_requests:list", args=[partnership.slug])
    with django_assert_max_num_queries(12):
        assert bu_client.get(url).status_code == 200


def test_a_requests_case_and_review_are_shown_from_the_pages_query(
    bu_client, partnership, business_unit_user
):
    """Issue 16: the page reads only the columns its rows show; a request's case and review
    come with it (no query per row)."""
    from safeguarding.reviews.tests.review_support import make_lcspr

    review, _maker = make_lcspr(partnership, business_unit_user)
    url = reverse("information_requests:list", args=[partnership.slug])
    _make(review.case, business_unit_user, recipient="Body 0")
    bu_client.get(url)
    with CaptureQueriesContext(connection) as one:
        bu_client.get(url)
    for n in range(1, 4):
        _make(review.case, business_unit_user, recipient=f"Body {n}", review=review)
    with CaptureQueriesContext(connection) as four:
        page = bu_client.get(url).content.decode()
    assert len(four) == len(one)
    assert page.count(f'<span class="govuk-body-s">{review.reference}</span>') == 3
    assert page.count(f"{review.case.reference} {review.case.pseudonym}") == 4


def test_the_list_is_paginated_in_its_order_with_flat_queries(
    bu_client, partnership, case, business_unit_user
):
    """Issue 16: 25 requests a page, overdue first, then open, then the newest answered."""
    today = datetime.date.today()
    late = [
        _make(case, business_unit_user, recipient=f"Late {n}", made_on=MADE, due_on=DUE)
        for n in range(2)
    ]
    waiting = _make(
        case,
        business_unit_user,
        recipient="Waiting body",
        made_on=today,
        due_on=today + datetime.timedelta(days=30),
    )
    url = reverse("information_requests:list", args=[partnership.slug])
    bu_client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert bu_client.get(url).status_code == 200
    for n in range(26):
        answered = _make(case, business_unit_user, recipient=f"Answered {n:02}")
        services.information_request_answer(
            request=answered,
            actor=business_unit_user,
            answered_on=MADE + datetime.timedelta(days=n),
            answer_summary="Given.",
        )
    with CaptureQueriesContext(connection) as many:
        first = bu_client.get(url)
    assert len(many) == len(few)
    rows = first.context["lists"]
    assert rows.overdue == late and rows.open == [waiting]
    assert [r.recipient for r in rows.closed] == [f"Answered {n:02}" for n in range(25, 3, -1)]
    assert 'class="govuk-pagination"' in first.text and 'href="?page=2"' in first.text
    second = bu_client.get(url, {"page": "2"}).context["lists"]
    assert not second.overdue and not second.open
    assert [r.recipient for r in second.closed] == [f"Answered {n:02}" for n in (3, 2, 1, 0)]


def test_a_page_from_sql_built_once_is_the_orms_page(partnership, case, business_unit_user):
    """Issue 16: the list's pages (the partnership's, one case's) read through ``REQUEST_PAGES``
    give the ORM's rows in its order, with the count of every request and each one's
    escalations, for any day."""
    from django.test import RequestFactory

    from safeguarding.information_requests.selectors import information_request_page

    other_case = make_case(partnership, business_unit_user)
    for n in range(30):
        made = MADE + datetime.timedelta(days=n)
        request = _make(
            case if n % 3 else other_case,
            business_unit_user,
            recipient=f"Body {n:02}",
            made_on=made,
            due_on=DUE + datetime.timedelta(days=n),
        )
        for _ in range(n % 3):
            services.information_request_escalate(
                request=request,
                actor=business_unit_user,
                escalated_on=made,
                escalated_to="Its chief executive",
                note="Not answered.",
            )
        if n % 4 == 0:
            services.information_request_answer(
                request=request, actor=business_unit_user, answered_on=made, answer_summary="Given."
            )
    for today in (MADE, DUE + datetime.timedelta(days=10), DUE + datetime.timedelta(days=90)):
        for of_case in (None, case, other_case):
            expected = list(
                information_requests_in_order(
                    user=business_unit_user, partnership=partnership, today=today, case=of_case
                )
            )
            for number in (1, 2) if len(expected) > 25 else (1,):
                request = RequestFactory().get("/", {"page": number})
                page, _links = information_request_page(
                    request,
                    user=business_unit_user,
                    partnership=partnership,
                    today=today,
                    case=of_case,
                )
                wanted = expected[(number - 1) * 25 : number * 25]
                assert [row.pk for row in page.object_list] == [row.pk for row in wanted]
                assert [row.escalation_count for row in page.object_list] == [
                    row.escalations.count() for row in wanted
                ]
                assert [row.case.reference for row in page.object_list] == [
                    row.case.reference for row in wanted
                ]
                assert page.paginator.count == len(expected)
