"""What people read on screen: no developer text and no doubled words.

The demo is loaded and the staff pages are walked by following links (as the business unit, a
partner lead, a reviewer and an agency contributor), then the public pages. Each page's visible
text must not cite the project's own notes (the statutory or design notes by file name), must
not show a bare
rule ID ("R9"): rule references on screen name the guidance and paragraph in plain words
(docs/rules.md has the sources), and must not repeat a label ("(optional) (optional)",
"Key learning: Key learning:").
"""

import contextlib
import re
import sys
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.db import transaction
from django.test import Client

pytestmark = pytest.mark.django_db

PARTNERSHIP = "riverton-safeguarding"
PAGE_LIMIT = 400
# Links that change nothing but are not pages to read, or that end the session.
SKIP = re.compile(
    r"/sign-out|/download|/export|\.(pdf|docx|xlsx|csv|ics|json|xml|atom)\b|/file/|/files/"
    r"|/feed|/identity/|/real-name|/template"
)

DEVELOPER_TEXT = re.compile(r"STATUTORY\.md|DESIGN\.md|docs/rules\.md|§")
BARE_RULE_ID = re.compile(r"\bR\d{1,2}\b")
DOUBLED = [
    re.compile(r"(\([^()\n]{2,40}\)) *\1"),  # (optional) (optional)
    re.compile(r"\b([A-Z][\w ]{1,40}): *\1:"),  # Key learning: Key learning:
    re.compile(r"\b([A-Za-z]{3,}) +\1\b", re.IGNORECASE),  # the the (on one line)
]


class _Text(HTMLParser):
    """The text a person sees (and hears: visually hidden text is read out), with the links."""

    HIDDEN = {"script", "style", "template", "head", "title", "noscript"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._skip += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)
        if tag in {"p", "div", "li", "td", "th", "dt", "dd", "h1", "h2", "h3", "label", "br"}:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"[ \t\r\f\v]+", " ", "".join(self.parts))


def problems_in(text: str) -> list[str]:
    found = [m.group(0) for m in DEVELOPER_TEXT.finditer(text)]
    found += [m.group(0) for m in BARE_RULE_ID.finditer(text)]
    for pattern in DOUBLED:
        found += [m.group(0) for m in pattern.finditer(text)]
    return found


def _walk(client: Client, starts: list[str], inside: tuple[str, ...]) -> dict[str, list[str]]:
    """Follow links from ``starts`` within the ``inside`` prefixes; the problems of each page."""
    seen: set[str] = set()
    queue = list(starts)
    problems: dict[str, list[str]] = {}
    while queue and len(seen) < PAGE_LIMIT:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _Text()
        parser.feed(response.content.decode())
        if found := problems_in(parser.text):
            problems[url] = found
        for href in parser.links:
            link = urldefrag(href).url
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not link.startswith(inside) or SKIP.search(link):
                continue
            if link not in seen:
                queue.append(link)
    assert len(seen) > 5, f"only {len(seen)} pages reached from {starts}"
    return problems


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module (about 1.2 s of CPU a time) rather than for each
    test: in a transaction that stays open for the module and is rolled back at its end. Each
    test runs in pytest-django's own transaction, a savepoint inside that one, so what a test
    changes (a session, a notice read) is undone after it, and every test meets the demo as
    loaded."""
    from safeguarding.workspace.management.commands.load_demo import load_demo

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load_demo()
        except BaseException:
            outer.__exit__(*sys.exc_info())
            raise
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _signed_in(email: str) -> Client:
    from safeguarding.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def test_the_patterns_find_what_they_are_for():
    assert problems_in("Deadline (" + "STATUTORY" + ".md §5)")
    assert problems_in("expected in 15 working days (R9)")
    assert problems_in("Summary (optional) (optional)")
    assert problems_in("Key learning: Key learning: be curious")
    assert not problems_in(
        "Working Together to Safeguard Children 2023, chapter 5, paragraph 20. Reference R-2026-01"
    )


@pytest.mark.parametrize(
    "email",
    [
        "business.unit@riverton.example",
        "partner.lead@riverton.example",
        "reviewer@riverton.example",
        "agency.police@riverton.example",
    ],
)
def test_staff_pages_of_the_demo_show_no_developer_text_or_doubled_words(demo, email):
    client = _signed_in(email)
    problems = _walk(client, ["/manage/", f"/manage/{PARTNERSHIP}/"], ("/manage/",))
    assert not problems, "\n".join(f"{url}: {found}" for url, found in problems.items())


def test_public_pages_of_the_demo_show_no_developer_text_or_doubled_words(demo, client):
    problems = _walk(
        client, ["/", f"/{PARTNERSHIP}/reviews/", f"/{PARTNERSHIP}/refer/"], (f"/{PARTNERSHIP}/",)
    )
    assert not problems, "\n".join(f"{url}: {found}" for url, found in problems.items())


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_no_form_label_says_optional_itself():
    """The GOV.UK form renderer adds "(optional)" to a field that is not required: a label that
    says it too reads "(optional) (optional)"."""
    import django.apps

    from safeguarding.core.forms import GovukForm

    for config in django.apps.apps.get_app_configs():
        if config.name.startswith("safeguarding."):
            for module in ("forms", "staff_forms", "public_forms", "plan_forms", "tracker_forms"):
                with contextlib.suppress(ModuleNotFoundError):
                    __import__(f"{config.name}.{module}")
    labelled = []
    for form_class in _all_subclasses(GovukForm):
        for name, field in form_class.base_fields.items():
            if "optional" in str(field.label or "").lower():
                labelled.append(f"{form_class.__module__}.{form_class.__name__}.{name}")
    assert not labelled, labelled
