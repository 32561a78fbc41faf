"""The default search's full-text ranking statement on PostgreSQL (issue 15, PostgreSQL speed
round; docs/search.md): ``search_index._POSTGRES_LEAN_RANKING`` works each word's idf out once
instead of once per matching record, and must give the same (record id, score) lists, in the
same order and to the last bit, as the statement the keyword mode keeps, on a real index. A
list with a phrase looks its terms up in ``library_search.terms`` (words, the pairs of words
side by side and the record's id; ADR 0057): the same lists again, and ``terms`` kept in step
with the records."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safeguarding.library import search_index, search_postings, services
from safeguarding.library.models import LibraryRecord
from safeguarding.library.search import search_records
from safeguarding.library.search_catalogue import catalogue

from .search_support import make_library, make_record
from .test_search_postings import LISTS

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite ranks the default search in memory"
    ),
]

# Records that match many of a list's words, so that each record's score is a sum of several
# parts (a float sum depends on the order of its parts).
MANY = [
    [["neglect"], ["dental"], ["decay"], ["infant"], ["sleeping"], ["sofa"], ["child", "a"]],
    [["drugs"], ["county", "lines"], ["strangulation"], ["non", "fatal"], ["review"]],
]
# Phrases that ``terms`` cannot answer alone, checked against the documents (ADR 0057): longer
# than two words, with their pairs in records but not all in a row, a word three times.
PHRASES = [
    [["infant", "sleeping", "on", "a", "sofa"], ["decay", "and", "an", "infant"], ["sofa"]],
    [["neglect", "neglect", "neglect"], ["dental", "decay", "infant"], ["lines", "drugs"]],
]


@pytest.fixture
def library(partnership, other_partnership):
    records = make_library(partnership)
    for n in range(6):  # records made from one template: equal scores but for the last bit
        records[f"template{n}"] = make_record(
            partnership,
            title=f"Child A{n}: neglect, dental decay and an infant sleeping on a sofa",
            summary="Neglect and dental decay; the infant was sleeping on a sofa. " * (1 + n % 2),
            full_text="County lines, drugs and non-fatal strangulation were seen. " * (n + 1),
            recommendations="Review neglect early." if n % 3 else "",
            is_public=bool(n % 2),
        )
    records["other"] = make_record(
        other_partnership,
        title="Child A: neglect in another area",
        summary="Dental decay and neglect of an infant sleeping on a sofa.",
    )
    records["archived"] = make_record(
        partnership, title="Child B: an archived review of neglect", summary="Drugs."
    )
    records["archived"].archived_at = timezone.now()
    records["archived"].save()
    return records


def both(lists, **where):
    return (
        search_index.keyword_match_lists(lists, **where),
        search_index.keyword_match_lists(lists, **where, lean=False),
    )


@pytest.mark.parametrize("phrases", LISTS + MANY + PHRASES)
@pytest.mark.parametrize(
    "where", ["partnership", "partnership public", "every partnership", "every public"]
)
def test_the_same_scores_as_the_keyword_statement(partnership, library, phrases, where):
    kwargs = {
        "partnership_id": None if "every" in where else partnership.pk,
        "public_only": "public" in where,
    }
    lean, plain = both([phrases, [], [["infant"], ["alcohol"]]], **kwargs)
    assert lean == plain  # the same ids, order and floats


def test_the_comparison_compares_something(partnership, library):
    """Matches, several parts a record, scores that differ, the idf of more than one document
    frequency, only live records of the partnership."""
    where = {"partnership_id": partnership.pk, "public_only": False}
    (found,), _ = both([MANY[0]], **where)
    ids = [pk for pk, _ in found]
    assert library["template0"].pk in ids
    assert library["other"].pk not in ids and library["archived"].pk not in ids
    assert len({score for _, score in found}) > 3
    assert both([[["zzqxv"]]], **where)[0] == [[]]


def test_the_default_search_and_the_keyword_mode_both_use_it(partnership, library):
    """Both modes run the lean statement (ADR 0043): the keyword mode, the speed goal's
    yardstick, is not left with the slower statement to flatter the ratio. The default
    search ranks its own words and its synonyms in one statement (ADR 0049), a chain of the
    lean statement's CTEs for each."""
    search_records(partnership, "baby drinking")  # builds the per-process catalogue
    with CaptureQueriesContext(connection) as captured:
        search_records(partnership, "baby drinking")
    ranking = [q["sql"] for q in captured.captured_queries if "@@" in q["sql"]]
    assert len(ranking) == 1
    assert ranking[0].count("generate_series") == 2 and "UNION ALL" in ranking[0]
    with CaptureQueriesContext(connection) as captured:
        search_records(partnership, "baby drinking", mode="keyword")
    ranking = [q["sql"] for q in captured.captured_queries if "@@" in q["sql"]]
    assert len(ranking) == 1 and "generate_series" in ranking[0]
    lists = [[["baby"]], [["infant"], ["alcohol"]]]
    where = {"partnership_id": partnership.pk, "public_only": False}
    assert search_postings.keyword_match_lists(catalogue(), lists, **where) == (
        search_index.keyword_match_lists(lists, **where)
    )


def lists_both_ways(lists, **where):
    return (
        search_index.keyword_match_lists(lists, **where),
        search_index.keyword_match_lists(lists, **where, together=False),
    )


