from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Figures for a board's reports, read from the other apps (read only: no models, no
    writes). Today the annual implementation figures of R24."""

    name = "safeguarding.reports"
    label = "reports"
    verbose_name = "Reports"
