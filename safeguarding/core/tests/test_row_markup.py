"""The rows written in Python (``<app>/rows.py``, ADR 0034) give the characters the template
loops they replaced gave: each loop is kept here as it was, and both are rendered on rows whose
values hold markup, quotes and ampersands, with and without their optional parts (issue 16)."""

import datetime

import pytest
from django.template import engines
from django.utils import timezone
from django.utils.safestring import mark_safe

from safeguarding.accounts.models import Agency, Deactivation, Membership, Partnership, User
from safeguarding.accounts.people.rows import people_rows_html
from safeguarding.accounts.people.selectors import PersonRow
from safeguarding.actions.models import Action, Recommendation, Theme
from safeguarding.actions.plan_selectors import status_tag as action_tag
from safeguarding.actions.rows import (
    finding_cards_html,
    recommendation_sections_html,
    tracker_rows_html,
    with_plan_action_rows,
)
from safeguarding.actions.tracker_selectors import TrackerRow
from safeguarding.clock.models import Milestone, MilestoneRule
from safeguarding.core import row_markup
from safeguarding.digests.models import DigestIssue
from safeguarding.digests.rows import issue_rows_html
from safeguarding.publication.models import Publication
from safeguarding.publication.rows import publication_rows_html
from safeguarding.referrals.models import Case, Referral, Track
from safeguarding.referrals.rows import triage_rows_html
from safeguarding.reports.models import YearlyReport
from safeguarding.reports.rows import yearly_rows_html
from safeguarding.reviews.models import Finding, Review
from safeguarding.workspace.rows import case_rows_html

NASTY = "<script>alert('x')</script> & \"quoted\" O'Neill"
PARTNERSHIP = Partnership(pk=7, slug="north-south", name="North")

# The loops as they were in the templates (with the lines around them), before ADR 0034.
TRACKER_LOOP = """  <tbody class="govuk-table__body">
    {% for action in page.object_list %}
    <tr class="govuk-table__row">
      <td class="govuk-table__cell" data-label="Action"><a class="govuk-link" href="{% url 'actions:action' partnership.slug action.pk %}">Action {{ action.recommendation.number }}.{{ action.number }}<span class="govuk-visually-hidden"> of {{ action.recommendation.review.reference }}</span></a><br>{{ action.text|truncatewords:25 }}<br><span class="govuk-body-s">{{ action.recommendation.review.reference }} {{ action.recommendation.review.title }}</span></td>
      <td class="govuk-table__cell" data-label="Owner agency">{{ action.agency.name }}</td>
      <td class="govuk-table__cell" data-label="Lead">{{ action.lead_name }}</td>
      <td class="govuk-table__cell" data-label="Target date">{{ action.target_date|date:"j F Y" }}</td>
      <td class="govuk-table__cell" data-label="Status"><strong class="govuk-tag {{ action.tag.colour }}">{{ action.tag.label }}</strong></td>
    </tr>
    {% endfor %}
  </tbody>"""  # noqa: E501
TRACKER_NOW = '  <tbody class="govuk-table__body">\n    {{ rows }}\n  </tbody>'

TRIAGE_LOOP = """      <tbody class="govuk-table__body">
        {% for referral in page.object_list %}
        <tr class="govuk-table__row">
          <td class="govuk-table__cell" data-label="Reference"><a class="govuk-link" href="{% url 'referrals:detail' partnership.slug referral.pk %}">{{ referral.reference }}</a></td>
          <td class="govuk-table__cell" data-label="Review type">{{ referral.get_review_type_display }}</td>
          <td class="govuk-table__cell" data-label="Age group">{{ referral.get_age_group_display }}</td>
          <td class="govuk-table__cell" data-label="Received">{{ referral.received_on|date:"j F Y" }}</td>
          <td class="govuk-table__cell" data-label="Status">{% include "referrals/staff/_status_tag.html" with status=referral.status label=referral.get_status_display %}</td>
          <td class="govuk-table__cell" data-label="Case">{% if referral.case %}<a class="govuk-link" href="{% url 'referrals:case' partnership.slug referral.case.pk %}">{{ referral.case.reference }}<span class="govuk-visually-hidden"> ({{ referral.case.pseudonym }})</span></a>{% else %}Not yet{% endif %}</td>
        </tr>
        {% endfor %}
      </tbody>"""  # noqa: E501
