"""The themes page's rows written in Python (``actions.rows.theme_rows_html``, ADR 0034) give
the characters the template loop they replaced gave, on names with markup, quotes and
ampersands, with and without the partnership's mark, and for an empty facet (issue 16)."""

from django.template import engines

from safeguarding.actions.models import Theme
from safeguarding.actions.rows import theme_rows_html

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
