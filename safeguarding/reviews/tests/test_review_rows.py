"""The reviews app's rows written in Python (``reviews/rows.py`` for the list of reviews,
``reviews/chronology/rows.py`` for the merged chronology; ADR 0034) give the characters the
template loops they replaced gave: each loop is kept here as it was, and both are rendered on
rows with markup, quotes and ampersands, and with and without their optional parts (gaps,
approximate dates, times, people; issue 16)."""

import datetime

from django.template import engines

from safeguarding.accounts.models import Agency, Partnership
from safeguarding.referrals.models import Case
from safeguarding.reviews.chronology.rows import chronology_rows_html
from safeguarding.reviews.chronology.selectors import Gap
from safeguarding.reviews.models import ChronologyEntry, Review
from safeguarding.reviews.rows import review_rows_html

NASTY = "<script>alert('x')</script> & \"quoted\" O'Neill"

# The loop as it was in reviews/chronology/merged.html (with the lines around it).
LOOP = """      <tbody class="govuk-table__body">
        {% for row in rows %}
        {% if row.gap %}
        <tr class="govuk-table__row app-chronology-gap">
          <td class="govuk-table__cell" colspan="6"><strong class="govuk-tag govuk-tag--grey">Gap</strong> No recorded contact for {{ row.gap.days }} days ({{ row.gap.starts|date:"j F Y" }} to {{ row.gap.ends|date:"j F Y" }})</td>
        </tr>
        {% else %}
        {% with entry=row.entry %}
        <tr class="govuk-table__row">
          <td class="govuk-table__cell">{% if entry.date_is_approximate %}About {% endif %}{{ entry.occurred_on|date:"j M Y" }}{% if entry.occurred_at %} {{ entry.occurred_at|time:"H:i" }}{% endif %}
            {% if entry.date_is_approximate %}<br><strong class="govuk-tag govuk-tag--yellow">Approximate date</strong>{% endif %}
            {% if row.multi %}<br><strong class="govuk-tag govuk-tag--orange">Multi-agency day</strong>{% endif %}</td>
          <td class="govuk-table__cell">{{ entry.agency.name }}</td>
          <td class="govuk-table__cell">{{ row.people|join:", "|default:"–" }}</td>
          <td class="govuk-table__cell">{{ entry.event|linebreaksbr }}</td>
          <td class="govuk-table__cell">{{ entry.source_record }}{% if entry.source_record and entry.practitioner_role %}<br>{% endif %}{{ entry.practitioner_role }}</td>
          <td class="govuk-table__cell">{% if entry.significance == "key" %}<strong class="govuk-tag govuk-tag--red">Key event</strong>{% elif entry.significance == "significant" %}<strong class="govuk-tag govuk-tag--blue">Significant</strong>{% else %}Routine{% endif %}</td>
        </tr>
        {% endwith %}
        {% endif %}
        {% endfor %}
      </tbody>"""  # noqa: E501
NOW = '      <tbody class="govuk-table__body">\n        {{ rows_html }}\n      </tbody>'


def _entry(pk, **values) -> ChronologyEntry:
    fields = {
        "occurred_on": datetime.date(2024, 3, 9),
        "occurred_at": None,
        "date_is_approximate": False,
        "event": "Seen at home",
        "source_record": "",
        "practitioner_role": "",
        "significance": "routine",
        "agency": Agency(pk=4, name="Police & <Crime>", slug="police"),
    }
    fields.update(values)
    return ChronologyEntry(pk=pk, **fields)


def _rows() -> list[dict]:
    return [
        {"gap": Gap(after=datetime.date(2024, 1, 2), before=datetime.date(2024, 3, 9))},
        {"entry": _entry(1), "people": [], "multi": False},
        {
            "entry": _entry(
                2,
                occurred_at=datetime.time(9, 5),
                date_is_approximate=True,
                event=NASTY + "\nline two\r\nline three",
                source_record=NASTY,
                practitioner_role="Nurse & <b>",
                significance="key",
            ),
            "people": [NASTY, "Child A (proposed, awaiting confirmation)"],
            "multi": True,
        },
        {
            "entry": _entry(3, occurred_at=datetime.time(0, 0), practitioner_role="Role"),
            "people": ["A person awaiting confirmation"],
            "multi": False,
        },
        {
            "entry": _entry(4, source_record="GP notes", significance="significant"),
            "people": ["B"],
            "multi": True,
        },
        {"gap": Gap(after=datetime.date(2024, 3, 9), before=datetime.date(2024, 12, 25))},
        {"gap": Gap(after=datetime.date(2024, 12, 25), before=datetime.date(2025, 2, 1))},
        {"entry": _entry(5, date_is_approximate=True), "people": [], "multi": False},
    ]


def test_chronology_rows_are_what_the_loop_wrote():
    engine = engines["django"]
    for rows in (_rows(), _rows()[:1], _rows()[1:2], []):
        before = engine.from_string(LOOP).render({"rows": rows})
        after = engine.from_string(NOW).render({"rows_html": chronology_rows_html(rows)})
        assert after == before


REVIEWS_LOOP = """  <tbody class="govuk-table__body">
  {% for review in reviews %}
  <tr class="govuk-table__row">
    <td class="govuk-table__cell" data-label="Review"><a class="govuk-link" href="{% url 'reviews:detail' partnership.slug review.pk %}">{{ review.reference }} {{ review.title }}</a></td>
    <td class="govuk-table__cell" data-label="Kind">{{ review.get_kind_display }}</td>
    <td class="govuk-table__cell" data-label="Case">{{ review.case.reference }}</td>
    <td class="govuk-table__cell" data-label="Stage"><strong class="govuk-tag {% if review.stage == 'signed_off' %}govuk-tag--green{% else %}govuk-tag--blue{% endif %}">{{ review.get_stage_display }}</strong></td>
    <td class="govuk-table__cell" data-label="Started">{{ review.started_on|date:"j F Y" }}</td>
  </tr>
  {% endfor %}
  </tbody>"""  # noqa: E501
REVIEWS_NOW = '  <tbody class="govuk-table__body">\n  {{ rows }}\n  </tbody>'


def test_review_rows_are_what_the_loop_wrote():
    partnership = Partnership(pk=7, slug="north-south", name="North")
    case = Case(pk=3, reference="CASE-<1>&", pseudonym="Child A")
    reviews = [
        Review(
            pk=pk,
            reference=f"CSPR-2026-00{pk}",
            title=NASTY if pk == 1 else "",
            kind=kind,
            stage=stage,
            started_on=datetime.date(2026, pk, 28),
            case=case,
        )
        for pk, kind, stage in [
            (1, "lcspr", "signed_off"),
            (2, "rapid_review", "commissioning"),
            (3, "sar", "drafting"),
        ]
    ]
    engine = engines["django"]
    for rows in (reviews, reviews[:1], []):
        before = engine.from_string(REVIEWS_LOOP).render(
            {"reviews": rows, "partnership": partnership}
        )
        after = engine.from_string(REVIEWS_NOW).render(
            {"rows": review_rows_html(rows, partnership.slug)}
        )
        assert after == before