CASES_LOOP = """      <tbody class="govuk-table__body">
        {% for case in page.object_list %}
        <tr class="govuk-table__row">
          <td class="govuk-table__cell" data-label="Case">{% if sees_cases %}<a class="govuk-link" href="{% url 'referrals:case' partnership.slug case.pk %}">{{ case.reference }}</a>{% else %}{{ case.reference }}{% endif %}<br>{{ case.pseudonym }}{% for track in case.tracks.all %}{% if forloop.first %}<br><span class="govuk-body-s">{% endif %}{{ track.get_review_type_display }}{% if not forloop.last %}, {% else %}</span>{% endif %}{% endfor %}</td>
          <td class="govuk-table__cell" data-label="Status">{% include "referrals/staff/_status_tag.html" with status=case.status label=case.get_status_display %}</td>
          <td class="govuk-table__cell" data-label="Reviews">{% for review in case.visible_reviews %}{% if forloop.first %}<ul class="govuk-list">{% endif %}<li><a class="govuk-link" href="{% url 'reviews:detail' partnership.slug review.pk %}">{{ review.reference }}</a> {{ review.get_kind_display }}: {{ review.get_stage_display|lower }}</li>{% if forloop.last %}</ul>{% endif %}{% empty %}None yet{% endfor %}</td>
          <td class="govuk-table__cell" data-label="Became aware">{{ case.became_aware_on|date:"j F Y" }}</td>
        </tr>
        {% endfor %}
      </tbody>"""  # noqa: E501
# The triage and the case list: the same lines around the rows.
ROWS_NOW = '      <tbody class="govuk-table__body">\n        {{ rows }}\n      </tbody>'

ISSUES_LOOP = """  <tbody class="govuk-table__body">
  {% for issue in issues %}
    <tr class="govuk-table__row">
      <td class="govuk-table__cell govuk-table__cell--numeric">{{ issue.number }}</td>
      <td class="govuk-table__cell"><a class="govuk-link" href="{% url 'digests:issue' partnership.slug issue.pk %}">{{ issue.title }}</a></td>
      <td class="govuk-table__cell">{{ issue.period_start|date:"j F Y" }} to {{ issue.period_end|date:"j F Y" }}</td>
      <td class="govuk-table__cell govuk-table__cell--numeric">{{ issue.item_count }}</td>
      <td class="govuk-table__cell">{% if issue.status == "published" %}<strong class="govuk-tag govuk-tag--green">Published</strong><br><span class="govuk-body-s">{{ issue.published_at|date:"j F Y" }}</span>{% else %}<strong class="govuk-tag govuk-tag--yellow">Draft</strong>{% endif %}</td>
    </tr>
  {% endfor %}
  </tbody>"""  # noqa: E501
PEOPLE_LOOP = """      <tbody class="govuk-table__body">
      {% for row in rows %}
        <tr class="govuk-table__row">
          <td class="govuk-table__cell" data-label="Name"><a class="govuk-link" href="{% url 'people:person' partnership.slug row.user.pk %}">{{ row.user.full_name }}</a><br><span class="govuk-body-s govuk-!-text-break-word">{{ row.user.email }}</span></td>
          <td class="govuk-table__cell" data-label="Roles here">{% if row.memberships %}<ul class="govuk-list govuk-!-margin-bottom-0">{% for label in row.role_labels %}<li>{{ label }}</li>{% endfor %}</ul>{% else %}None{% endif %}</td>
          <td class="govuk-table__cell" data-label="Status">{% include "people/_status.html" %}</td>
        </tr>
      {% endfor %}
      </tbody>"""  # noqa: E501
