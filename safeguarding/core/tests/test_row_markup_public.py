"""The public pages' lists written in Python (``publication/rows.py``, ``public_site/rows.py``,
``library/rows.py``; ADR 0034, issue 16) give the characters the template loops they replaced
gave: each loop is kept here as it was, and both are rendered on values holding markup, quotes
and ampersands, with and without their optional parts."""

import datetime

import pytest
from django.template import engines
from django.utils.safestring import mark_safe

from safeguarding.accounts.models import Partnership
from safeguarding.core.links import row_link
from safeguarding.digests.models import DigestIssue
from safeguarding.digests.rows import published_issue_rows_html
from safeguarding.library.models import LibraryRecord
from safeguarding.library.rows import result_rows_html
from safeguarding.public_site.models import ContentBlock, PublicDocument
from safeguarding.public_site.rows import (
    document_rows_html,
    managed_document_rows_html,
    national_review_rows_html,
    newest_document_rows_html,
    partnership_rows_html,
    section_rows_html,
)
from safeguarding.public_site.selectors import ListedDocument
from safeguarding.publication.models import NationalReview, Publication
from safeguarding.publication.rows import archive_rows_html, published_rows_html

from .test_row_markup import NASTY, PARTNERSHIP


def _same(loop: str, now: str, context: dict, rows, name: str = "rows") -> str:
    engine = engines["django"]
    before = engine.from_string(loop).render(context)
    after = engine.from_string(now).render({**context, name: rows})
    assert after == before
    return after


ARCHIVE_LOOP = """    <ul class="govuk-list govuk-list--spaced">
      {% for item in items %}
      <li>
        <a class="govuk-link" href="{{ item.url }}">{{ item.title }}</a><br>
        <span class="govuk-body-s">{{ item.type_label }}{% if item.publish_on %}, published {{ item.publish_on|date:"j F Y" }}{% endif %}{% if item.status == "withdrawn" %}. <strong class="govuk-tag govuk-tag--grey">Available on request</strong>{% endif %}</span>
      </li>
      {% endfor %}
    </ul>"""  # noqa: E501
ARCHIVE_NOW = '    <ul class="govuk-list govuk-list--spaced">\n      {{ rows }}\n    </ul>'


def _publications() -> list[Publication]:
    items = []
    for pk, (status, publish_on) in enumerate(
        [
            ("published", datetime.date(2019, 3, 1)),
            ("withdrawn", datetime.date(2018, 12, 31)),
            ("withdrawn", None),
        ],
        start=1,
    ):
        item = Publication(pk=pk, title=NASTY, status=status, publish_on=publish_on)
        item.type_label = "Domestic Abuse <Related> Death Review & more"
        item.url = f"/north-south/published/{pk}/?a=1&b=<2>"
        items.append(item)
    return items


def test_archive_rows():
    items = _publications()
    html = _same(ARCHIVE_LOOP, ARCHIVE_NOW, {"items": items}, archive_rows_html(items))
    assert "Available on request" in html and "<script>" not in html and "1 March 2019" in html
    assert _same(ARCHIVE_LOOP, ARCHIVE_NOW, {"items": []}, archive_rows_html([]))


PUBLISHED_LOOP = """      <ul class="govuk-list govuk-list--spaced">
        {% for item in section.items %}
        <li><a class="govuk-link" href="{{ item.url }}">{{ item.title }}</a>
          <span class="govuk-body-s">(published {{ item.publish_on|date:"j F Y" }})</span></li>
        {% endfor %}
      </ul>"""
PUBLISHED_NOW = '      <ul class="govuk-list govuk-list--spaced">\n        {{ rows }}\n      </ul>'


def test_published_rows():
    link = row_link("published:detail", PARTNERSHIP.slug)
    items = [it for it in _publications() if it.publish_on]
    for item in items:
        item.url = link(item.pk)
    section = {"items": items}
    html = _same(
        PUBLISHED_LOOP, PUBLISHED_NOW, {"section": section}, published_rows_html(items, link)
    )
    assert "31 December 2018" in html and "<script>" not in html


