"""The yearly report duties a partnership records (docs/rules.md §yearly-reports): each year's
report, when it was published, and each statutory recipient with the date it was sent. The
figures in the report are read elsewhere (``selectors.annual_figures``); these rows record
that the duties were done.

- Children (R18, Working Together 2023): the safeguarding partners publish a yearly report
  and send it to the Child Safeguarding Practice Review Panel and the What Works Centre for
  Children's Social Care (Foundations) within 7 days of publishing it.
- Adults (R24, R25, Care Act 2014 Schedule 2 paragraph 4): the Safeguarding Adults Board
  publishes its annual report after each financial year and sends it to the local
  authority's chief executive and leader, the local policing body, Local Healthwatch and the
  chair of the health and wellbeing board.
"""

import datetime

from django.conf import settings
from django.db import models

from safeguarding.accounts.models import Partnership


class YearlyReport(models.Model):
    class Kind(models.TextChoices):
        CHILDREN = "children", "Safeguarding partners' yearly report (children)"
        ADULTS = "adults", "Safeguarding Adults Board annual report"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="yearly_reports"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    start_year = models.PositiveSmallIntegerField(
        help_text="The year (1 April to 31 March) starting in this year"
    )
    published_on = models.DateField(null=True, blank=True)
    web_address = models.URLField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "kind", "start_year"], name="yearly_report_once_a_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year_label}"

    @property
    def year_label(self) -> str:
        return f"April {self.start_year} to March {self.start_year + 1}"

    @property
    def send_by(self) -> datetime.date | None:
        """The children's report goes to its recipients within 7 days of publication."""
        if self.kind != self.Kind.CHILDREN or self.published_on is None:
            return None
        return self.published_on + datetime.timedelta(days=SEND_WITHIN_DAYS)


SEND_WITHIN_DAYS = 7  # Working Together 2023 (children): docs/rules.md §yearly-reports [K]


class Recipient(models.TextChoices):
    # Children (Working Together 2023)
    PANEL = "panel", "Child Safeguarding Practice Review Panel"
    FOUNDATIONS = (
        "foundations",
        "What Works Centre for Children's Social Care (Foundations)",
    )
    # Adults (R25, Care Act 2014 Schedule 2 paragraph 4)
    LA_CHIEF_EXECUTIVE = "la_chief_executive", "Chief executive of the local authority"
    LA_LEADER = "la_leader", "Leader of the local authority"
    LOCAL_POLICING_BODY = (
        "local_policing_body",
        "Local policing body (the police and crime commissioner, or the mayor where one holds "
        "that role)",
    )
    HEALTHWATCH = "healthwatch", "Local Healthwatch"
    WELLBEING_BOARD_CHAIR = "wellbeing_board_chair", "Chair of the health and wellbeing board"


STATUTORY_RECIPIENTS: dict[str, list[Recipient]] = {
    YearlyReport.Kind.CHILDREN: [Recipient.PANEL, Recipient.FOUNDATIONS],
    YearlyReport.Kind.ADULTS: [
        Recipient.LA_CHIEF_EXECUTIVE,
        Recipient.LA_LEADER,
        Recipient.LOCAL_POLICING_BODY,
        Recipient.HEALTHWATCH,
        Recipient.WELLBEING_BOARD_CHAIR,
    ],
}


class ReportRecipient(models.Model):
    """One statutory recipient of a yearly report, and when it was sent to them."""

    report = models.ForeignKey(YearlyReport, on_delete=models.PROTECT, related_name="recipients")
    recipient = models.CharField(max_length=30, choices=Recipient.choices)
    name = models.CharField(max_length=200, blank=True, help_text="Who it went to, by name")
    sent_on = models.DateField(null=True, blank=True)
    sent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "recipient"], name="report_recipient_once_per_report"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_recipient_display()} ({self.report})"


class TimelinessYear(models.Model):
    """The timeliness trends' counts of one past financial year of a partnership, kept so the
    trends page reads the past years stored and counts only the current year (issue 16).

    ``counts`` is a list of ``[rule id, done, on time, within extension, median working days,
    extended with a reason]``, one per rule (``reports.trends``; the last since
    ``reports/0004``, which adds ``extension_reason`` to the trigger's columns). A year is read
    from here only when ``stored`` and not ``stale``. Database triggers on ``clock_milestone``
    (migration ``reports/0002``, ADR 0027) mark a year stale whenever a milestone done in it is
    added, changed or deleted, by any code path (the services, bulk writes, data migrations, raw
    SQL), in the same transaction; the page counts a stale year again and stores it."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="timeliness_years"
    )
    start_year = models.PositiveSmallIntegerField()
    stale = models.BooleanField(default=True)
    stored = models.BooleanField(default=False)
    # Set by the page that claims the year for counting: its counts are kept only if the year is
    # still claimed by it and not marked stale since (a milestone changed while it counted).
    token = models.CharField(max_length=32, blank=True)
    counts = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "start_year"], name="timeliness_year_once"
            )
        ]

    def __str__(self) -> str:
        return f"Timeliness {self.start_year} ({self.partnership_id})"


class ActionYear(models.Model):
    """The action figures of one financial year of a partnership (R24: actions agreed,
    completed, outstanding at the year end and overdue then, decisions not to implement), kept
    so the annual figures and the board pack read one row instead of counting every action
    still open at the year end (issue 16, ADR 0031).

    ``counts`` maps each figure's name to its number, with the board pack's actions agreed in
    the year by status (``by_status:<status>``) and its screening outcomes (``screening``:
    ``[review type, result, count]`` lines; migration ``reports/0004``). A year is read from
    here only when ``stored``, not ``stale`` and in that shape. Database triggers on
    ``actions_action``, ``actions_actionupdate`` (decisions not to implement) and
    ``actions_recommendation`` (its agreed date; migration ``reports/0003``) mark stale, in the
    writer's transaction and whatever wrote it, every kept year of the partnership from the
    first year a change can move: an action open at the end of many years counts in each of
    them; a change of status also marks the year agreed, and triggers on ``referrals_track``
    and ``referrals_case`` the year a track was opened in (``reports/0004``).

    ``start_year`` 0 is not a year: it is the partnership's row that, on PostgreSQL, every
    writer's trigger and every page claiming a year take in turn, so a page counting a year not
    kept before waits for a writer still in progress (see ``selectors._action_counts``)."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="action_years"
    )
    start_year = models.PositiveSmallIntegerField()
    stale = models.BooleanField(default=True)
    stored = models.BooleanField(default=False)
    # Set by the page that claims the year for counting: its counts are kept only if the year is
    # still claimed by it and not marked stale since (an action changed while it counted).
    token = models.CharField(max_length=32, blank=True)
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partnership", "start_year"], name="action_year_once")
        ]

    def __str__(self) -> str:
        return f"Actions {self.start_year} ({self.partnership_id})"
