"""The honest search bench runs any query file (issue 15): ``bench/search_eval.py --queries``.

A query file other than the default is held out as a whole and reported per kind, its own kinds
included; a malformed one is refused before the slow data set is built. The last test runs the
three rankings of the bench on a small library in the real database.
"""

import json

import pytest

from bench import search_eval
from safeguarding.accounts.models import Partnership
from safeguarding.library.tests.search_support import make_record


def write(tmp_path, queries, name="fresh.json"):
    path = tmp_path / name
    path.write_text(json.dumps({"schema": "search-eval-queries/1", "queries": queries}))
    return path


FRESH = [
    {"id": "n1", "kind": "keyword", "text": "baby on the sofa", "relevant": ["b001"]},
    {"id": "fresh-2", "kind": "place_and_year", "text": "Rutland 2021", "relevant": ["b002"]},
    {
        "id": "q3",
        "kind": "facet",
        "text": "hoarding",
        "relevant": ["b001", "b002"],
        "filters": {"review_type": "sar"},
    },
]


def test_the_default_file_keeps_its_fixed_split():
    found = search_eval.queries()
    assert len(found) == 236
    assert {q["half"] for q in found if int(q["id"][1:]) % 2} == {"tuning"}
    assert {q["half"] for q in found if not int(q["id"][1:]) % 2} == {"held-out"}
    assert found == search_eval.queries(search_eval.DEFAULT_QUERIES)


def test_every_query_of_another_file_is_held_out(tmp_path):
    found = search_eval.queries(write(tmp_path, FRESH))
    assert [q["id"] for q in found] == ["n1", "fresh-2", "q3"]
    # "q3" would be tuning in the default file's split; here nothing was tuned on.
    assert {q["half"] for q in found} == {"held-out"}
    assert found[2]["filters"] == {"review_type": "sar"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": "n1"}, "used twice"),
        ({"relevant": []}, "at least one brief"),
        ({"relevant": ["b999"]}, "no brief b999"),
        ({"text": "  "}, "no 'text'"),
        ({"filters": {"year": 2020}}, "filters may only be"),
    ],
)
def test_a_malformed_file_is_refused(tmp_path, change, message):
    bad = [FRESH[0], {**FRESH[1], **change}]
    with pytest.raises(ValueError, match=message):
        search_eval.queries(write(tmp_path, bad))
    with pytest.raises(ValueError, match="no 'queries' list"):
        search_eval.queries(write(tmp_path, [], name="empty.json"))


def test_the_figures_are_per_kind_with_the_file_s_own_kinds(tmp_path):
    rows = []
    for query, hit in zip(search_eval.queries(write(tmp_path, FRESH)), (1, 0, 1), strict=True):
        judged = search_eval.judge(["eval-b001"] if hit else ["gen-1"], {"eval-b001"})
        rows.append({**query, **dict.fromkeys(search_eval.MODES, judged)})
    summary = search_eval.summarise(rows)
    assert list(summary["held-out"]["default"]) == ["all", "keyword", "facet", "place_and_year"]
    assert summary["held-out"]["default"]["all"]["hit_at_5"] == pytest.approx(2 / 3, abs=1e-3)
    assert summary["held-out"]["default"]["place_and_year"]["hit_at_5"] == 0
    assert summary["tuning"]["default"]["all"] == {"queries": 0}
    table = search_eval.quality_table(summary, "held-out").splitlines()
    assert [line.split()[0] for line in table[1:]] == ["all", "keyword", "facet", "place_and_year"]
    assert table[4].split()[1:3] == ["1", "0.00"]


@pytest.mark.django_db
def test_the_three_rankings_run_on_a_query_file(tmp_path):
    partnership = Partnership.objects.create(name="Eval", slug="eval")
    make_record(
        partnership,
        title="Child R: an infant who died on a sofa",
        external_id="eval-b001",
        summary="The baby died while sleeping on a sofa with a father who had been drinking.",
        full_text="The family's dog was on the sofa too.",
    )
    make_record(
        partnership,
        title="Mr T: self-neglect and hoarding",
        external_id="eval-b002",
        review_type="sar",
        age_group="adult",
        summary="An older man living in a hoarded home in Rutland.",
    )
    rows = search_eval.measure_quality(partnership, search_eval.queries(write(tmp_path, FRESH)))
    by_id = {row["id"]: row for row in rows}
    for mode in search_eval.MODES:
        assert by_id["n1"][mode]["top"][0] == "eval-b001"
        assert by_id["n1"][mode]["hit_at_5"]
        # The filter applies in every ranking: only the SAR can be found.
        assert by_id["q3"][mode]["top"] == ["eval-b002"]