PEOPLE_NOW = '      <tbody class="govuk-table__body">\n      {{ rows }}\n      </tbody>'
PLAN_FINDINGS_LOOP = """{% for finding in findings %}
<div class="govuk-summary-card" id="finding-{{ finding.number }}">
  <div class="govuk-summary-card__title-wrapper">
    <h3 class="govuk-summary-card__title">{{ finding.get_kind_display }} {{ finding.number }}: {{ finding.title }}</h3>
    {% if can_manage %}<ul class="govuk-summary-card__actions"><li class="govuk-summary-card__action"><a class="govuk-link" href="{% url 'actions:finding_themes' partnership.slug review.pk finding.pk %}">Change themes<span class="govuk-visually-hidden"> of {{ finding.get_kind_display|lower }} {{ finding.number }}</span></a></li></ul>{% endif %}
  </div>
  <div class="govuk-summary-card__content">
    {{ finding.text|govuk_text }}
    <p class="govuk-body-s">Themes: {% for theme in finding.themes.all %}<strong class="govuk-tag govuk-tag--grey">{{ theme.name }}</strong> {% empty %}none yet{% endfor %}</p>
  </div>
</div>
{% empty %}
<p class="govuk-body">No findings or learning points have been recorded for this review yet.{% if can_manage %} Add them first: each recommendation answers one or more of them.{% else %} The business unit adds them once the review is signed off.{% endif %}</p>
{% endfor %}"""  # noqa: E501
PLAN_RECOMMENDATIONS_LOOP = """{% for recommendation in recommendations %}
<section id="recommendation-{{ recommendation.number }}" aria-labelledby="recommendation-{{ recommendation.number }}-title">
<h3 class="govuk-heading-m" id="recommendation-{{ recommendation.number }}-title">Recommendation {{ recommendation.number }}</h3>
{{ recommendation.text|govuk_text }}
<dl class="govuk-summary-list">
  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Answers</dt><dd class="govuk-summary-list__value">{% for finding in recommendation.findings.all %}{{ finding.get_kind_display }} {{ finding.number }}: {{ finding.title }}{% if not forloop.last %}<br>{% endif %}{% endfor %}</dd></div>
  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Addressed to</dt><dd class="govuk-summary-list__value">{% if recommendation.to_partnership %}The partnership as a whole{% if recommendation.agencies.all %}<br>{% endif %}{% endif %}{% for agency in recommendation.agencies.all %}{{ agency.name }}{% if not forloop.last %}<br>{% endif %}{% endfor %}</dd></div>
  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Scope</dt><dd class="govuk-summary-list__value">{{ recommendation.get_scope_display }}</dd></div>
  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Expected change</dt><dd class="govuk-summary-list__value">{{ recommendation.expected_change|linebreaksbr }}</dd></div>
  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Agreed</dt><dd class="govuk-summary-list__value">{{ recommendation.agreed_on|date:"j F Y" }}</dd></div>
  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">How the partnership will know</dt><dd class="govuk-summary-list__value">{% if recommendation.impact_method %}{{ recommendation.get_impact_method_display }}: {{ recommendation.impact_plan|linebreaksbr }}{% if recommendation.impact_review_on %}<br>To check by {{ recommendation.impact_review_on|date:"j F Y" }}{% endif %}{% else %}Not planned yet{% endif %}</dd></div>
  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Impact</dt><dd class="govuk-summary-list__value">{% if recommendation.impact_judgement %}<strong class="govuk-tag {% if recommendation.impact_judgement == 'changed' %}govuk-tag--green{% elif recommendation.impact_judgement == 'partly' %}govuk-tag--yellow{% else %}govuk-tag--grey{% endif %}">{{ recommendation.get_impact_judgement_display }}</strong><br>{{ recommendation.impact_result|linebreaksbr }}{% if recommendation.impact_recorded_on %}<br>Recorded {{ recommendation.impact_recorded_on|date:"j F Y" }}{% endif %}{% else %}Not recorded yet{% endif %}</dd></div>
</dl>
{% if can_manage %}
<ul class="govuk-list">
  <li><a class="govuk-link" href="{% url 'actions:recommendation_edit' partnership.slug recommendation.pk %}">Change<span class="govuk-visually-hidden"> recommendation {{ recommendation.number }}</span></a></li>
  <li><a class="govuk-link" href="{% url 'actions:impact' partnership.slug recommendation.pk %}">Impact<span class="govuk-visually-hidden"> of recommendation {{ recommendation.number }}</span></a></li>
  <li><a class="govuk-link" href="{% url 'actions:action_add' partnership.slug recommendation.pk %}">Add an action<span class="govuk-visually-hidden"> to recommendation {{ recommendation.number }}</span></a></li>
</ul>
{% endif %}
{% if recommendation.actions.all %}
<table class="govuk-table">
  <caption class="govuk-table__caption govuk-table__caption--s">Actions for recommendation {{ recommendation.number }}</caption>
  <thead class="govuk-table__head"><tr class="govuk-table__row">
    <th scope="col" class="govuk-table__header">Ref</th>
    <th scope="col" class="govuk-table__header">Action</th>
    <th scope="col" class="govuk-table__header">Owner</th>
    <th scope="col" class="govuk-table__header">Lead</th>
    <th scope="col" class="govuk-table__header">Target date</th>
    <th scope="col" class="govuk-table__header">Status</th>
  </tr></thead>
  <tbody class="govuk-table__body">
  {{ recommendation.action_rows }}
  </tbody>
</table>
{% else %}
<p class="govuk-body">No actions yet.{% if can_manage %} Add an action: what one agency will do, who leads it and by when.{% endif %}</p>
{% endif %}
</section>
{% empty %}
<p class="govuk-body">No recommendations yet.{% if can_manage %}{% if findings %} Add a recommendation for each change the review asks for, then add the actions agencies will take.{% else %} Add the findings and learning points first.{% endif %}{% else %} The business unit adds them with the actions agencies will take.{% endif %}</p>
{% endfor %}"""  # noqa: E501
PLAN_FINDINGS_NOW = """{% if findings %}{{ finding_cards }}{% else %}
<p class="govuk-body">No findings or learning points have been recorded for this review yet.{% if can_manage %} Add them first: each recommendation answers one or more of them.{% else %} The business unit adds them once the review is signed off.{% endif %}</p>
{% endif %}"""  # noqa: E501
PLAN_RECOMMENDATIONS_NOW = """{% if recommendations %}{{ recommendation_sections }}{% else %}
<p class="govuk-body">No recommendations yet.{% if can_manage %}{% if findings %} Add a recommendation for each change the review asks for, then add the actions agencies will take.{% else %} Add the findings and learning points first.{% endif %}{% else %} The business unit adds them with the actions agencies will take.{% endif %}</p>
{% endif %}"""  # noqa: E501
MILESTONES_BEFORE = """{% comment %}
The milestones of one subject. Include with: milestones, and optionally milestone_actions (show
pause / resume / extend links: business unit only), caption, partnership (for the links).
A milestone kept by another partnership (the track a partner decides on a shared case, ADR 0022)
is read-only here and says who keeps it.
A due milestone whose date has passed shows as Overdue.
{% endcomment %}{% now "Y-m-d" as today_iso %}
<table class="govuk-table app-milestones">
  <caption class="govuk-table__caption govuk-table__caption--s">{{ caption|default:"Deadlines" }}</caption>
  <thead class="govuk-table__head"><tr class="govuk-table__row">
    <th scope="col" class="govuk-table__header">Milestone</th>
    <th scope="col" class="govuk-table__header">Guidance</th>
    <th scope="col" class="govuk-table__header">Due</th>
    <th scope="col" class="govuk-table__header">Status</th>
    {% if milestone_actions %}<th scope="col" class="govuk-table__header"><span class="govuk-visually-hidden">Actions</span></th>{% endif %}
  </tr></thead>
  <tbody class="govuk-table__body">
  {% for milestone in milestones %}
  <tr class="govuk-table__row">
    <td class="govuk-table__cell">{{ milestone.rule.name }}<br><span class="govuk-body-s">{{ milestone.offset_amount }} {{ milestone.get_offset_unit_display }} from {{ milestone.starts_on|date:"j F Y" }}</span>{% if partnership and milestone.partnership_id != partnership.pk and not milestone_actions %}<br><span class="govuk-body-s">Kept by {{ milestone.partnership.name }}</span>{% endif %}</td>
    <td class="govuk-table__cell">{{ milestone.rule.rule_id|rule_source }} <strong class="govuk-tag {% if milestone.rule.basis == 'statutory' %}govuk-tag--purple{% elif milestone.rule.basis == 'expectation' %}govuk-tag--blue{% else %}govuk-tag--grey{% endif %}">{{ milestone.rule.get_basis_display }}</strong></td>
    <td class="govuk-table__cell">{{ milestone.due_on|date:"l j F Y" }}{% if milestone.due_on != milestone.original_due_on %}<br><span class="govuk-body-s">Extended from {{ milestone.original_due_on|date:"j F Y" }}{% if milestone.extension_reason %}: {{ milestone.extension_reason }}{% endif %}</span>{% endif %}</td>
    <td class="govuk-table__cell">
      {% if milestone.status == "done" %}<strong class="govuk-tag govuk-tag--green">Done</strong>{% if milestone.done_on %} <span class="govuk-body-s">{{ milestone.done_on|date:"j F Y" }}</span>{% endif %}
      {% elif milestone.status == "paused" %}<strong class="govuk-tag govuk-tag--grey">Paused</strong>{% if milestone.paused_reason %}<br><span class="govuk-body-s">{{ milestone.paused_reason }}</span>{% endif %}
      {% elif milestone.status == "not_applicable" %}<strong class="govuk-tag govuk-tag--grey">Not applicable</strong>
      {% elif milestone.due_on|date:"Y-m-d" < today_iso %}<strong class="govuk-tag govuk-tag--red">Overdue</strong>
      {% else %}<strong class="govuk-tag govuk-tag--blue">Due</strong>{% endif %}
    </td>
    {% if milestone_actions %}
    <td class="govuk-table__cell">
      {% if milestone.partnership_id != partnership.pk %}
      <span class="govuk-body-s">Kept by {{ milestone.partnership.name }}</span>
      {% elif milestone.status == "due" %}
      <a class="govuk-link" href="{% url 'clock:pause' partnership.slug milestone.pk %}">Pause<span class="govuk-visually-hidden"> {{ milestone.rule.name }}</span></a><br>
      {% elif milestone.status == "paused" %}
      <a class="govuk-link" href="{% url 'clock:resume' partnership.slug milestone.pk %}">Resume<span class="govuk-visually-hidden"> {{ milestone.rule.name }}</span></a><br>
      {% endif %}
      {% if milestone.partnership_id == partnership.pk and milestone.status == "due" or milestone.partnership_id == partnership.pk and milestone.status == "paused" %}
      <a class="govuk-link" href="{% url 'clock:extend' partnership.slug milestone.pk %}">Extend<span class="govuk-visually-hidden"> {{ milestone.rule.name }}</span></a>
      {% endif %}
    </td>
    {% endif %}
  </tr>
  {% endfor %}
  </tbody>
</table>
"""  # noqa: E501
ISSUES_NOW = '  <tbody class="govuk-table__body">\n  {{ rows }}\n  </tbody>'