DOCUMENTS_LOOP = """    <ul class="govuk-list govuk-list--spaced">
      {% for doc in documents %}
      <li><a class="govuk-link" href="{{ doc.url }}">{{ doc.title }}</a>
        <span class="govuk-body-s">({{ doc.get_category_display }}; {{ doc.kind.label }}, {{ doc.size_bytes|filesizeformat }})</span></li>
      {% endfor %}
    </ul>"""  # noqa: E501
DOCUMENTS_NOW = '    <ul class="govuk-list govuk-list--spaced">\n      {{ rows }}\n    </ul>'
NEWEST_LOOP = """    <ul class="govuk-list">
      {% for doc in group.documents %}
      <li><a class="govuk-link" href="{{ doc.url }}">{{ doc.title }}</a>
        <span class="govuk-body-s">({{ doc.kind.label }}, {{ doc.size_bytes|filesizeformat }})</span></li>
      {% endfor %}
    </ul>"""  # noqa: E501
NEWEST_NOW = '    <ul class="govuk-list">\n      {{ rows }}\n    </ul>'


def _documents() -> list[PublicDocument]:
    link = row_link("public_site:document_download", PARTNERSHIP.slug)
    documents = []
    for pk, (category, kind, size) in enumerate(
        [
            ("procedure", "pdf", 0),
            ("referral_form", "docx", 1),
            ("leaflet", "odt", 1023),
            ("other", "pdf", 1024 * 1024 + 5),
            ("procedure", "xlsx", 3 * 1024**3),
        ],
        start=1,
    ):
        document = PublicDocument(
            pk=pk, title=NASTY, category=category, file_kind=kind, size_bytes=size
        )
        document.url = link(pk)
        documents.append(document)
    return documents


def test_document_rows():
    documents = _documents()
    link = row_link("public_site:document_download", PARTNERSHIP.slug)
    html = _same(
        DOCUMENTS_LOOP, DOCUMENTS_NOW, {"documents": documents}, document_rows_html(documents, link)
    )
    assert "Leaflets for families" in html and "<script>" not in html and "1.0\xa0MB" in html
    group = {"documents": documents}
    html = _same(
        NEWEST_LOOP, NEWEST_NOW, {"group": group}, newest_document_rows_html(documents, link)
    )
    assert "3.0\xa0GB" in html and "Procedures" not in html


MANAGED_LOOP = """  <tbody class="govuk-table__body">
  {% for doc in documents %}
  <tr class="govuk-table__row">
    <td class="govuk-table__cell">{{ doc.title }}</td>
    <td class="govuk-table__cell">{{ doc.get_category_display }}</td>
    <td class="govuk-table__cell">{{ doc.kind.label }}, {{ doc.size_bytes|filesizeformat }}</td>
    <td class="govuk-table__cell"><a class="govuk-link" href="{% url 'public_page:document_archive' partnership.slug doc.pk %}">Take down<span class="govuk-visually-hidden"> {{ doc.title }}</span></a></td>
  </tr>
  {% endfor %}
  </tbody>"""  # noqa: E501
MANAGED_NOW = '  <tbody class="govuk-table__body">\n  {{ rows }}\n  </tbody>'


def test_managed_document_rows():
    """The staff page of the public page: its documents table (issue 16)."""
    documents = _documents()
    context = {"documents": documents, "partnership": PARTNERSHIP}
    rows = managed_document_rows_html(documents, slug=PARTNERSHIP.slug)
    html = _same(MANAGED_LOOP, MANAGED_NOW, context, rows)
    assert "Take down" in html and "<script>" not in html and "3.0\xa0GB" in html
    empty = managed_document_rows_html([], slug=PARTNERSHIP.slug)
    assert _same(MANAGED_LOOP, MANAGED_NOW, {**context, "documents": []}, empty)


SECTIONS_LOOP = """    <h1 class="govuk-heading-xl">Reviews</h1>
    {% for block in blocks %}
    <section aria-labelledby="section-{{ block.pk }}">
      <h2 class="govuk-heading-m" id="section-{{ block.pk }}">{{ block.heading }}</h2>
      {{ block.body|govuk_text }}
    </section>
    {% empty %}
    <p class="govuk-body">None yet.</p>
    {% endfor %}

    <section aria-labelledby="published-reviews">"""
