"""The retention page's rows of cases on hold, written in Python (``records/rows.py``, ADR 0034),
give the characters the template's loop gave: the loop is kept here as it was, and both are
rendered on holds whose values hold markup, quotes and ampersands (issue 16)."""

import datetime

from django.template import engines
from django.utils import timezone

from safeguarding.accounts.models import Partnership, User
from safeguarding.records.models import RetentionHold
from safeguarding.records.rows import hold_rows_html
from safeguarding.referrals.models import Case

NASTY = "<script>alert('x')</script> & \"quoted\" O'Neill"
PARTNERSHIP = Partnership(pk=7, slug="north-south", name="North")

HOLDS_LOOP = """  <tbody class="govuk-table__body">
  {% for hold in holds %}
  <tr class="govuk-table__row">
    <td class="govuk-table__cell"><a class="govuk-link" href="{% url 'referrals:case' partnership.slug hold.case.pk %}">{{ hold.case.reference }}</a> ({{ hold.case.pseudonym }})</td>
    <td class="govuk-table__cell">{{ hold.reason }}</td>
    <td class="govuk-table__cell">{{ hold.placed_at|date:"j F Y" }}, {{ hold.placed_by.full_name }}</td>
    <td class="govuk-table__cell"><a class="govuk-link" href="{% url 'records:hold_lift' partnership.slug hold.pk %}">Lift<span class="govuk-visually-hidden"> the hold on {{ hold.case.reference }}</span></a></td>
  </tr>
  {% endfor %}
  </tbody>"""  # noqa: E501
HOLDS_NOW = '  <tbody class="govuk-table__body">\n  {{ hold_rows }}\n  </tbody>'


def _holds() -> list[RetentionHold]:
    late_evening = datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC)  # 1 July in London
    holds = []
    for pk in (1, 2, 3):
        case = Case(pk=pk * 100, reference=f"C2026-{pk} {NASTY}", pseudonym=NASTY)
        user = User(pk=pk, full_name=NASTY if pk != 2 else "")
        holds.append(
            RetentionHold(pk=pk, case=case, placed_by=user, reason=NASTY, placed_at=late_evening)
        )
    return holds


def test_hold_rows_are_what_the_loop_wrote():
    engine = engines["django"]
    for holds in (_holds(), []):
        with timezone.override("Europe/London"):
            before = engine.from_string(HOLDS_LOOP).render(
                {"holds": holds, "partnership": PARTNERSHIP}
            )
            after = engine.from_string(HOLDS_NOW).render(
                {"hold_rows": hold_rows_html(holds, PARTNERSHIP.slug)}
            )
        assert after == before
    rows = hold_rows_html(_holds(), PARTNERSHIP.slug)
    assert "<script>" not in rows and "1 July 2026" in rows
    assert "/manage/north-south/records/retention/holds/2/lift/" in rows
