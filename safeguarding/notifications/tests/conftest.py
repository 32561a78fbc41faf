"""An example notification kind for the tests of the notifications app, with its template in
tests/templates (added to the template directories for these tests only)."""

import copy
from pathlib import Path

import pytest

from safeguarding.notifications.kinds import NotificationKind, register_kinds

EXAMPLE = "example.ready"
register_kinds(
    {
        EXAMPLE: NotificationKind(
            label="An example for tests",
            subject="{{ thing }} is ready",
            template="notifications/tests/example.txt",
        )
    }
)


@pytest.fixture(autouse=True)
def example_templates(settings):
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], Path(__file__).parent / "templates"]
    settings.TEMPLATES = templates
