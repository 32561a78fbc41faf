from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """A board's reports: figures read from the other apps (the annual implementation figures
    of R24), and the record of each year's report, its publication and its statutory
    recipients (R18, R25: docs/rules.md §yearly-reports)."""

    name = "safeguarding.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from safeguarding.audit.registry import register_actions

        register_actions(
            {
                "yearly_report.recorded": "Recorded a yearly report and its recipients",
                "yearly_report.published": "Recorded when a yearly report was published",
                "yearly_report.sent": "Recorded that a yearly report was sent to a recipient",
                "report_figures.exported": "Downloaded a board's report figures",
            }
        )