def _same(loop: str, now: str, context: dict, rows) -> str:
    engine = engines["django"]
    before = engine.from_string(loop).render(context)
    after = engine.from_string(now).render({"rows": rows})
    assert after == before
    return after


class _Page:
    def __init__(self, rows):
        self.object_list = rows


def _actions() -> list[Action]:
    today = datetime.date(2026, 12, 6)
    review = Review(pk=3, reference="SAR-2026-001 <b>", title=NASTY)
    rows = []
    for pk, (status, target, text) in enumerate(
        [
            ("not_started", datetime.date(2026, 1, 5), NASTY),
            ("on_track", datetime.date(2027, 3, 1), " ".join(["word&"] * 40)),
            ("complete", datetime.date(2026, 2, 28), ""),
            ("not_implemented", datetime.date(2025, 12, 31), "line one\nline two"),
        ],
        start=1,
    ):
        action = Action(
            pk=pk * 1000 + 7,
            number=pk,
            text=text,
            lead_name=NASTY if pk == 1 else "A. Lead",
            target_date=target,
            status=status,
            recommendation=Recommendation(pk=9, number=12, review=review),
            agency=Agency(pk=4, name="Police & <Crime>", slug="police"),
        )
        action.tag = action_tag(action, today)
        rows.append(action)
    return rows