SECTIONS_NOW = """    <h1 class="govuk-heading-xl">Reviews</h1>
    {% if sections %}{{ sections }}{% else %}
    <p class="govuk-body">None yet.</p>
    {% endif %}

    <section aria-labelledby="published-reviews">"""


@pytest.mark.parametrize("count", [0, 1, 3])
def test_section_rows(count):
    bodies = [f"First line {NASTY}\nsecond line\n\n- one & two\n- <three>", "", "Just one."]
    blocks = [ContentBlock(pk=pk * 1000 + 1, heading=NASTY, body=bodies[pk]) for pk in range(count)]
    sections = [(block.pk, block.heading, block.body) for block in blocks]
    html = _same(
        SECTIONS_LOOP, SECTIONS_NOW, {"blocks": blocks}, section_rows_html(sections), "sections"
    )
    assert ("None yet." in html) is (count == 0)
    assert "<script>" not in html


RESULTS_LOOP = """      <ol class="govuk-list app-library-results" start="{{ first_shown }}" aria-labelledby="results-heading">
        {% for record in records %}
        <li class="govuk-!-margin-bottom-6">
          <h3 class="govuk-heading-s govuk-!-margin-bottom-1"><a class="govuk-link" href="{% url record_url partnership.slug record.pk %}">{{ record.title }}</a></h3>
          <p class="govuk-body-s govuk-!-margin-bottom-1">{{ record.get_review_type_display }} · {{ record.publisher }} · {{ record.year|default:"Year not known" }}{% if show_visibility and not record.is_public %} · <strong class="govuk-tag govuk-tag--grey">Staff only</strong>{% endif %}</p>
          {% if record.snippet %}<p class="govuk-body app-library-snippet">{{ record.snippet }}</p>{% endif %}
          {% if record.grouped %}<p class="govuk-body-s">{{ record.grouped }} near-identical record{{ record.grouped|pluralize }} grouped with this one and not listed separately.</p>{% endif %}
        </li>
        {% endfor %}
      </ol>"""  # noqa: E501
RESULTS_NOW = """      <ol class="govuk-list app-library-results" start="{{ first_shown }}" aria-labelledby="results-heading">
        {{ rows }}
      </ol>"""  # noqa: E501


def _records(searched: bool) -> list[LibraryRecord]:
    records = []
    for pk, (year, public, grouped) in enumerate(
        [(2024, True, 0), (None, False, 1), (1999, True, 2), (0, False, 0)], start=1
    ):
        record = LibraryRecord(
            pk=pk,
            title=NASTY,
            review_type=["cspr", "sar", "dhr", "odd<"][pk - 1],
            publisher="Council & <Partners>",
            year=year,
            is_public=public,
        )
        if searched:  # the search's snippet is escaped already, with its marks
            record.snippet = mark_safe("a <mark>match</mark> &amp; more") if pk != 2 else ""
            record.grouped = grouped
        else:  # browsing: the summary's first words, plain text
            record.snippet = NASTY if pk != 4 else ""
        records.append(record)
    return records


@pytest.mark.parametrize("searched", [True, False])
@pytest.mark.parametrize(
    ("record_url", "show_visibility"), [("library_public:record", False), ("library:record", True)]
)
def test_result_rows(searched, record_url, show_visibility):
    records = _records(searched)
    context = {
        "records": records,
        "first_shown": 21,
        "record_url": record_url,
        "partnership": PARTNERSHIP,
        "show_visibility": show_visibility,
    }
    rows = result_rows_html(
        records, record_url=record_url, partnership=PARTNERSHIP, show_visibility=show_visibility
    )
    html = _same(RESULTS_LOOP, RESULTS_NOW, context, rows)
    assert "<script>" not in html and "Year not known" in html
    assert ("Staff only" in html) is show_visibility
    assert ("<mark>match</mark>" in html) is searched
    if searched:
        assert "1 near-identical record grouped" in html and "2 near-identical records" in html


def test_newest_document_rows_of_listed_documents():
    """The Reviews page lists its newest documents as ``ListedDocument`` (no model made): the
    same characters as the loop over the models."""
    documents = _documents()
    link = row_link("public_site:document_download", PARTNERSHIP.slug)
    listed = [ListedDocument(d.pk, d.title, d.file_kind, d.size_bytes) for d in documents]
    _same(
        NEWEST_LOOP,
        NEWEST_NOW,
        {"group": {"documents": documents}},
        newest_document_rows_html(listed, link),
    )


