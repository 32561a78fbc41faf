from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "safeguarding.workspace"
    label = "workspace"
    verbose_name = "Staff home"