def test_tracker_rows():
    actions = _actions()
    context = {"page": _Page(actions), "partnership": PARTNERSHIP}
    rows = [TrackerRow.of(action, datetime.date(2026, 12, 6)) for action in actions]
    assert [row.tag for row in rows] == [action.tag for action in actions]
    html = _same(
        TRACKER_LOOP, TRACKER_NOW, context, tracker_rows_html(rows, partnership=PARTNERSHIP)
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert _same(TRACKER_LOOP, TRACKER_NOW, {"page": _Page([]), "partnership": PARTNERSHIP}, "")


def test_a_tracker_rows_tag_is_the_actions():
    """``status_tag_of`` (a row read as values) gives ``status_tag`` (the action's) for every
    status, a day before, on and after its target date."""
    from safeguarding.actions.status_tags import status_tag_of

    target = datetime.date(2026, 12, 6)
    for status in Action.Status.values:
        action = Action(status=status, target_date=target)
        for today in (target - datetime.timedelta(days=1), target, target + datetime.timedelta(1)):
            assert status_tag_of(status, target, today) == action_tag(action, today)


def _referrals() -> list[Referral]:
    case = Case(pk=55, reference="C-1 & <2>", pseudonym=NASTY)
    rows = []
    for pk, status in enumerate(["new", "in_screening", "awaiting_decision", "decided", "odd"]):
        rows.append(
            Referral(
                pk=pk + 1,
                reference=f"R-{pk} <'\">",
                review_type=["cspr", "sar", "dhr", "cspr", "unknown<"][pk],
                age_group=["child", "adult", "not_known", "young_person", "x&y"][pk],
                received_on=datetime.date(2026, pk + 1, 9),
                status=status,
                case=case if pk % 2 else None,
            )
        )
    return rows


def test_triage_rows():
    referrals = _referrals()
    context = {"page": _Page(referrals), "partnership": PARTNERSHIP}
    rows = triage_rows_html(referrals, partnership=PARTNERSHIP)
    html = _same(TRIAGE_LOOP, ROWS_NOW, context, rows)
    assert "<script>" not in html and "Not yet" in html and "govuk-tag--grey" in html


def _prefetched(model, rows):
    cached = model.objects.none()
    cached._result_cache, cached._prefetch_done = rows, True
    return cached


def _cases() -> list[Case]:
    cases = []
    for pk, (tracks, reviews) in enumerate([(2, 2), (0, 0), (1, 1), (3, 0)], start=1):
        case = Case(
            pk=pk,
            reference=f"CASE-{pk} & <b>",
            pseudonym=NASTY,
            status=["in_screening", "decided", "closed", "new"][pk - 1],
            became_aware_on=datetime.date(2020 + pk, pk, 1),
        )
        types = ["cspr", "dhr", "sar"][:tracks]
        case._prefetched_objects_cache = {
            "tracks": _prefetched(
                Track, [Track(pk=pk * 10 + i, review_type=t) for i, t in enumerate(types)]
            )
        }
        case.visible_reviews = [
            Review(pk=pk * 100 + i, reference=f"REV-{i} <i>", kind="sar", stage="drafting")
            for i in range(reviews)
        ]
        cases.append(case)
    return cases


@pytest.mark.parametrize("sees_cases", [True, False])
def test_case_rows(sees_cases):
    cases = _cases()
    context = {"page": _Page(cases), "partnership": PARTNERSHIP, "sees_cases": sees_cases}
    rows = case_rows_html(cases, partnership=PARTNERSHIP, sees_cases=sees_cases)
    html = _same(CASES_LOOP, ROWS_NOW, context, rows)
    assert "<script>" not in html and "None yet" in html
    case_link = 'href="/manage/north-south/cases/1/"'
    assert (case_link in html) is sees_cases


def test_issue_rows():
    late_evening = datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC)  # 1 July in London
    issues = []
    for pk, status in enumerate(["published", "draft", "published"], start=1):
        issue = DigestIssue(
            pk=pk,
            number=pk * 1000,
            title=NASTY,
            period_start=datetime.date(2026, pk, 1),
            period_end=datetime.date(2026, pk + 1, 1),
            status=status,
            published_at=late_evening if status == "published" else None,
        )
        issue.item_count = pk - 1
        issues.append(issue)
    with timezone.override("Europe/London"):
        rows = issue_rows_html(issues, partnership=PARTNERSHIP)
        html = _same(ISSUES_LOOP, ISSUES_NOW, {"issues": issues, "partnership": PARTNERSHIP}, rows)
    assert "1 July 2026" in html and "<script>" not in html


