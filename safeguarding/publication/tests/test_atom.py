"""The feed written in one pass (``publication/atom.py``, issue 16) gives the characters Django's
``Atom1Feed`` gave, on values holding markup, both kinds of quote, ampersands, non-ASCII
addresses and empty texts."""

import datetime

import pytest
from django.utils import feedgenerator

from safeguarding.publication.atom import Entry, atom_feed

NASTY = "<script>alert('x')</script> & \"quoted\" O'Neill – café"
UTC = datetime.UTC
LONDON = datetime.timezone(datetime.timedelta(hours=1))


def _django(entries: list[Entry], title: str, link: str, feed_url: str) -> str:
    atom = feedgenerator.Atom1Feed(
        title=title, link=link, description="ignored", language="en-gb", feed_url=feed_url
    )
    for entry in entries:
        atom.add_item(
            title=entry.title,
            link=entry.link,
            unique_id=entry.link,
            description=entry.summary,
            pubdate=entry.published,
            updateddate=entry.updated,
            categories=[entry.category],
        )
    return atom.writeString("utf-8")


@pytest.mark.parametrize("count", [1, 3])
def test_the_feed_is_what_atom1feed_writes(count):
    entries = [
        Entry(
            title=[NASTY, "", "Plain"][n],
            link=f"https://example.org/north/published/{n}/?a=1&b=<2>&c=\"'é",
            summary=[NASTY, "", "Summary"][n],
            published=datetime.datetime(2025, 3, n + 1, 9, tzinfo=UTC),
            updated=datetime.datetime(2026, 1, n + 1, 12, 30, tzinfo=LONDON),
            category=["Child Safeguarding Practice Review", NASTY, 'a"b'][n],
        )
        for n in range(count)
    ]
    title, link = f"North {NASTY}: published reviews", "https://example.org/north/reviews/é"
    feed_url = "https://example.org/north/published/feed.atom?x=1&y='2'"
    written = atom_feed(
        title=title, link=link, feed_url=feed_url, language="en-gb", entries=entries
    )
    assert written == _django(entries, title, link, feed_url)
    assert "<script>" not in written


def test_an_empty_feed_is_updated_now_as_atom1feed_says():
    written = atom_feed(
        title="T", link="https://e.org/", feed_url="https://e.org/f", language="en-gb", entries=[]
    )
    expected = _django([], "T", "https://e.org/", "https://e.org/f")
    assert written.split("<updated>")[0] == expected.split("<updated>")[0]
    assert written.endswith("</updated></feed>") and expected.endswith("</updated></feed>")
