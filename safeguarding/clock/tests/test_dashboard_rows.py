"""The staff home's deadline rows written in Python (``clock/rows.py``, ADR 0034) give the
characters the template loop of ``workspace/_dashboard_list.html`` gave, on milestones with
markup, quotes and ampersands, paused or not, with and without a page to link to; the
dashboard's lists, read as values with SQL built once, are the milestones the ORM's querysets
give (issue 16)."""

import datetime

import pytest
from django.template import engines

from safeguarding.clock.models import Basis, Milestone, MilestoneRule, subject_type_for
from safeguarding.clock.rows import dashboard_rows_html
from safeguarding.clock.selectors import DashboardMilestone, milestone_dashboard
from safeguarding.core.calendar import add_working_days

NASTY = "<script>alert('x')</script> & \"quoted\" O'Neill"

# The loop the rows replace (workspace/_dashboard_list.html, before).
LOOP = """  <tbody class="govuk-table__body">
  {% for m in milestones %}
  <tr class="govuk-table__row">
    <td class="govuk-table__cell" data-label="Milestone">{{ m.rule.name }}{% if m.status == "paused" %}<br><span class="govuk-body-s">Paused: {{ m.paused_reason }}</span>{% endif %}</td>
    <td class="govuk-table__cell" data-label="Case or referral">{% if m.subject_url %}<a class="govuk-link" href="{{ m.subject_url }}">{{ m.subject_label }}</a>{% else %}{{ m.subject_label }}{% endif %}</td>
    <td class="govuk-table__cell" data-label="Due">{{ m.due_on|date:"D j M Y" }}</td>
    <td class="govuk-table__cell" data-label="Guidance">{{ m.rule.rule_id|rule_source }} <strong class="govuk-tag govuk-tag--grey">{{ m.rule.get_basis_display }}</strong></td>
  </tr>
  {% endfor %}
  </tbody>"""  # noqa: E501
NOW = '  <tbody class="govuk-table__body">\n  {{ rows }}\n  </tbody>'


def _milestones() -> list[Milestone]:
    rules = [
        MilestoneRule(pk=1, name=NASTY, rule_id="R2", basis=Basis.STATUTORY),
        MilestoneRule(pk=2, name="Rapid review", rule_id="R9", basis=Basis.LOCAL),
        MilestoneRule(pk=3, name="Report", rule_id="R14", basis="expectation"),
    ]
    day = datetime.date(2026, 12, 25)
    return [
        Milestone(
            pk=1,
            rule=rules[0],
            status=Milestone.Status.DUE,
            subject_label=NASTY,
            subject_url='/manage/x/cases/1/?a=1&b="2"',
            due_on=day,
            paused_reason=NASTY,
        ),
        Milestone(
            pk=2,
            rule=rules[1],
            status=Milestone.Status.PAUSED,
            subject_label="C2026-00042 (Child A)",
            subject_url="",
            due_on=day + datetime.timedelta(days=40),
            paused_reason=NASTY,
        ),
        Milestone(
            pk=3,
            rule=rules[2],
            status=Milestone.Status.PAUSED,
            subject_label="R-1",
            subject_url="/manage/x/referrals/3/",
            due_on=datetime.date(2027, 3, 1),
            paused_reason="",
        ),
    ]


def _shown(m: Milestone) -> DashboardMilestone:
    """What the dashboard reads of a milestone (``clock.selectors._DASHBOARD_COLUMNS``)."""
    rule = m.rule
    return DashboardMilestone(
        m.pk,
        m.status,
        m.due_on,
        m.subject_label,
        m.subject_url,
        m.paused_reason,
        rule.name,
        rule.rule_id,
        rule.basis,
    )


def test_dashboard_rows_are_what_the_loop_wrote():
    engine = engines["django"]
    for milestones in (_milestones(), _milestones()[1:2], []):
        before = engine.from_string(LOOP).render({"milestones": milestones})
        shown = [_shown(m) for m in milestones]
        after = engine.from_string(NOW).render({"rows": dashboard_rows_html(shown)})
        assert after == before


@pytest.mark.django_db
def test_the_dashboards_lists_are_the_querysets_milestones(partnership, other_partnership):
    rule = MilestoneRule.objects.get(code="cspr-serious-incident-notification")
    today = datetime.date(2026, 12, 21)  # a Monday: five working days end on 29 December
    rows = []
    for n, owner in enumerate([partnership] * 40 + [other_partnership] * 5):
        due = today + datetime.timedelta(days=(n % 13) - 6)
        rows.append(
            Milestone(
                partnership=owner,
                rule=rule,
                subject_type=subject_type_for(owner),
                subject_id=10_000 + n,
                subject_label=f"Referral R2026-TEST{n:02d}",
                subject_url=f"/manage/x/referrals/{n}/" if n % 3 else "",
                offset_amount=5,
                offset_unit="working_days",
                starts_on=due,
                due_on=due,
                original_due_on=due,
                status=["due", "due", "done", "paused"][n % 4],
                paused_reason="Criminal trial" if n % 4 == 3 else "",
            )
        )
    Milestone.objects.bulk_create(rows)
    week_end = add_working_days(today, 5)
    mine = Milestone.objects.filter(partnership=partnership).select_related("rule")
    due = mine.filter(status="due")
    expected = {
        "overdue": due.filter(due_on__lt=today),
        "due_this_week": due.filter(due_on__gte=today, due_on__lte=week_end),
        "paused": mine.filter(status="paused"),
    }
    for limit in (4, 25):
        dashboard = milestone_dashboard(partnership=partnership, today=today, limit=limit)
        assert dashboard.limit == limit
        for name, queryset in expected.items():
            wanted = [_shown(m) for m in queryset.order_by("due_on", "id")[:limit]]
            assert getattr(dashboard, name) == wanted
            assert wanted