def test_values_are_escaped_as_the_template_escapes_them():
    assert row_markup.text(NASTY) == (
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;quoted&quot; O&#x27;Neill"
    )
    assert row_markup.number(1234) == "1234"
    assert row_markup.date(None, "j F Y") == ""
    assert row_markup.truncatewords("a <b> c d", 2) == "a &lt;b&gt; …"
    template = engines["django"].from_string("{{ value|truncatewords:words }}")
    for value, words in [
        ("a <b> c d", 2),
        ("one two", 2),
        ("one two three", 2),
        ("  spaced\n\tout\u00a0words\u2003here  ", 3),
        ("ends with … already here", 3),
        ("", 5),
        (12345, 1),
        ("a b", 0),
        (NASTY, 4),
    ]:
        expected = template.render({"value": value, "words": words})
        assert row_markup.truncatewords(value, words) == expected, (value, words)


PLAN_LOOP = """  <tbody class="govuk-table__body">
  {% for action in recommendation.actions.all %}
  <tr class="govuk-table__row">
    <th scope="row" class="govuk-table__header"><a class="govuk-link" href="{% url 'actions:action' partnership.slug action.pk %}"><span class="govuk-visually-hidden">Action </span>{{ action.reference }}</a></th>
    <td class="govuk-table__cell">{{ action.text|linebreaksbr }}</td>
    <td class="govuk-table__cell">{{ action.agency.name }}</td>
    <td class="govuk-table__cell">{{ action.lead_name }}</td>
    <td class="govuk-table__cell">{{ action.target_date|date:"j F Y" }}</td>
    <td class="govuk-table__cell">{% include "actions/_plan_status.html" with tag=action.tag %}</td>
  </tr>
  {% endfor %}
  </tbody>"""  # noqa: E501
PLAN_NOW = '  <tbody class="govuk-table__body">\n  {{ rows }}\n  </tbody>'


def test_plan_action_rows():
    actions = _actions()
    recommendation = actions[0].recommendation
    recommendation._prefetched_objects_cache = {"actions": _prefetched(Action, actions)}
    for action in actions:
        action.recommendation = recommendation
    with_plan_action_rows([recommendation], partnership=PARTNERSHIP)
    context = {"recommendation": recommendation, "partnership": PARTNERSHIP}
    html = _same(PLAN_LOOP, PLAN_NOW, context, recommendation.action_rows)
    assert "line one<br>line two" in html and "<script>" not in html


YEARLY_LOOP = """  <tbody class="govuk-table__body">
  {% for report in reports %}
    <tr class="govuk-table__row">
      <td class="govuk-table__cell" data-label="Report"><a class="govuk-link" href="{% url 'reports:yearly_detail' partnership.slug report.pk %}">{{ report.get_kind_display }}<span class="govuk-visually-hidden"> {{ report.year_label }}</span></a></td>
      <td class="govuk-table__cell" data-label="Year">{{ report.year_label }}</td>
      <td class="govuk-table__cell" data-label="Published">{% if report.published_on %}{{ report.published_on|date:"j F Y" }}{% else %}Not yet{% endif %}</td>
      <td class="govuk-table__cell" data-label="Sent">{{ report.recipient_count }} recipient{{ report.recipient_count|pluralize }}</td>
    </tr>
  {% endfor %}
  </tbody>"""  # noqa: E501


def test_yearly_report_rows():
    reports = []
    for pk, (kind, published_on, recipients) in enumerate(
        [
            ("children", datetime.date(2025, 9, 30), 2),
            ("adults", None, 1),
            ("adults", datetime.date(2024, 1, 2), 0),
        ],
        start=1,
    ):
        report = YearlyReport(
            pk=pk * 1000, kind=kind, start_year=2020 + pk, published_on=published_on
        )
        report.recipient_count = recipients
        reports.append(report)
    html = _same(
        YEARLY_LOOP,
        ISSUES_NOW,
        {"reports": reports, "partnership": PARTNERSHIP},
        yearly_rows_html(reports, PARTNERSHIP.slug),
    )
    assert "1 recipient<" in html and "0 recipients" in html and "Not yet" in html
    assert _same(YEARLY_LOOP, ISSUES_NOW, {"reports": [], "partnership": PARTNERSHIP}, "")


