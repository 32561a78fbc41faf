"""Rule IDs read on screen as their guidance, to the paragraph where the source gives one."""

from safeguarding.core.rule_sources import RULE_SOURCES, rule_source, rules_in_words


def test_the_annual_report_rules_name_their_paragraph_of_the_care_act():
    assert rule_source("R24") == "Care Act 2014, schedule 2, paragraph 4(1)"
    assert rule_source("R25") == "Care Act 2014, schedule 2, paragraph 4(2)"
    assert rules_in_words("R24 and R25") == (
        "Care Act 2014, schedule 2, paragraph 4(1); Care Act 2014, schedule 2, paragraph 4(2)"
    )


def test_every_rule_has_words_and_none_shows_an_id():
    assert set(RULE_SOURCES) == {f"R{n}" for n in range(1, 47)}
    assert not any(
        "R" + str(n) in text.split() for text in RULE_SOURCES.values() for n in range(45)
    )
