"""The tag an action's status is shown with (its label and GOV.UK colour), for the action's
own pages, the action plan and the tracker's rows read as values."""

import datetime

from .models import Action

Status = Action.Status

# GOV.UK tag colour for each status (the label is the status's own).
STATUS_COLOURS: dict[str, str] = {
    Status.NOT_STARTED: "govuk-tag--light-blue",
    Status.ON_TRACK: "govuk-tag--turquoise",
    Status.AT_RISK: "govuk-tag--orange",
    Status.COMPLETION_REQUESTED: "govuk-tag--blue",
    Status.COMPLETE: "govuk-tag--green",
    Status.NOT_IMPLEMENTED: "govuk-tag--grey",
}
OVERDUE = ("Overdue", "govuk-tag--red")

_STATUS_LABELS = dict(Status.choices)


def status_tag(action: Action, today: datetime.date) -> dict[str, str]:
    """The label and colour shown for an action: an open action past its target date shows as
    overdue."""
    if action.is_overdue(today):
        label, colour = OVERDUE
    else:
        label, colour = action.get_status_display(), STATUS_COLOURS[action.status]
    return {"label": label, "colour": colour}


def status_tag_of(status: str, target_date: datetime.date, today: datetime.date) -> dict[str, str]:
    """``status_tag`` from an action's status and target date alone (a row read as values)."""
    if status in Action.AGENCY_SETTABLE and target_date < today:
        label, colour = OVERDUE
    else:
        label, colour = _STATUS_LABELS.get(status, status), STATUS_COLOURS[status]
    return {"label": label, "colour": colour}