PUBLICATIONS_LOOP = """  <tbody class="govuk-table__body">
  {% for publication in publications %}
    <tr class="govuk-table__row">
      <td class="govuk-table__cell" data-label="Title"><a class="govuk-link" href="{% url 'publication:detail' partnership.slug publication.pk %}">{{ publication.title }}</a></td>
      <td class="govuk-table__cell" data-label="Review">{{ publication.review.reference }}</td>
      <td class="govuk-table__cell" data-label="Status"><strong class="govuk-tag{% if publication.status == 'published' %} govuk-tag--green{% elif publication.status == 'scheduled' %} govuk-tag--blue{% elif publication.status == 'withdrawn' %} govuk-tag--grey{% else %} govuk-tag--yellow{% endif %}">{{ publication.get_status_display }}</strong>{% if publication.status == 'withdrawn' and publication.available_on_request %}<br><span class="govuk-body-s">Available on request</span>{% endif %}</td>
      <td class="govuk-table__cell" data-label="Date">{{ publication.publish_on|date:"j F Y"|default:"Not set" }}</td>
      <td class="govuk-table__cell" data-label="Open findings">{{ publication.open_findings }}</td>
    </tr>
  {% endfor %}
  </tbody>"""  # noqa: E501


def test_publication_rows():
    review = Review(pk=3, reference="CSPR-2026-001 <b>", title=NASTY)
    publications = []
    cases = [(s, True) for s, _ in Publication.Status.choices] + [("withdrawn", False)]
    for pk, (status, on_request) in enumerate(cases, start=1):
        publication = Publication(
            pk=pk * 1000,
            title=NASTY,
            status=status,
            available_on_request=on_request,
            publish_on=datetime.date(2026, 1, pk) if pk % 2 else None,
            review=review,
        )
        publication.open_findings = pk - 1
        publications.append(publication)
    context = {"publications": publications, "partnership": PARTNERSHIP}
    html = _same(
        PUBLICATIONS_LOOP,
        ISSUES_NOW,
        context,
        publication_rows_html(publications, PARTNERSHIP.slug),
    )
    assert "Available on request" in html and "Not set" in html and "<script>" not in html
    empty = {"publications": [], "partnership": PARTNERSHIP}
    assert _same(PUBLICATIONS_LOOP, ISSUES_NOW, empty, "")


@pytest.mark.parametrize(
    "size", [0, 1, 1023, 1024, 1536, 123_456, 10**6, 1048576, 10**7, 10**9, 5 * 10**12, 10**16]
)
def test_file_size_is_filesizeformat_in_each_language_and_setting(size):
    from django.template.defaultfilters import filesizeformat
    from django.test import override_settings
    from django.utils import translation

    from safeguarding.core.row_markup import file_size

    assert file_size(size) == file_size(size) == filesizeformat(size)
    with translation.override("de"):
        assert file_size(size) == filesizeformat(size)
    with override_settings(USE_THOUSAND_SEPARATOR=True, NUMBER_GROUPING=3):
        assert file_size(size) == filesizeformat(size)
    assert file_size(size) == filesizeformat(size)
    assert file_size(str(size)) == filesizeformat(str(size))


def test_people_rows():
    agency = Agency(pk=4, name="Police & <Crime>", slug="police")
    rows = [
        PersonRow(
            user=User(pk=1, full_name=NASTY, email="a&b@example.org", is_active=True),
            memberships=[
                Membership(pk=1, role="business_unit"),
                Membership(pk=2, role="agency_contributor", agency=agency),
            ],
        ),
        PersonRow(  # deactivated here
            user=User(pk=2, full_name="B", email="b@example.org", is_active=True),
            deactivation=Deactivation(pk=3),
        ),
        PersonRow(user=User(pk=3, full_name="C", email="c@example.org", is_active=False)),
        PersonRow(user=User(pk=4, full_name="D", email="d@example.org", is_active=True)),
    ]
    rows_html = people_rows_html(rows, partnership=PARTNERSHIP)
    context = {"rows": rows, "partnership": PARTNERSHIP}
    html = _same(PEOPLE_LOOP, PEOPLE_NOW, context, rows_html)
    assert "Deactivated" in html and "Account switched off" in html and "Active" in html
    assert "<script>" not in html and "Police &amp; &lt;Crime&gt;" in html


