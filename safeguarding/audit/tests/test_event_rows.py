"""The audit trail's rows written in Python (``audit/rows.py``, ADR 0034) give the characters
the template loop of the old ``audit/_event_table.html`` gave, on events with markup, quotes and
ampersands, with and without an actor, a record and changed fields (issue 16)."""

import datetime

from django.template import engines

from safeguarding.audit.models import AuditEvent
from safeguarding.audit.rows import event_rows_html

NASTY = "<script>alert('x')</script> & \"quoted\" O'Neill"

# The loop of the old audit/_event_table.html (the staff home and the trail now write rows).
LOOP = """  <tbody class="govuk-table__body">
  {% for event in events %}
  <tr class="govuk-table__row">
    <td class="govuk-table__cell" data-label="When">{{ event.occurred_at|date:"j M Y H:i" }}</td>
    <td class="govuk-table__cell" data-label="Who">{{ event.actor_label|default:"–" }}</td>
    <td class="govuk-table__cell" data-label="What">{{ event.action_label }}</td>
    <td class="govuk-table__cell" data-label="Record">{{ event.object_label|default:"–" }}{% if event.payload.fields %}<br><span class="govuk-body-s">Changed: {{ event.payload.fields|join:", " }}</span>{% endif %}</td>
  </tr>
  {% endfor %}
  </tbody>"""  # noqa: E501
NOW = '  <tbody class="govuk-table__body">\n  {{ rows }}\n  </tbody>'


def _events() -> list[AuditEvent]:
    moment = datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC)  # BST: 1 July
    return [
        AuditEvent(
            pk=1,
            occurred_at=moment,
            actor_label=NASTY,
            action="case.guidance_recorded",
            object_label=NASTY,
            payload={"fields": ["title", NASTY]},
        ),
        AuditEvent(pk=2, occurred_at=moment, actor_label="", action="user.signed_in", payload={}),
        AuditEvent(
            pk=3,
            occurred_at=moment - datetime.timedelta(days=200),
            actor_label="a@example.org",
            action="user.signed_out",
            object_label="C-1",
            payload={"fields": []},
        ),
        AuditEvent(
            pk=4, occurred_at=moment, action="user.locked_out", object_label="R", payload=["fields"]
        ),
        AuditEvent(pk=5, occurred_at=moment, action="user.locked_out", payload={"other": 1}),
    ]


def test_event_rows_are_what_the_loop_wrote():
    engine = engines["django"]
    for events in (_events(), _events()[:1], []):
        before = engine.from_string(LOOP).render({"events": events})
        after = engine.from_string(NOW).render({"rows": event_rows_html(events)})
        assert after == before
