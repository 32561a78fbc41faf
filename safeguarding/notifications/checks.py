"""Start-up checks of the email settings (``manage.py check``, run by runserver and migrate)."""

import re

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# A Notify API key: its name, then the service id and the secret, both UUIDs.
_API_KEY = re.compile(r"^.+-[0-9a-f-]{36}-[0-9a-f-]{36}$")


@register(Tags.compatibility)
def notify_settings_check(app_configs, **kwargs):
    errors = []
    if not settings.NOTIFY_API_KEY:
        return errors
    if not _API_KEY.match(settings.NOTIFY_API_KEY):
        errors.append(
            Error(
                "NOTIFY_API_KEY is not a GOV.UK Notify API key",
                hint="Copy the whole key from Notify's API integration page",
                id="notifications.E001",
            )
        )
    if not settings.NOTIFY_GENERIC_TEMPLATE_ID:
        errors.append(
            Error(
                "NOTIFY_API_KEY is set but NOTIFY_GENERIC_TEMPLATE_ID is not",
                hint="Make a Notify email template with subject ((subject)) and body ((body))",
                id="notifications.E002",
            )
        )
    ids = {"NOTIFY_GENERIC_TEMPLATE_ID": settings.NOTIFY_GENERIC_TEMPLATE_ID}
    ids.update(settings.NOTIFY_TEMPLATE_IDS)
    for key, value in ids.items():
        if value and not _UUID.match(value):
            errors.append(
                Error(
                    f"The GOV.UK Notify template id for {key} is not a template id: {value!r}",
                    id="notifications.E003",
                )
            )
    return errors


@register(Tags.security, deploy=True)
def service_url_check(app_configs, **kwargs):
    """Emails and calendar invitations link to pages on SERVICE_URL (``check --deploy``)."""
    if settings.SERVICE_URL:
        return []
    return [
        Warning(
            "SERVICE_URL is not set: emails give the path of a page, not a link to it",
            hint="Set SERVICE_URL to the service's address, e.g. https://reviews.example.gov.uk",
            id="notifications.W001",
        )
    ]
