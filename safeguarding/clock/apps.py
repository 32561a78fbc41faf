from django.apps import AppConfig


class ClockConfig(AppConfig):
    name = "safeguarding.clock"
    label = "clock"
    verbose_name = "Statutory clock"
