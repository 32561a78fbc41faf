"""The current request's id, available to services without passing the request around."""

import contextvars

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "current_request_id", default=""
)
# The request being served (set with the id by RequestIdMiddleware), so that model signals can
# say who made a change (``request.user``) without the request being passed to them. None
# outside a request: manage.py commands, the shell, background tasks.
current_request: contextvars.ContextVar = contextvars.ContextVar("current_request", default=None)
