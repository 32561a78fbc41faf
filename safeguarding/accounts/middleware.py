from functools import lru_cache

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.functional import LazyObject, empty

from safeguarding.core.templatetags.cached_url import reverse_remembered

from . import services
from .backends import CONFIRMED_DEVICE
from .devices import device_models


def has_confirmed_device(user) -> bool:
    """``django_otp.user_has_device(user, confirmed=True)``, asked on every request of a user
    who has not verified. The user loaded for this request by ``backends.ModelBackend``
    already has the answer, read in the same query (issue 16); otherwise the same question of
    every device model, without looking for the models among all of them each time, and
    reading no device's row."""
    answer = getattr(user, CONFIRMED_DEVICE, None)
    if answer is not None:
        return bool(answer)
    return any(
        model.objects.devices_for_user(user, confirmed=True).exists() for model in device_models()
    )


def unwrapped(user):
    """The object behind ``user``'s lazy proxies, which have been evaluated."""
    while isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user


class TwoFactorMiddleware:
    """Finish two-factor sign-in before anything else.

    A user who has a TOTP device must enter a code after their password; when
    TWO_FACTOR_REQUIRED is on (production), a user without one must set one up first.
    Until then only the two-factor pages, sign-out and static files are reachable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        signed_in = user.is_authenticated
        # The user is loaded now (the line above): the rest of the request reads it directly,
        # not through the two lazy proxies of Django's and django-otp's middleware, which
        # every attribute read would pass through (issue 16). The same object either way.
        request.user = user = unwrapped(user)
        if signed_in and not user.is_verified():
            # Remembered once per URL configuration and script prefix: three reverses on every
            # request of a user without a device cost more than the rest of this middleware.
            allowed = _two_factor_paths(get_resolver(get_urlconf()), get_script_prefix())
            if request.path not in allowed and not request.path.startswith(settings.STATIC_URL):
                if has_confirmed_device(user):
                    return redirect(f"{reverse('accounts:two_factor_verify')}")
                if settings.TWO_FACTOR_REQUIRED:
                    return redirect(reverse("accounts:two_factor_setup"))
        return self.get_response(request)


@lru_cache(maxsize=16)
def _two_factor_paths(resolver, prefix: str) -> frozenset[str]:
    """The paths a signed-in user who has not verified may still reach (the resolver and the
    script prefix are the key: ``reverse`` reads them itself)."""
    return frozenset(
        reverse_remembered(name, [], {}, None, where=(resolver, prefix))
        for name in ("accounts:two_factor_verify", "accounts:two_factor_setup", "accounts:sign_out")
    )


# Session keys (epoch seconds): when the user signed in, and when the session was last renewed.
SESSION_STARTED_AT = "_session_started_at"
SESSION_RENEWED_AT = "_session_renewed_at"


def _now() -> int:
    return int(timezone.now().timestamp())


def session_mark_started(session) -> None:
    """Record the sign-in time in ``session`` (called when a user signs in)."""
    now = _now()
    session[SESSION_STARTED_AT] = now
    session[SESSION_RENEWED_AT] = now


class SessionLifetimeMiddleware:
    """Two session lifetimes, without writing the session on every request.

    - Idle: the session's expiry (SESSION_COOKIE_AGE, 30 minutes) is pushed back by saving it,
      which happens only when more than SESSION_RENEW_AFTER_SECONDS have passed since the last
      renewal. Visitors without a session get none.
    - Absolute: however active, a signed-in session ends SESSION_ABSOLUTE_SECONDS (12 hours)
      after sign-in; the user is signed out, the end is audited and the sign-in page says why.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if session.session_key is not None:
            now = _now()
            renewed_at = session.get(SESSION_RENEWED_AT)
            # Loading a session that has expired or does not exist forgets its key.
            if session.session_key is not None:
                if request.user.is_authenticated:
                    self._end_if_too_old(request, now)
                if session.session_key is not None and (
                    renewed_at is None or now - renewed_at >= settings.SESSION_RENEW_AFTER_SECONDS
                ):
                    session[SESSION_RENEWED_AT] = now
        return self.get_response(request)

    def _end_if_too_old(self, request, now: int) -> None:
        started_at = request.session.get(SESSION_STARTED_AT)
        if started_at is None:  # signed in before lifetimes were recorded: count from now
            request.session[SESSION_STARTED_AT] = now
            return
        if now - started_at < settings.SESSION_ABSOLUTE_SECONDS:
            return
        services.session_end(user=request.user, started_at=started_at)
        logout(request)
        messages.info(
            request,
            f"You have been signed out because you signed in more than "
            f"{_duration(settings.SESSION_ABSOLUTE_SECONDS)} ago. Sign in again to continue",
        )


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = max(1, seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