@pytest.mark.parametrize(
    "where", ["partnership", "partnership public", "every partnership", "every public"]
)
def test_lists_in_one_statement_as_in_a_statement_each(partnership, library, where):
    """The default search's own words and synonyms in one statement (ADR 0049) give each list
    what its own statement gives: the same ids, order and floats to the last bit (records made
    from one template have equal scores but for the last bit, and several parts each)."""
    kwargs = {
        "partnership_id": None if "every" in where else partnership.pk,
        "public_only": "public" in where,
    }
    alone = {
        n: search_index.keyword_matches(phrases, **kwargs) for n, phrases in enumerate(LISTS + MANY)
    }
    compared = 0
    for a, phrases in enumerate(LISTS + MANY):
        for b, synonyms in enumerate(LISTS + MANY):
            one, each = lists_both_ways([phrases, synonyms], **kwargs)
            assert one == each == [alone[a], alone[b]], (phrases, synonyms)
            compared += bool(alone[a] and alone[b])
    assert compared > 50


def test_lists_in_one_statement_leave_empty_lists_out(partnership, library):
    """An empty list between two others, or lists that match nothing, keep their places."""
    where = {"partnership_id": partnership.pk, "public_only": False}
    own, synonyms = MANY[0], [["infant"], ["alcohol"]]
    one, each = lists_both_ways([own, [], synonyms], **where)
    assert one == each and one[0] and one[1] == [] and one[2]
    one, each = lists_both_ways([[["zzqxv"]], [["qqzzv"]]], **where)
    assert one == each == [[], []]
    with CaptureQueriesContext(connection) as captured:
        search_index.keyword_match_lists([own, [], synonyms], **where)
    assert len(captured.captured_queries) == 1


STALE_TERMS = """SELECT count(*), count(*) FILTER (WHERE s.terms IS DISTINCT FROM t.terms
  OR s.paired IS DISTINCT FROM t.paired)
FROM library_search s, LATERAL library_search_terms(s.record_id, s.document) t"""


def test_the_phrase_lists_use_the_terms_and_the_word_lists_do_not(partnership, library):
    """Only a list with a phrase looks its terms up in ``terms``; the keyword mode's words
    alone keep the statement as it was (ADR 0057)."""
    where = {"partnership_id": partnership.pk, "public_only": False}
    with CaptureQueriesContext(connection) as captured:
        search_index.keyword_match_lists([[["child", "a"], ["infant"]]], **where)
        search_index.keyword_match_lists([[["infant"], ["alcohol"]]], **where)
        search_index.keyword_match_lists([[["child", "a"]], [["infant"]]], **where)
    phrased, words, both = (q["sql"] for q in captured.captured_queries)
    assert "s.terms @@ library_search_match(q.q)" in phrased and "s.document" not in phrased
    assert "terms" not in words and "s.document @@ q.q" in words
    assert both.count("library_search_match") == 1 and both.count("s.document @@ q.q") == 1


def test_a_document_without_its_pairs_is_checked_whole(partnership, library):
    """A document whose pairs were not kept (too many for a tsvector) is checked against its
    document, found by its id: the same lists as the reference statement."""
    where = {"partnership_id": partnership.pk, "public_only": False}
    unpaired = [library["template0"].pk, library["template3"].pk]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE library_search SET paired = false, "
            "terms = strip(document) || array_to_tsvector(ARRAY['#' || record_id]) "
            "WHERE record_id = ANY(%s)",
            [unpaired],
        )
    compared = 0
    for phrases in LISTS + MANY + PHRASES:
        lean, plain = both([phrases], **where)
        assert lean == plain, phrases
        compared += any(pk in unpaired for pk, _ in lean[0])
    assert compared > 3


def test_terms_kept_in_step_with_the_records(partnership, business_unit_user, library):
    """An edit, an import, a deletion and a rebuild leave every record's ``terms`` what its
    document gives, and a phrase an edit adds is found."""
    record = library["template1"]
    record.full_text = "Cuckooing was seen before the exploitation was named."
    record.save()
    services.library_import(
        partnership=partnership,
        actor=business_unit_user,
        source=json.dumps({"records": [IMPORTED]}).encode(),
        name="x.json",
    )
    library["template2"].delete()
    where = {"partnership_id": partnership.pk, "public_only": False}
    found = search_index.keyword_match_lists([[["cuckooing", "was"], ["sofa", "drift"]]], **where)
    imported = LibraryRecord.objects.get(external_id=IMPORTED["external_id"])
    assert {pk for pk, _ in found[0]} == {record.pk, imported.pk}
    for rebuilt in (False, True):
        if rebuilt:
            search_index.rebuild_index(vectors=False)
        with connection.cursor() as cursor:
            cursor.execute(STALE_TERMS)
            assert cursor.fetchone() == (LibraryRecord.objects.count(), 0)


IMPORTED = {
    "external_id": "pairs-2024-01",
    "title": "Child P: sofa drift",
    "review_type": "cspr",
    "publisher": "Northwold Safeguarding Children Partnership",
    "year": 2024,
    "summary": "Sofa drift and cuckooing.",
    "full_text": "A fictional report.",
    "is_public": False,
}