def _plan() -> tuple[list[Finding], list[Recommendation]]:
    agency = Agency(pk=4, name="Police & <Crime>", slug="police")
    findings = []
    for pk, kind in enumerate(["finding", "learning_point", "finding"], start=1):
        finding = Finding(pk=pk, number=pk, kind=kind, title=NASTY, text=f"One\n\n- two {NASTY}")
        themes = [Theme(pk=i, name=f"Theme {i} & <x>") for i in range(pk - 1)]
        finding._prefetched_objects_cache = {"themes": _prefetched(Theme, themes)}
        findings.append(finding)
    recommendations = []
    for pk, (judgement, method, actions) in enumerate(
        [("changed", "audit", 2), ("partly", "", 0), ("no_evidence", "measure", 1), ("", "", 0)],
        start=1,
    ):
        recommendation = Recommendation(
            pk=pk,
            number=pk,
            text=NASTY,
            to_partnership=pk % 2 == 1,
            scope="multi_agency",
            expected_change="Line & one\nline <two>",
            agreed_on=datetime.date(2026, pk, 3),
            impact_method=method,
            impact_plan="Plan\nwith <lines>" if method else "",
            impact_review_on=datetime.date(2027, 1, pk) if pk == 1 else None,
            impact_judgement=judgement,
            impact_result="Result & <more>" if judgement else "",
            impact_recorded_on=datetime.date(2027, 2, 1) if pk < 3 else None,
        )
        recommendation._prefetched_objects_cache = {
            "findings": _prefetched(Finding, findings[: pk % 3]),
            "agencies": _prefetched(Agency, [agency] * (pk % 3)),
            "actions": _prefetched(Action, [Action(pk=pk * 10 + i) for i in range(actions)]),
        }
        recommendation.action_rows = mark_safe("<tr>rows</tr>") if actions else ""
        recommendations.append(recommendation)
    return findings, recommendations


@pytest.mark.parametrize("can_manage", [True, False])
def test_plan_findings_and_recommendations(can_manage):
    findings, recommendations = _plan()
    review = Review(pk=3)
    for shown_findings, shown_recommendations in ((findings, recommendations), ([], [])):
        context = {
            "partnership": PARTNERSHIP,
            "review": review,
            "can_manage": can_manage,
            "findings": shown_findings,
            "recommendations": shown_recommendations,
        }
        engine = engines["django"]
        cards = finding_cards_html(
            shown_findings, partnership=PARTNERSHIP, review=review, can_manage=can_manage
        )
        sections = recommendation_sections_html(
            shown_recommendations, partnership=PARTNERSHIP, can_manage=can_manage
        )
        for loop, now, extra in (
            (PLAN_FINDINGS_LOOP, PLAN_FINDINGS_NOW, {"finding_cards": cards}),
            (
                PLAN_RECOMMENDATIONS_LOOP,
                PLAN_RECOMMENDATIONS_NOW,
                {"recommendation_sections": sections},
            ),
        ):
            before = engine.from_string("{% load govuk %}" + loop).render(context)
            after = engine.from_string(now).render({**context, **extra})
            assert after == before
    assert "<script>" not in cards + sections


def _milestones(today: datetime.date) -> list[Milestone]:
    other = Partnership(pk=8, slug="other", name="Other & <Co>")
    rows = []
    cases = [
        ("due", today - datetime.timedelta(days=1), "", "", 7),  # overdue, ours
        ("due", today + datetime.timedelta(days=3), NASTY, "", 7),  # extended
        ("due", today, "", "", 8),  # another partnership's
        ("paused", today, "", NASTY, 7),
        ("paused", today - datetime.timedelta(days=9), "", "", 8),
        ("done", today, "", "", 7),
        ("not_applicable", today, "", "", 7),
    ]
    for pk, (status, due_on, extension, paused, owner) in enumerate(cases, start=1):
        rule = MilestoneRule(
            pk=pk,
            name=f"Rule {pk} & <b>",
            rule_id=["R1", "R2"][pk % 2],
            basis=["statutory", "expectation", "local"][pk % 3],
        )
        milestone = Milestone(
            pk=pk * 11,
            rule=rule,
            partnership=PARTNERSHIP if owner == 7 else other,
            offset_amount=pk * 5,
            offset_unit=["working_days", "calendar_days", "calendar_months"][pk % 3],
            starts_on=datetime.date(2026, 1, pk),
            due_on=due_on,
            original_due_on=due_on if not extension else due_on - datetime.timedelta(days=30),
            extension_reason=extension,
            status=status,
            done_on=today if status == "done" and pk % 2 else None,
            paused_reason=paused,
        )
        rows.append(milestone)
    return rows


@pytest.mark.parametrize("actions", [True, False])
@pytest.mark.parametrize("partnership", [PARTNERSHIP, None])
def test_milestone_rows(actions, partnership):
    milestones = _milestones(timezone.localdate())
    engine = engines["django"]
    context = {"milestones": milestones, "milestone_actions": actions, "caption": "Deadlines"}
    if partnership is not None:
        context["partnership"] = partnership
    before = engine.from_string(MILESTONES_BEFORE).render(context)
    after = engine.get_template("clock/_milestones.html").render(context)
    assert after == before
    assert "Overdue" in after and "<script>" not in after
