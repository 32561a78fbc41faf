"""The requests' rows written in Python (ADR 0034) give the characters the template loop of
``information_requests/_table.html`` gave, on values with markup, quotes and ampersands, in each
state, with and without a review and escalations (issue 16)."""

import datetime

import pytest
from django.template import engines

from safeguarding.information_requests.models import InformationRequest
from safeguarding.information_requests.rows import request_rows_html
from safeguarding.referrals.models import Case
from safeguarding.reviews.models import Review

NASTY = "<script>alert('x')</script> & \"quoted\" O'Neill"
SLUG = "north-south"

# The loop as it was in the template, with the lines around it.
LOOP = """  <tbody class="govuk-table__body">
  {% for row in rows %}
    <tr class="govuk-table__row">
      <td class="govuk-table__cell" data-label="Asked"><a class="govuk-link" href="{% url 'information_requests:detail' partnership.slug row.pk %}">{{ row.recipient }}</a></td>
      <td class="govuk-table__cell" data-label="Case">{{ row.case.reference }} {{ row.case.pseudonym }}{% if row.review %}<br><span class="govuk-body-s">{{ row.review.reference }}</span>{% endif %}</td>
      <td class="govuk-table__cell" data-label="Under">{{ row.get_legal_basis_display }}</td>
      <td class="govuk-table__cell" data-label="Due">{{ row.due_on|date:"j F Y" }}</td>
      <td class="govuk-table__cell" data-label="Status">{% if overdue %}<strong class="govuk-tag govuk-tag--red">Overdue</strong>{% elif row.status == "answered" %}<strong class="govuk-tag govuk-tag--green">Answered {{ row.answered_on|date:"j F Y" }}</strong>{% elif row.status == "refused" %}<strong class="govuk-tag govuk-tag--orange">Refused {{ row.refused_on|date:"j F Y" }}</strong>{% else %}<strong class="govuk-tag govuk-tag--blue">Waiting</strong>{% endif %}{% with n=row.escalations.all|length %}{% if n %}<br><span class="govuk-body-s">Escalated {{ n }} time{{ n|pluralize }}</span>{% endif %}{% endwith %}</td>
    </tr>
  {% endfor %}
  </tbody>"""  # noqa: E501
NOW = '  <tbody class="govuk-table__body">\n  {{ rows_html }}\n  </tbody>'


class _Partnership:
    slug = SLUG


def _escalations(n: int):
    cached = InformationRequest.objects.none()
    cached._result_cache, cached._prefetch_done = [object()] * n, True
    return cached


def _requests() -> list[InformationRequest]:
    case = Case(pk=5, reference="C-1 & <2>", pseudonym=NASTY)
    rows = []
    for pk, (status, basis, review, escalated) in enumerate(
        [
            ("open", "care_act_s45", None, 0),
            ("answered", "children_act_s16h", Review(pk=9, reference="SAR <1> & 'x'"), 1),
            ("refused", "care_act_s45", None, 2),
            ("open", "unknown<basis>", Review(pk=10, reference="LCSPR-2"), 12),
        ],
        start=1,
    ):
        row = InformationRequest(
            pk=pk * 101,
            recipient=NASTY if pk == 1 else f"Body {pk} & Co",
            legal_basis=basis,
            due_on=datetime.date(2026, pk, 28),
            status=status,
            answered_on=datetime.date(2026, 3, 1) if status == "answered" else None,
            refused_on=datetime.date(2025, 12, 31) if status == "refused" else None,
            case=case,
            review=review,
        )
        row.escalation_count = escalated
        row._prefetched_objects_cache = {"escalations": _escalations(escalated)}
        rows.append(row)
    return rows


@pytest.mark.parametrize("overdue", [True, False])
def test_request_rows(overdue):
    rows = _requests()
    engine = engines["django"]
    before = engine.from_string(LOOP).render(
        {"rows": rows, "partnership": _Partnership(), "overdue": overdue}
    )
    after = engine.from_string(NOW).render(
        {"rows_html": request_rows_html(rows, slug=SLUG, overdue=overdue)}
    )
    assert after == before
    assert "<script>" not in after and "&lt;script&gt;" in after
    assert "Escalated 1 time</span>" in after and "Escalated 12 times" in after
    assert ("Overdue" in after) is overdue


def test_no_rows():
    assert request_rows_html([], slug=SLUG, overdue=False) == ""