NATIONAL_LOOP = """    <ul class="govuk-list">
      {% for review in national_reviews %}
      <li><a class="govuk-link" href="{{ review.url }}" rel="noreferrer noopener">{{ review.title }}</a>
        <span class="govuk-body-s">(published {{ review.published_on|date:"j F Y" }})</span>{% if review.summary %}<br><span class="govuk-body-s">{{ review.summary }}</span>{% endif %}</li>
      {% endfor %}
    </ul>"""  # noqa: E501
NATIONAL_NOW = '    <ul class="govuk-list">\n      {{ rows }}\n    </ul>'


def test_national_review_rows():
    reviews = [
        NationalReview(
            pk=pk,
            title=NASTY,
            url=f"https://example.org/{pk}?a=1&b=<2>",
            published_on=published_on,
            summary=summary,
        )
        for pk, (published_on, summary) in enumerate(
            [(datetime.date(2024, 5, 1), NASTY), (None, ""), (datetime.date(2019, 1, 31), "x")],
            start=1,
        )
    ]
    html = _same(
        NATIONAL_LOOP,
        NATIONAL_NOW,
        {"national_reviews": reviews},
        national_review_rows_html(reviews),
    )
    assert "1 May 2024" in html and "<script>" not in html
    _same(NATIONAL_LOOP, NATIONAL_NOW, {"national_reviews": []}, national_review_rows_html([]))


PARTNERSHIPS_LOOP = """<ul class="govuk-list">
  {% for p in partnerships %}
  <li><a class="govuk-link govuk-!-font-weight-bold" href="{% url 'public_site:reviews' p.slug %}">{{ p.name }}</a><br><span class="govuk-body-s">{{ p.get_kind_display }} for {{ p.area_name }}</span></li>
  {% endfor %}
</ul>"""  # noqa: E501
PARTNERSHIPS_NOW = '<ul class="govuk-list">\n  {{ rows }}\n</ul>'


def test_partnership_rows():
    partnerships = [
        Partnership(pk=pk, slug=f"north-{pk}", name=NASTY, kind=kind, area_name=NASTY)
        for pk, kind in enumerate([k.value for k in Partnership.Kind] + ["odd<"], start=1)
    ]
    labels = dict(Partnership.Kind.choices)
    rows = [(p.slug, p.name, labels.get(p.kind, p.kind), p.area_name) for p in partnerships]
    html = _same(
        PARTNERSHIPS_LOOP,
        PARTNERSHIPS_NOW,
        {"partnerships": partnerships},
        partnership_rows_html(rows),
    )
    assert "/north-1/reviews/" in html and "<script>" not in html


ISSUES_LOOP = """  <ul class="govuk-list govuk-list--spaced">
    {% for issue in issues %}
    <li><a class="govuk-link" href="{% url 'digests_public:issue' partnership.slug issue.number %}">Issue {{ issue.number }}: {{ issue.title }}</a><br>
      <span class="govuk-body-s">Covers {{ issue.period_start|date:"j F Y" }} to {{ issue.period_end|date:"j F Y" }}. Published {{ issue.published_at|date:"j F Y" }}.</span></li>
    {% endfor %}
  </ul>"""  # noqa: E501
ISSUES_NOW = '  <ul class="govuk-list govuk-list--spaced">\n    {{ rows }}\n  </ul>'


def test_published_issue_rows():
    moment = datetime.datetime(2026, 3, 31, 23, 30, tzinfo=datetime.UTC)  # 1 April in London
    issues = [
        DigestIssue(
            pk=pk,
            number=number,
            title=NASTY,
            period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(2025, 3, 31),
            published_at=moment,
        )
        for pk, number in [(1, 12), (2, 1001)]
    ]
    html = _same(
        ISSUES_LOOP,
        ISSUES_NOW,
        {"issues": issues, "partnership": PARTNERSHIP},
        published_issue_rows_html(issues, partnership=PARTNERSHIP),
    )
    assert "Issue 12:" in html and "1 April 2026" in html and "<script>" not in html
