"""The report pages' rows written in Python (``reports/rows.py``, ADR 0034) escape every value."""

import datetime
from types import SimpleNamespace as NS

from safeguarding.reports.rows import annual_rows_html, figure_rows_html

BAD = "<script>alert('x')</script> & \"q\""


def test_annual_rows_escape_every_value_and_link_the_action():
    review = NS(reference="R<1>", title=BAD)
    action = NS(
        pk=7,
        reference="A&1",
        recommendation=NS(review=review),
        agency=NS(name=BAD),
        decided_on=datetime.date(2026, 5, 4),
        not_implemented_reason=BAD,
    )
    figures = NS(
        reviews_signed_off=[], reviews_ongoing=[], not_implemented=[action], impact_recorded=[]
    )
    html = annual_rows_html(figures, "riverton")["not_implemented"]
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;q&quot;" in html
    assert '<a class="govuk-link" href="/manage/riverton/actions/7/">A&amp;1</a>' in html
    assert "4 May 2026" in html and "R&lt;1&gt;" in html


def test_figure_rows_escape_the_label_and_leave_zero_unlinked():
    figures = [NS(label=BAD, value=3, key="k"), NS(label="None yet", value=0, key="z")]
    html = figure_rows_html(figures, lambda figure, absolute: f"/f/{figure.key}?a=1&b=2")
    assert "<script>" not in html
    assert (
        'href="/f/k?a=1&amp;b=2">3<span class="govuk-visually-hidden"> records: &lt;script&gt;'
        in html
    )
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">0</td>' in html
