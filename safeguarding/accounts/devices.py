"""The installed two-factor device models, found once per process."""

import functools

from django_otp import device_classes


@functools.cache
def device_models() -> tuple:
    """The installed device models (django-otp looks for them among every model on each call)."""
    return tuple(device_classes())
