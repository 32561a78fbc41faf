import secrets
from functools import partial

from django.conf import settings
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.utils.functional import SimpleLazyObject


def service(request):
    """Service name and phase for the base layout."""
    return {"service_name": settings.SERVICE_NAME, "service_phase": settings.SERVICE_PHASE}


def csrf(request):
    """Django's ``csrf`` context processor (``django.template.context_processors.csrf``, which
    the template engine always runs first: this one, later, replaces its ``csrf_token``), with
    the token masked by ``masked_csrf_token``. Every staff page writes a token (the navigation's
    sign-out form); Django's masking asks the operating system for random bytes 32 times
    (``secrets.choice`` per character), about a tenth of a millisecond a page (issue 16)."""
    return {"csrf_token": SimpleLazyObject(partial(masked_csrf_token, request))}


_CHARS = CSRF_ALLOWED_CHARS
_INDEX = {char: index for index, char in enumerate(_CHARS)}
# Random bytes from this up are dropped, so that each of the 62 characters is equally likely.
_BELOW = 256 - 256 % len(_CHARS)


def _random_indexes(count: int) -> list[int]:
    """``count`` indexes of ``CSRF_ALLOWED_CHARS``, each uniform and unpredictable (as
    ``secrets.choice`` gives them), from one or two reads of random bytes."""
    found: list[int] = []
    while len(found) < count:
        found.extend(byte % len(_CHARS) for byte in secrets.token_bytes(count) if byte < _BELOW)
    return found[:count]


def masked_csrf_token(request) -> str:
    """``django.middleware.csrf.get_token(request)``: the request's CSRF secret masked afresh
    (Django's protection against BREACH), the same format and the same side effect (the cookie
    is sent again), the mask read from the operating system's random source in one call. A
    request without a valid secret yet gets Django's own ``get_token`` (it makes the secret)."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret or len(secret) != CSRF_SECRET_LENGTH or not all(c in _INDEX for c in secret):
        return get_token(request)
    # As get_token: the cookie is used, so it is sent again (its expiry renewed).
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    mask = _random_indexes(len(secret))
    pairs = zip(secret, mask, strict=True)
    cipher = (_CHARS[(_INDEX[char] + shift) % len(_CHARS)] for char, shift in pairs)
    return "".join(_CHARS[shift] for shift in mask) + "".join(cipher)
