"""Three more lists' rows written in Python (issue 16, ADR 0034): the cases shared with a
partnership, the publications of reviews shared with it and a person's notifications. Each
function against the template loop it replaced, on values holding markup, with and without the
optional parts."""

import datetime

from django.template import engines
from django.utils import timezone

from safeguarding.accounts.models import Partnership
from safeguarding.notifications.models import Notification
from safeguarding.notifications.rows import notification_rows_html
from safeguarding.publication.models import Publication
from safeguarding.publication.rows import shared_publication_rows_html
from safeguarding.referrals.models import Case, CaseShare
from safeguarding.referrals.rows import share_rows_html

NASTY = "<script>alert('x')</script> & \"quoted\" O'Neill"
PARTNERSHIP = Partnership(pk=7, slug="north-south", name="North")
OTHER = Partnership(pk=8, slug="east", name=NASTY)


def _same(loop: str, now: str, context: dict, rows) -> str:
    engine = engines["django"]
    before = engine.from_string(loop).render(context)
    after = engine.from_string(now).render({"rows": rows})
    assert after == before
    return after


SHARES_LOOP = """  <tbody class="govuk-table__body">
  {% for share in shares %}
  <tr class="govuk-table__row">
    <td class="govuk-table__cell" data-label="Case">{% if share.state == "accepted" %}<a class="govuk-link" href="{% url 'referrals:case' partnership.slug share.case.pk %}">{{ share.case.pseudonym }} ({{ share.case.reference }})</a>{% elif can_answer %}<a class="govuk-link" href="{% url 'referrals:share_answer' partnership.slug share.pk %}">{{ share.case.pseudonym }} ({{ share.case.reference }})</a>{% else %}{{ share.case.pseudonym }} ({{ share.case.reference }}){% endif %}</td>
    <td class="govuk-table__cell" data-label="From">{{ share.case.partnership.name }}</td>
    <td class="govuk-table__cell" data-label="Your role">{{ share.get_role_display }}{% if share.decides_review_type %}; decides the {{ share.get_decides_review_type_display }}{% endif %}</td>
    <td class="govuk-table__cell" data-label="Status">{% if share.state == "invited" %}<strong class="govuk-tag govuk-tag--orange">Waiting for your answer</strong>{% else %}<strong class="govuk-tag govuk-tag--green">Accepted</strong>{% endif %}</td>
  </tr>
  {% endfor %}
  </tbody>"""  # noqa: E501
SHARES_NOW = '  <tbody class="govuk-table__body">\n  {{ rows }}\n  </tbody>'


def test_share_rows():
    shares = []
    for pk, (state, role, decides) in enumerate(
        [
            ("invited", CaseShare.Role.choices[0][0], ""),
            ("accepted", CaseShare.Role.choices[-1][0], "cspr"),
            ("invited", CaseShare.Role.choices[-1][0], "sar"),
            ("accepted", CaseShare.Role.choices[0][0], ""),
        ],
        start=1,
    ):
        case = Case(pk=pk * 100, reference=f"C-{pk} & <b>", pseudonym=NASTY, partnership=OTHER)
        shares.append(
            CaseShare(pk=pk * 1000, case=case, state=state, role=role, decides_review_type=decides)
        )
    for can_answer in (True, False):
        context = {"shares": shares, "partnership": PARTNERSHIP, "can_answer": can_answer}
        rows = share_rows_html(shares, partnership=PARTNERSHIP, can_answer=can_answer)
        html = _same(SHARES_LOOP, SHARES_NOW, context, rows)
        assert "<script>" not in html and "decides the" in html
    empty = {"shares": [], "partnership": PARTNERSHIP, "can_answer": True}
    assert _same(SHARES_LOOP, SHARES_NOW, empty, "")


SHARED_PUBLICATIONS_LOOP = """  <tbody class="govuk-table__body">
  {% for publication in shared %}
    <tr class="govuk-table__row">
      <td class="govuk-table__cell" data-label="Title"><a class="govuk-link" href="{% url 'publication:partner_sign_off' partnership.slug publication.pk %}">{{ publication.title }}</a></td>
      <td class="govuk-table__cell" data-label="Held by">{{ publication.partnership.name }}</td>
      <td class="govuk-table__cell" data-label="Your sign-off">{% if publication.signed_off %}<strong class="govuk-tag govuk-tag--green">Signed off</strong>{% else %}<strong class="govuk-tag govuk-tag--red">Not signed off</strong>{% endif %}</td>
    </tr>
  {% endfor %}
  </tbody>"""  # noqa: E501


def test_shared_publication_rows():
    publications = []
    for pk in range(1, 4):
        publication = Publication(pk=pk * 1000, title=NASTY, partnership=OTHER)
        publication.signed_off = pk % 2 == 0
        publications.append(publication)
    context = {"shared": publications, "partnership": PARTNERSHIP}
    rows = shared_publication_rows_html(publications, PARTNERSHIP.slug)
    html = _same(SHARED_PUBLICATIONS_LOOP, SHARES_NOW, context, rows)
    assert "Not signed off" in html and ">Signed off<" in html and "<script>" not in html
    empty = {"shared": [], "partnership": PARTNERSHIP}
    assert _same(SHARED_PUBLICATIONS_LOOP, SHARES_NOW, empty, "")


NOTIFICATIONS_LOOP = """{% for notification in page %}
<div class="govuk-!-margin-bottom-2">
  <h2 class="govuk-heading-s govuk-!-margin-bottom-1">
    <a class="govuk-link" href="{% url 'notifications:detail' notification.pk %}">{{ notification.subject }}</a>
    {% if not notification.read_at %}<strong class="govuk-tag govuk-tag--blue">Unread</strong>{% endif %}
  </h2>
  <p class="govuk-body-s govuk-!-margin-bottom-0">{{ notification.partnership.name }}, {{ notification.created_at|date:"j F Y \\a\\t H:i" }}</p>
</div>
<hr class="govuk-section-break govuk-section-break--m govuk-section-break--visible">
{% empty %}
<p class="govuk-body">You have no notifications yet.</p>
{% endfor %}"""  # noqa: E501
NOTIFICATIONS_NOW = """{% if rows %}{{ rows }}{% else %}
<p class="govuk-body">You have no notifications yet.</p>
{% endif %}"""


def test_notification_rows():
    utc = datetime.UTC
    moments = [
        datetime.datetime(2026, 11, 20, 9, 5, tzinfo=utc),
        datetime.datetime(2026, 7, 1, 23, 30, tzinfo=utc),  # BST: the next day, 00:30
        datetime.datetime(2026, 1, 31, 23, 59, tzinfo=utc),
    ]
    notifications = [
        Notification(
            pk=pk * 10,
            subject=NASTY,
            partnership=OTHER if pk % 2 else PARTNERSHIP,
            created_at=moment,
            read_at=moment if pk == 2 else None,
        )
        for pk, moment in enumerate(moments, start=1)
    ]
    with timezone.override("Europe/London"):
        html = _same(
            NOTIFICATIONS_LOOP,
            NOTIFICATIONS_NOW,
            {"page": notifications},
            notification_rows_html(notifications),
        )
    assert "2 July 2026 at 00:30" in html and html.count("Unread") == 2
    assert "<script>" not in html
    assert _same(NOTIFICATIONS_LOOP, NOTIFICATIONS_NOW, {"page": []}, "")
