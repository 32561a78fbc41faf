"""Start-up check: a BACKUP_ENCRYPTION_KEY that is set must be one the backup can use (it is
optional: only ``manage.py backup`` and ``restore`` need it, and they say so)."""

from django.conf import settings
from django.core.checks import Error, register

from .backup_format import BackupError, keys_parse


@register()
def backup_key_check(app_configs, **kwargs):
    value = getattr(settings, "BACKUP_ENCRYPTION_KEY", "")
    if not value:
        return []
    try:
        keys_parse(value)
    except BackupError as error:
        return [Error(str(error), id="records.E001")]
    return []
