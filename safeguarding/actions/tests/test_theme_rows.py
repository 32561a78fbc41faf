"""The themes page's rows and the tracker's rows by agency written in Python (``actions.rows``,
ADR 0034) give the characters the template loops they replaced gave, on names with markup,
quotes and ampersands, with and without the partnership's mark, and for an empty facet (issue
16)."""

from django.template import engines

from safeguarding.accounts.models import Partnership
from safeguarding.actions.models import Theme
from safeguarding.actions.rows import agency_count_rows_html, theme_rows_html

NASTY = "<script>alert('x')</script> & \"quoted\" O'Neill"

# The loop as it was in actions/plan/themes.html, with the lines around it.
THEMES_LOOP = """  <tbody class="govuk-table__body">
  {% for theme in group.themes %}
  <tr class="govuk-table__row">
    <td class="govuk-table__cell">{{ theme.name }}{% if theme.partnership_id %} <strong class="govuk-tag govuk-tag--blue">Added by the partnership</strong>{% endif %}</td>
    <td class="govuk-table__cell govuk-table__cell--numeric">{{ theme.finding_count }}</td>
  </tr>
  {% empty %}
  <tr class="govuk-table__row"><td class="govuk-table__cell" colspan="2">No themes in this group yet.</td></tr>
  {% endfor %}
  </tbody>"""  # noqa: E501
THEMES_NOW = """  <tbody class="govuk-table__body">
  {% if group.themes %}{{ group.rows }}{% else %}
  <tr class="govuk-table__row"><td class="govuk-table__cell" colspan="2">No themes in this group yet.</td></tr>
  {% endif %}
  </tbody>"""  # noqa: E501


def _same(themes: list[Theme]) -> str:
    engine = engines["django"]
    before = engine.from_string(THEMES_LOOP).render({"group": {"themes": themes}})
    group = {"themes": themes, "rows": theme_rows_html(themes)}
    after = engine.from_string(THEMES_NOW).render({"group": group})
    assert after == before
    return after


def test_theme_rows():
    themes = []
    for pk, (name, partnership_id, count) in enumerate(
        [(NASTY, None, 0), ("Neglect", 7, 12), ("Information sharing", None, 1234)], start=1
    ):
        theme = Theme(pk=pk, name=name, partnership_id=partnership_id, facet="practice")
        theme.finding_count = count
        themes.append(theme)
    html = _same(themes)
    assert "<script>" not in html and "Added by the partnership" in html


def test_an_empty_facet():
    assert "No themes in this group yet." in _same([])


AGENCIES_LOOP = """  <tbody class="govuk-table__body">
    {% for row in by_agency %}
    <tr class="govuk-table__row">
      <td class="govuk-table__cell" data-label="Agency"><a class="govuk-link" href="{% url 'actions:agency' partnership.slug row.agency__slug %}">{{ row.agency__name }}</a></td>
      <td class="govuk-table__cell govuk-table__cell--numeric" data-label="Actions">{{ row.all }}</td>
      <td class="govuk-table__cell govuk-table__cell--numeric" data-label="Open">{{ row.open }}</td>
      <td class="govuk-table__cell govuk-table__cell--numeric" data-label="Overdue">{{ row.overdue }}</td>
    </tr>
    {% endfor %}
  </tbody>"""  # noqa: E501
AGENCIES_NOW = '  <tbody class="govuk-table__body">\n    {{ agency_rows }}\n  </tbody>'


def test_the_trackers_rows_by_agency():
    """``agency_count_rows_html`` against the tracker's loop it replaced."""
    partnership = Partnership(pk=7, slug="north-south", name="North")
    by_agency = [
        {"agency__slug": "police", "agency__name": NASTY, "all": 1234, "open": 0, "overdue": 5},
        {"agency__slug": "gp-2", "agency__name": "GP & Co", "all": 1, "open": 1, "overdue": 0},
    ]
    engine = engines["django"]
    context = {"by_agency": by_agency, "partnership": partnership}
    before = engine.from_string(AGENCIES_LOOP).render(context)
    rows = agency_count_rows_html(by_agency, partnership=partnership)
    after = engine.from_string(AGENCIES_NOW).render({"agency_rows": rows})
    assert after == before
    assert "<script>" not in after and "/agencies/police/" in after
