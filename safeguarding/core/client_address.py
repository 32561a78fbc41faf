"""The address of the client that sent a request, seen through the trusted reverse proxies.

One function for every caller that needs it: the rate limits (online referrals, digest
sign-ups, password resets), the sign-in audit events and django-axes's lockouts
(``AXES_CLIENT_IP_CALLABLE``).

Each trusted proxy appends the address it received the request from to ``X-Forwarded-For``,
so with ``TRUSTED_PROXY_COUNT`` proxies the client is the ``TRUSTED_PROXY_COUNT``-th address
from the right; anything further left was written by the client and may be forged. With no
trusted proxy (the default) the header is ignored and the address is ``REMOTE_ADDR``.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(value: str) -> str:
    """``value`` as a normalised IP address, or "" if it is not one."""
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 192.0.2.1:443
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return ""


def client_address(request: HttpRequest | None) -> str:
    """The client's IP address, or "" when there is no request or no usable address."""
    if request is None:
        return ""
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if len(forwarded) < proxies:
        # Not through every trusted proxy (e.g. straight to the server): only REMOTE_ADDR is
        # known to be true.
        return remote
    return _address(forwarded[-proxies]) or remote
