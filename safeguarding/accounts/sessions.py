"""The session store: Django's database store, reading the session with SQL built once
(issue 16). Every signed-in request reads its session; building that query in the ORM cost
several times running it (``core.compiled_sql``). The same table, rows, expiry test and
everything else as ``django.contrib.sessions.backends.db``."""

import datetime as dt
import logging

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import SuspiciousOperation
from django.db import router
from django.utils import timezone

from safeguarding.core.compiled_sql import CompiledQuery

_SESSION = CompiledQuery(
    lambda session_key, now: Session.objects.filter(
        session_key=session_key, expire_date__gt=now
    ).values_list("session_data"),
    {
        "session_key": ("compiled-sql-placeholder", Session._meta.get_field("session_key")),
        "now": (
            dt.datetime(1901, 2, 3, 4, 5, 6, tzinfo=dt.UTC),
            Session._meta.get_field("expire_date"),
        ),
    },
)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        if self.get_model_class() is not Session:  # a subclass with its own model: Django's read
            return super()._get_session_from_db()
        try:
            key = self.session_key
            rows = _SESSION.rows(router.db_for_read(Session), session_key=key, now=timezone.now())
        except SuspiciousOperation as error:
            logger = logging.getLogger(f"django.security.{error.__class__.__name__}")
            logger.warning(str(error))
            rows = []
        if not rows:
            self._session_key = None
            return None
        return Session(session_key=key, session_data=rows[0][0])
