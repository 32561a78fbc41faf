"""Library search: stemming, spelling, synonyms and abbreviations, practitioner wording,
visibility, facets, snippets, the keyword baseline, the command, the index kept in step, and
a fixed number of queries (docs/search.md)."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safeguarding.library import embeddings, indexing, search_catalogue
from safeguarding.library.models import SearchTerm
from safeguarding.library.search import search_records

from .search_support import make_library, make_record, vectors_now

# The sentence model is on here (off elsewhere in the tests: conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.search_vectors]


def titles(result):
    return [hit.title for hit in result.hits]


def first_title(partnership, query, **kwargs):
    result = search_records(partnership, query, **kwargs)
    return result.hits[0].title if result.hits else None


@pytest.fixture
def library(partnership):
    return make_library(partnership)


def test_stemming_finds_other_forms_of_a_word(partnership, library):
    # "neglected" is in the record; the query says "neglect" (and the other way round)
    assert first_title(partnership, "neglect", mode="keyword") == library["neglect"].title
    result = search_records(partnership, "neglecting children", mode="keyword")
    assert library["neglect"].title in titles(result)


@pytest.mark.parametrize(
    ("query", "key", "corrected"),
    [
        ("strangulaton", "strangulation", "strangulation"),
        ("self neglact", "self_neglect", "self neglect"),
        ("non-fatal strangulaton", "strangulation", "non-fatal strangulation"),
    ],
)
def test_misspelt_words_are_corrected(partnership, library, query, key, corrected):
    result = search_records(partnership, query)
    assert result.hits[0].title == library[key].title
    assert result.corrected_query == corrected
    assert result.showing_results_for == corrected
    # the keyword baseline does not correct
    assert search_records(partnership, query, mode="keyword").corrected_query == ""


def test_correct_words_are_left_alone(partnership, library):
    result = search_records(partnership, "strangulation")
    assert result.corrected_query == ""
    assert result.corrections == {}


def test_abbreviation_finds_the_words_it_stands_for(partnership, library):
    # the SUDI record never says "SUDI" in its text; its theme name does, so take it away
    record = library["sudi"]
    record.themes_text = "Safer sleep"
    record.save()
    with vectors_now():
        indexing.record_indexed(record)
    result = search_records(partnership, "SUDI")
    assert result.hits[0].title == record.title
    assert "sudden unexpected death in infancy" in result.expansions
    assert search_records(partnership, "SUDI", mode="keyword").total == 0


def test_expansion_in_the_query_finds_the_abbreviation(partnership, library):
    record = make_record(
        partnership,
        title="Thematic review of MARAC referrals",
        summary="Referrals to MARAC were delayed and agreed actions were not followed up.",
    )
    make_record(
        partnership, title="Another review", summary="Teachers assessed the risk at school."
    )
    query = "multi-agency risk assessment conference"
    result = search_records(partnership, query)
    assert "marac" in result.expansions
    assert record.pk in [hit.record_id for hit in result.hits[:2]]
    assert record.pk not in [
        hit.record_id for hit in search_records(partnership, query, mode="keyword").hits
    ]


def test_practitioner_words_find_the_right_record_among_distractors(partnership, library):
    query = "baby died in the parents' bed after they had been drinking"
    result = search_records(partnership, query)
    assert result.hits[0].title == library["sudi"].title


def test_everyday_word_for_strangulation(partnership, library):
    result = search_records(partnership, "he choked her")
    assert result.hits[0].title == library["strangulation"].title


def test_partnership_search_terms_are_used_and_override_shared_ones(partnership, library):
    assert library["cce"].title not in titles(search_records(partnership, "trapping"))[:1]
    SearchTerm.objects.create(partnership=partnership, term="trapping", expansion="county line")
    assert search_records(partnership, "trapping").hits[0].title == library["cce"].title


def test_public_only_hides_non_public_and_archived_records(partnership, library):
    library["nai"].is_public = False
    library["nai"].save()
    library["sudi"].archived_at = timezone.now()
    library["sudi"].save()
    indexing.record_unindexed(library["sudi"])
    staff = search_records(partnership, "infant baby")
    public = search_records(partnership, "infant baby", public_only=True)
    assert library["nai"].title in titles(staff)
    assert library["sudi"].title not in titles(staff)
    assert library["nai"].title not in titles(public)
    assert library["sudi"].title not in titles(public)
    assert all(hit.is_public for hit in public.hits)


def test_other_partnerships_records_are_not_searched(partnership, other_partnership, library):
    theirs = make_record(other_partnership, title="Strangulation review elsewhere")
    result = search_records(partnership, "strangulation")
    assert theirs.title not in titles(result)
    assert theirs.title in titles(search_records(None, "strangulation"))


def test_facets_count_the_matching_records(partnership):
    for year, review_type in [(2020, "cspr"), (2020, "sar"), (2021, "cspr")]:
        make_record(
            partnership,
            title=f"Neglect review {year} {review_type}",
            summary="Neglect of a child.",
            year=year,
            review_type=review_type,
            themes=["Neglect"],
            age_group="child",
        )
    make_record(partnership, title="Unrelated", summary="Budget report.", year=2019)
    result = search_records(partnership, "neglect", mode="keyword")
    assert result.total == 3
    counts = {name: {v.value: v.count for v in values} for name, values in result.facets.items()}
    assert counts["year"] == {"2021": 1, "2020": 2}
    assert counts["review_type"] == {"cspr": 2, "sar": 1}
    assert counts["age_group"] == {"child": 3}
    assert counts["publisher"] == {"Testshire Safeguarding Partnership": 3}
    [theme] = result.facets["theme"]
    assert (theme.label, theme.count) == ("Neglect", 3)
    assert [v.label for v in result.facets["review_type"]] == [
        "Child safeguarding practice review",
        "Safeguarding adults review",
    ]

    filtered = search_records(partnership, "neglect", mode="keyword", filters={"year": 2020})
    assert filtered.total == 2
    assert {h.year for h in filtered.hits} == {2020}
    # a facet's own filter does not narrow its counts; the others' do
    years = {v.value: (v.count, v.selected) for v in filtered.facets["year"]}
    assert years == {"2021": (1, False), "2020": (2, True)}
    assert {v.value: v.count for v in filtered.facets["review_type"]} == {"cspr": 1, "sar": 1}
    by_theme = search_records(
        partnership, "neglect", mode="keyword", filters={"theme": [theme.value]}
    )
    assert by_theme.total == 3


def test_snippet_marks_matches_and_escapes_everything_else(partnership):
    make_record(
        partnership,
        title="Review <b>bold</b>",
        summary='The <script>alert("x")</script> record & strangulation was reported.',
    )
    result = search_records(partnership, "strangulation", mode="keyword")
    html = str(result.hits[0].snippet)
    assert "<mark>strangulation</mark>" in html
    assert "<script" not in html and "</script>" not in html
    assert "&lt;/script&gt;" in html
    assert "&amp;" in html
    assert result.hits[0].title == "Review <b>bold</b>"  # escaped by the template, not here


def test_snippet_comes_from_the_full_text_when_nothing_else_matches(partnership):
    words = " ".join(["Background information."] * 50)
    make_record(
        partnership,
        title="A long report",
        summary="Nothing relevant here.",
        full_text=f"{words} The child was seen by the health visitor who noted cuckooing.",
    )
    html = str(search_records(partnership, "cuckooing", mode="keyword").hits[0].snippet)
    assert html.startswith("…")
    assert "<mark>cuckooing</mark>" in html


def test_keyword_mode_is_the_plain_baseline(partnership, library):
    for query in ["strangulaton", "he choked her", "self neglact"]:
        smart = search_records(partnership, query)
        keyword = search_records(partnership, query, mode="keyword")
        assert titles(smart) != titles(keyword), query
        assert not keyword.expansions and not keyword.corrected_query
    smart = search_records(partnership, "baby died in bed after drinking")
    keyword = search_records(partnership, "baby died in bed after drinking", mode="keyword")
    assert smart.expansions and not keyword.expansions
    assert keyword.hits[0].title == library["nai"].title  # "baby" is in its title


def test_full_text_is_searched_and_ranked_below_the_title(partnership):
    in_title = make_record(partnership, title="Cuckooing of a vulnerable adult")
    in_text = make_record(
        partnership, title="Another review", full_text="Police found evidence of cuckooing."
    )
    result = search_records(partnership, "cuckooing", mode="keyword")
    assert [h.record_id for h in result.hits] == [in_title.pk, in_text.pk]


def test_index_follows_changes_and_deletions(partnership):
    record = make_record(partnership, title="Original heading about hoarding")
    assert search_records(partnership, "hoarding", mode="keyword").total == 1
    record.title = "Changed heading about strangulation"
    record.save()
    indexing.record_indexed(record)
    assert search_records(partnership, "hoarding", mode="keyword").total == 0
    assert search_records(partnership, "strangulation", mode="keyword").total == 1
    record.delete()
    assert search_records(partnership, "strangulation", mode="keyword").total == 0


def test_pages_and_totals(partnership):
    for n in range(12):
        make_record(partnership, title=f"Neglect review {n}", year=2010 + n)
    first = search_records(partnership, "neglect", limit=5, mode="keyword")
    second = search_records(partnership, "neglect", limit=5, offset=5, mode="keyword")
    assert first.total == second.total == 12
    assert len(first.hits) == len(second.hits) == 5
    assert not {h.record_id for h in first.hits} & {h.record_id for h in second.hits}
    assert first.has_next and not first.has_previous and second.has_previous


def test_empty_and_stopword_queries_find_nothing(partnership, library):
    for query in ["", "   ", "the and of", "!!!"]:
        result = search_records(partnership, query)
        assert result.total == 0
        assert result.hits == []


def test_query_syntax_is_not_interpreted(partnership, library):
    for query in ['"unbalanced', "NEAR(a b)", "title:strangulation", "a & b | !c", "x' OR 1=1"]:
        search_records(partnership, query)  # no error
    assert search_records(partnership, "title:strangulation").total >= 1


def test_search_library_command_prints_json(partnership, library):
    out = StringIO()
    call_command("search_library", "strangulaton", "--json", "--limit", "3", stdout=out)
    hits = json.loads(out.getvalue())
    assert 1 <= len(hits) <= 3
    assert set(hits[0]) == {"id", "external_id", "title", "score"}
    assert hits[0]["id"] == library["strangulation"].pk
    assert hits[0]["external_id"] == library["strangulation"].external_id
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_search_library_command_options(partnership, other_partnership, library):
    theirs = make_record(other_partnership, title="Strangulation elsewhere")
    out = StringIO()
    call_command(
        "search_library", "strangulation", "--json", "--partnership", "elsewhere", stdout=out
    )
    assert [h["id"] for h in json.loads(out.getvalue())] == [theirs.pk]
    out = StringIO()
    call_command("search_library", "strangulaton", "--json", "--keyword", stdout=out)
    assert json.loads(out.getvalue()) == []
    out = StringIO()
    call_command("search_library", "strangulaton", stdout=out)
    assert "Showing results for: strangulation" in out.getvalue()


def test_search_library_command_rebuilds_the_index(partnership, library):
    out = StringIO()
    call_command("search_library", "--rebuild", stdout=out)
    assert "6 records" in out.getvalue()
    assert search_records(partnership, "strangulation").hits[0].record_id == (
        library["strangulation"].pk
    )


def _queries_for_a_search(partnership, query="neglect of children"):
    search_records(partnership, query)  # builds the per-process catalogue
    with CaptureQueriesContext(connection) as captured:
        result = search_records(partnership, query, filters={"year": "2020"})
    return len(captured.captured_queries), result


def test_a_search_takes_the_same_number_of_queries_whatever_the_size(partnership):
    def add(count, start):
        for n in range(start, start + count):
            make_record(
                partnership,
                title=f"Review {n}: neglect of children",
                summary="Children were neglected.",
                year=2020 if n % 2 else 2021,
                themes=["Neglect"],
                index=False,
            )
        from safeguarding.library import search_index
        from safeguarding.library.models import LibraryRecord

        search_index.index_records(LibraryRecord.objects.filter(partnership=partnership))

    add(10, 0)
    small, result = _queries_for_a_search(partnership)
    assert result.total == 5
    add(90, 10)
    large, result = _queries_for_a_search(partnership)
    assert result.total == 50
    assert small == large <= 5


def test_caches_notice_changes(partnership):
    make_record(partnership, title="Hoarding review", year=2020)
    assert search_records(partnership, "hoarding").total == 1
    make_record(partnership, title="Second hoarding review", year=2022)
    result = search_records(partnership, "hoarding")
    assert result.total == 2
    assert {v.value for v in result.facets["year"]} == {"2020", "2022"}


def test_meaning_finds_a_record_in_other_words(partnership):
    if not embeddings.available():
        pytest.skip("no sentence model installed")
    wanted = make_record(
        partnership,
        title="Adult G: exploitation in his own home",
        summary="Men dealing drugs took over the flat of a man with a learning disability.",
    )
    make_record(partnership, title="Older woman in a care home", summary="Pressure ulcers.")
    make_record(partnership, title="Child H", summary="An infant died while co-sleeping.")
    result = search_records(partnership, "gang moved into a vulnerable person's home")
    assert result.hits[0].record_id == wanted.pk


def test_record_years_are_shown(partnership):
    make_record(
        partnership,
        title="Old review of hoarding",
        year=2009,
        published_on=datetime.date(2009, 5, 1),
    )
    assert search_records(partnership, "hoarding").hits[0].year == 2009


def test_clear_caches(partnership, library):
    search_catalogue.clear_caches()
    assert search_records(partnership, "strangulation").total >= 1


def test_the_words_and_their_synonyms_are_at_most_one_full_text_query(partnership, library):
    """The stamp, the full-text query for the query's own words and the synonyms its search
    terms add (on PostgreSQL one statement for both, see ``keyword_match_lists``; on SQLite
    none once the words were read into memory, see ``search_postings``), the page of hits. The
    keyword mode keeps one full-text query."""
    search_records(partnership, "baby drinking")  # builds the per-process catalogue
    with CaptureQueriesContext(connection) as captured:
        result = search_records(partnership, "baby drinking")
    assert result.expansions  # "infant", "alcohol" …
    sql = [q["sql"] for q in captured.captured_queries]
    full_text = 0 if connection.vendor == "sqlite" else 1
    assert len(sql) == 2 + full_text
    assert sum("library_search" in s and ("MATCH" in s or "@@" in s) for s in sql) == full_text
    with CaptureQueriesContext(connection) as captured:
        search_records(partnership, "baby drinking", mode="keyword")
    sql = [q["sql"] for q in captured.captured_queries]
    assert sum("library_search" in s and ("MATCH" in s or "@@" in s) for s in sql) == 1


def test_each_list_of_one_full_text_query_is_ranked_as_if_alone(partnership, library):
    from safeguarding.library import search_index

    where = {"partnership_id": partnership.pk, "public_only": False}
    own = [["baby"], ["sleeping"]]
    synonyms = [["infant"], ["co", "sleeping"], ["alcohol"]]
    both = search_index.keyword_match_lists([own, [], synonyms], **where)
    assert both == [
        search_index.keyword_matches(own, **where),
        [],
        search_index.keyword_matches(synonyms, **where),
    ]
    assert both[0] and both[2]
