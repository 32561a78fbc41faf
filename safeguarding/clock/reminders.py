"""The one reminder engine (DESIGN §4, §5): a reminder before something falls due and one when it
is overdue, for milestones, agency requests and actions alike. Run once a day by the
``send_milestone_reminders`` task (clock/tasks.py) or ``manage.py send_reminders``.

Each app registers a **source** (in its AppConfig.ready): a function that, given today's date,
yields the ``Reminder``s due that day and not yet claimed (``not_claimed`` filters them in the
database). The rules of each source stay with it: milestones in ``milestone_reminders.py``,
agency requests in ``reviews/requests/reminders.py``, actions in ``actions/reminders.py``. The
engine does the rest, the same way for all of them:

* one reminder of each kind per subject **and due date**: a ``ReminderClaim`` row, unique on
  (subject type and id, kind, due_on), is written before anything is sent. A subject given a
  new due date is reminded again for the new date.
* the claim, the source's audit event and the notifications (``notifications.notify``: a notice
  in each recipient's "Your notifications", and an email) are written in one transaction.
* a reminder with no one to send it to is not claimed, so it goes once someone can receive it.

Delivery is **at most once**. The claim and its audit event are committed first, and the emails
go only after that commit (``transaction.on_commit``), and only from the run that created the
claim: a second run, a retry of the task or two workers at once hit the unique constraint and
send nothing. The price: if the mail server (or GOV.UK Notify) refuses an email after the commit,
that reminder is not retried; the notification records the failure and the error, the notice
is still in the service, and the subject still shows on the dashboard. We chose this over
at-least-once because the same reminder must never be sent twice, and because sending inside the
transaction would hold it open while the mail server answers.
"""

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef

from safeguarding.accounts.models import Partnership, User
from safeguarding.audit.services import audit_record
from safeguarding.notifications.services import notify

from .models import ReminderClaim

logger = logging.getLogger(__name__)

Kind = ReminderClaim.Kind
OVERDUE_REMINDER_DAYS = 30  # older overdue items are on the dashboard, not emailed
_SENT_TO_MAX = 254  # ReminderClaim.sent_to


@dataclass
class Reminder:
    """One reminder a source asks the engine to send."""

    subject: models.Model  # what it is about: claimed by its type and id
    kind: str  # Kind.UPCOMING or Kind.OVERDUE
    due_on: datetime.date  # the date it is about
    partnership: Partnership
    recipients: list[User | str]
    notification: str  # the notification kind (notifications/kinds.py)
    audit_action: str
    audit_target: models.Model
    actor_label: str
    audit_payload: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)
    link: str = ""  # the page of the service it is about


Source = Callable[[datetime.date], Iterable[Reminder]]
_SOURCES: dict[str, Source] = {}


def register_source(name: str, source: Source) -> None:
    """Add a source of reminders to the daily run (call it from AppConfig.ready)."""
    if name in _SOURCES and _SOURCES[name] is not source:
        raise ValueError(f"A reminder source called {name!r} is already registered")
    _SOURCES[name] = source


def registered_sources() -> dict[str, Source]:
    return dict(_SOURCES)


def not_claimed(model: type[models.Model], kind: str, due_field: str = "due_on") -> Exists:
    """A filter for a source's query: the rows of ``model`` with no ``kind`` reminder yet for
    the date in ``due_field``. Joined on the content type's name, so it costs no extra query."""
    return ~Exists(
        ReminderClaim.objects.filter(
            subject_type__app_label=model._meta.app_label,
            subject_type__model=model._meta.model_name,
            subject_id=OuterRef("pk"),
            kind=kind,
            due_on=OuterRef(due_field),
        )
    )


def overdue_window_start(today: datetime.date) -> datetime.date:
    """The earliest due date still reminded as overdue ``today`` (``OVERDUE_REMINDER_DAYS``)."""
    return today - datetime.timedelta(days=OVERDUE_REMINDER_DAYS)


def sent_to_line(recipients: Iterable[User | str]) -> str:
    """The recipients as one line for ``ReminderClaim.sent_to`` (254 characters): whole
    addresses only, then "and N more" for those that do not fit."""
    emails = [r.email if isinstance(r, User) else r for r in recipients]
    shown: list[str] = []
    for email in emails:
        rest = len(emails) - len(shown) - 1
        line = ", ".join([*shown, email]) + (f" and {rest} more" if rest else "")
        if len(line) > _SENT_TO_MAX:
            break
        shown.append(email)
    rest = len(emails) - len(shown)
    if not shown:
        return f"{rest} recipients"
    return ", ".join(shown) + (f" and {rest} more" if rest else "")


def reminder_send(reminder: Reminder) -> bool:
    """Claim and send one reminder. False if it was sent before (or is being sent by another
    run right now), or if there is no one to send it to."""
    subject = reminder.subject
    if not reminder.recipients:
        logger.warning("No one to remind about %s %s", subject._meta.verbose_name, subject.pk)
        return False
    with transaction.atomic():
        try:
            with transaction.atomic():
                ReminderClaim.objects.create(
                    subject_type=ContentType.objects.get_for_model(subject),
                    subject_id=subject.pk,
                    kind=reminder.kind,
                    due_on=reminder.due_on,
                    sent_to=sent_to_line(reminder.recipients),
                )
        except IntegrityError:
            return False  # the unique constraint: this reminder has been claimed already
        audit_record(
            action=reminder.audit_action,
            target=reminder.audit_target,
            partnership=reminder.partnership,
            actor_label=reminder.actor_label,
            payload=reminder.audit_payload,
        )
        notify(
            kind=reminder.notification,
            recipients=reminder.recipients,
            partnership=reminder.partnership,
            subject_object=subject,
            context=reminder.context,
            link=reminder.link,
        )
    return True


def reminders_send(*, today: datetime.date, sources: Iterable[str] | None = None) -> int:
    """Send every reminder due ``today`` from the registered sources (or only the ones named);
    return how many reminders were sent (one to several people counts once)."""
    names = list(_SOURCES) if sources is None else list(sources)
    sent = 0
    for name in names:
        for reminder in _SOURCES[name](today):
            if reminder_send(reminder):
                sent += 1
    return sent
