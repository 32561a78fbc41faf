import logging
import re
import uuid

from django.conf import settings
from django.db import OperationalError
from django.http import HttpResponse
from django.template.loader import get_template
from django.utils.cache import patch_cache_control

from .request_context import current_request, current_request_id

logger = logging.getLogger(__name__)

# Seconds the "service is busy" page asks browsers and clients to wait before trying again.
BUSY_RETRY_AFTER_SECONDS = 5

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Give every request an id (or keep a well-formed X-Request-ID from the proxy).

    The id is written on every audit event and returned in the X-Request-ID header, so an
    audit row can be matched to the server logs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = current_request_id.set(request_id)
        request_token = current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(request_token)
            current_request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class ResponseHeadersMiddleware:
    """Headers that keep staff pages out of caches and switch off unused browser features.

    - ``Permissions-Policy`` on every response: no camera, microphone, location, payment … for
      any page (settings.PERMISSIONS_POLICY).
    - ``Cache-Control: no-store, private`` on every response to a signed-in user, pages and
      files alike, so that nothing a member of staff saw stays in the browser's cache or in a
      shared proxy. Anonymous public pages are left as their views set them.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = ", ".join(
            f"{feature}=()" for feature in settings.PERMISSIONS_POLICY
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        if _signed_in(request):
            patch_cache_control(response, no_store=True, private=True)
        return response


def _signed_in(request) -> bool:
    """Whether a user is signed in on this request, without creating a session for visitors
    who have none (so anonymous pages do not start to vary by cookie)."""
    session = getattr(request, "session", None)
    if session is None or session.session_key is None:
        return False
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def database_is_busy(exception: BaseException | None) -> bool:
    """Whether ``exception`` is SQLite's "database is locked": another request held the write
    lock for longer than the busy timeout. Trying again a moment later works."""
    return isinstance(exception, OperationalError) and "database is locked" in str(exception)


def busy_response() -> HttpResponse:
    """The GOV.UK "service is busy" page (503, Retry-After). Rendered without context
    processors or the database, which is what is busy."""
    response = HttpResponse(get_template("503.html").render(), status=503)
    response["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
    return response


class DatabaseBusyMiddleware:
    """A view that meets "database is locked" answers with the "service is busy, try again"
    page (503) instead of a 500. Nothing was saved: the failed transaction was rolled back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not database_is_busy(exception):
            return None
        logger.warning(
            "Database busy on %s %s: answered 503 (%s)", request.method, request.path, exception
        )
        return busy_response()
