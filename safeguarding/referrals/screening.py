"""Screening: one pure function of the facts against the statutory review tests.

``screen(Facts.from_dict(data), dhr_test=...)`` answers three questions for a partnership's
business unit:

* **CSPR** - must the local authority notify the Child Safeguarding Practice Review Panel of a
  serious incident (R1, R2, R7, R8)?
* **SAR** - is a Safeguarding Adults Review mandatory, discretionary or not available
  (R19-R22)?
* **DHR** - is a Domestic Homicide Review required (R27-R29), or, with
  ``dhr_test=DhrTest.VPA_2024_S19`` (``"vpa2024_s19"``), a Domestic Abuse Related Death Review
  under the Victims and Prisoners Act 2024 s19 test (R38)? The default is
  ``DhrTest.DVCVA_2004_S9`` (``"dvcva2004_s9"``); see ``screen`` and ``DhrTest``.

and lists the notifications that follow (Panel R1-R2; Secretary of State and Ofsted for a
looked-after child's death R4 or a care leaver's death R5), plus the multi-track rules (R41, R42).

The same function serves the web pages, the tests and ``python manage.py screen FILE.json
[--dhr-test vpa2024_s19]``; docs/screening.md describes the contract and the decision tables.

Every fact may be missing (``None``). Each condition is evaluated in three-valued (Kleene)
logic: True, False or None (unknown). A track is ``unknown`` only when the missing facts could
still change its answer: a known fact that fails a test gives ``not_met`` whatever is missing.
The tests check this against every completion of the missing facts, under both DHR tests.

The tests ask whether a death resulted, or appears to have resulted, from abuse or neglect
(``death_resulted_from_abuse``: R19 condition 1, R27, R38); the child test (R1) asks no
causation. No reason says that anyone caused a death. Domestic abuse (``domestic_abuse``) is
abuse for the child and adult tests.

Readings of the rules that go beyond their wording (each one marked ``Reading:`` below):

* ``suicide`` true means a death by suicide, so a missing ``harm`` is read as ``died``.
* A care leaver is 16 to 24 (Children Act 1989 relevant / former relevant child), so R5 needs
  16 <= age < 25 ("up to and including age 24").
* ``harmed_by`` names the person responsible: who is known or suspected to have abused or
  neglected the person (for a suicide, the abuser). When that is a stranger or someone else
  outside the family and household, a missing ``suicide`` or ``domestic_abuse`` does not keep
  R29 open: domestic abuse needs a personal connection. If the facts state both ``suicide`` and
  ``domestic_abuse`` true, R29 applies whoever ``harmed_by`` is (under the 2004 test).
* ``abuse_or_neglect`` not suspected covers domestic abuse too (the question includes it): with
  ``domestic_abuse`` missing, no domestic abuse is suspected. A ``domestic_abuse`` given wins.
* A suicide after domestic abuse is a death that appears to have resulted from the abuse (R29).
* A stranger is not a member of the household; ``household_member`` is.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from functools import cached_property
from typing import Any, Final

# --------------------------------------------------------------------------------------
# The contract: fact names, allowed values, results
# --------------------------------------------------------------------------------------

HARM_VALUES: Final = ("died", "serious_harm", "harm", "none")
ABUSE_OR_NEGLECT_VALUES: Final = ("known", "suspected", "not_suspected")
PLACE_VALUES: Final = ("in_area", "outside_area_in_england", "outside_england")
HARMED_BY_VALUES: Final = (
    "relative",
    "partner",
    "former_partner",
    "co_parent",
    "household_member",
    "other_known",
    "stranger",
    "unknown",
)

#: Facts that take one of a fixed list of strings.
CHOICE_FACTS: Final[dict[str, tuple[str, ...]]] = {
    "harm": HARM_VALUES,
    "abuse_or_neglect": ABUSE_OR_NEGLECT_VALUES,
    "place": PLACE_VALUES,
    "harmed_by": HARMED_BY_VALUES,
}
#: Facts that take JSON true or false.
BOOLEAN_FACTS: Final = (
    "looked_after",
    "care_leaver",
    "care_and_support_needs",
    "agency_working_concern",
    "self_neglect",
    "suicide",
    "domestic_abuse",
    "normally_resident_in_area",
    "death_resulted_from_abuse",
    "responsible_in_household",
    "responsible_aged_16_or_over",
)
#: Facts that take a number.
NUMBER_FACTS: Final = ("age",)
MAX_AGE: Final = 130

#: Every fact, in the order of the contract (and of the ``Facts`` fields).
FACT_NAMES: Final = (
    "age",
    "looked_after",
    "care_leaver",
    "care_and_support_needs",
    "agency_working_concern",
    "self_neglect",
    "suicide",
    "domestic_abuse",
    "harm",
    "abuse_or_neglect",
    "death_resulted_from_abuse",
    "place",
    "normally_resident_in_area",
    "harmed_by",
    "responsible_in_household",
    "responsible_aged_16_or_over",
)

#: A short plain-English question per fact, for forms and for the command's help.
FACT_LABELS: Final[dict[str, str]] = {
    "age": "Age in years at the time of the incident",
    "looked_after": "Was the child looked after by a local authority?",
    "care_leaver": "Was the person a care leaver?",
    "care_and_support_needs": (
        "Does the adult have needs for care and support (whether or not they are being met)?"
    ),
    "agency_working_concern": (
        "Is there reasonable cause for concern about how agencies worked together to "
        "safeguard the person?"
    ),
    "self_neglect": "Is self-neglect known or suspected?",
    "suicide": "Did the person die by suicide (known or suspected)?",
    "domestic_abuse": (
        "Is domestic abuse of the person known or suspected (for example coercive control, "
        "violence, threats, economic or emotional abuse by a partner, former partner or "
        "relative)?"
    ),
    "harm": "What happened to the person?",
    "abuse_or_neglect": (
        "Is abuse or neglect of the person by someone else known or suspected (including "
        "domestic abuse)?"
    ),
    "death_resulted_from_abuse": (
        "If the person died: did the death result, or does it appear to have resulted, from "
        "abuse or neglect (including domestic abuse or self-neglect)?"
    ),
    "place": "Where did the death or harm happen?",
    "normally_resident_in_area": "Does the person normally live in this area?",
    "harmed_by": (
        "Who is known or suspected to have abused or neglected the person (the person responsible)?"
    ),
    "responsible_in_household": (
        "Did the person responsible live in the person's household, or stay there so often "
        "that they were in effect a member of it?"
    ),
    "responsible_aged_16_or_over": "Was the person responsible aged 16 or over?",
}

#: A plain-English label per allowed value of each choice fact.
CHOICE_LABELS: Final[dict[str, dict[str, str]]] = {
    "harm": {
        "died": "Died",
        "serious_harm": "Seriously harmed",
        "harm": "Harmed, but not seriously",
        "none": "Not harmed",
    },
    "abuse_or_neglect": {
        "known": "Known",
        "suspected": "Suspected",
        "not_suspected": "Neither known nor suspected",
    },
    "place": {
        "in_area": "In this area",
        "outside_area_in_england": "Elsewhere in England",
        "outside_england": "Outside England",
    },
    "harmed_by": {
        "relative": "A relative",
        "partner": (
            "A partner (including a husband, wife or civil partner, or someone they had agreed "
            "to marry)"
        ),
        "former_partner": "A former partner",
        "co_parent": (
            "A parent of a child of theirs, or someone with parental responsibility for that child"
        ),
        "household_member": "Someone else in the same household (not a relative or partner)",
        "other_known": "Someone else they knew",
        "stranger": "A stranger",
        "unknown": "Not known yet",
    },
}


class DhrTest(StrEnum):
    """Which statutory test the DHR track uses: the ``dhr_test`` parameter of ``screen``.

    * ``dvcva2004_s9`` (the default): the Domestic Violence, Crime and Victims Act 2004 s9(1)
      test of a Domestic Homicide Review (R27-R29).
    * ``vpa2024_s19``: the Domestic Abuse Related Death Review test that the Victims and
      Prisoners Act 2024 s19 puts into the 2004 Act (prospective: a partnership switches it on
      from commencement): the death of a person which has, or appears to have, resulted from
      domestic abuse within the meaning of the Domestic Abuse Act 2021 (R38).
    """

    DVCVA_2004_S9 = "dvcva2004_s9"
    VPA_2024_S19 = "vpa2024_s19"


#: Every DHR test, in the order of ``DhrTest``, and the one used when none is given.
DHR_TESTS: Final = tuple(test.value for test in DhrTest)
DEFAULT_DHR_TEST: Final = DhrTest.DVCVA_2004_S9
DHR_TEST_LABELS: Final[dict[str, str]] = {
    DhrTest.DVCVA_2004_S9: (
        "Domestic Homicide Review: Domestic Violence, Crime and Victims Act 2004 section 9"
    ),
    DhrTest.VPA_2024_S19: (
        "Domestic Abuse Related Death Review: Victims and Prisoners Act 2024 section 19"
    ),
}

CSPR_RESULTS: Final = ("notify", "not_met", "unknown")
SAR_RESULTS: Final = ("mandatory", "discretionary", "not_met", "unknown")
DHR_RESULTS: Final = ("required", "not_met", "unknown")

NOTIFY_PANEL: Final = "panel"
NOTIFY_LOOKED_AFTER_DEATH: Final = "ofsted_sos_looked_after_death"
NOTIFY_CARE_LEAVER_DEATH: Final = "ofsted_sos_care_leaver_death"
#: Every notification, in the order they are listed.
NOTIFICATIONS: Final = (NOTIFY_PANEL, NOTIFY_LOOKED_AFTER_DEATH, NOTIFY_CARE_LEAVER_DEATH)
NOTIFICATION_LABELS: Final[dict[str, str]] = {
    NOTIFY_PANEL: (
        "Serious incident notification to the Child Safeguarding Practice Review Panel, "
        "within 5 working days (R1, R2)"
    ),
    NOTIFY_LOOKED_AFTER_DEATH: (
        "Notify the Secretary of State and Ofsted of the death of a looked-after child (R4)"
    ),
    NOTIFY_CARE_LEAVER_DEATH: (
        "Notify the Secretary of State and Ofsted of the death of a care leaver (R5)"
    ),
}

# Groups of values the tests use.
_DIED_OR_SERIOUSLY_HARMED = frozenset({"died", "serious_harm"})
_ABUSE_KNOWN_OR_SUSPECTED = frozenset({"known", "suspected"})
# R27 (a) with R28: relatives, current or former intimate partners. (b), a member of the same
# household, is ``household_member`` or ``responsible_in_household``.
_RELATIVE_OR_PARTNER = frozenset({"relative", "partner", "former_partner"})
_OUTSIDE_FAMILY_AND_HOUSEHOLD = frozenset({"other_known", "stranger"})
# R38: "personally connected" (Domestic Abuse Act 2021 s2): married, civil partners, agreed to
# marry, an intimate personal relationship (partner, former_partner), a parental relationship
# to the same child (co_parent), relatives.
_PERSONALLY_CONNECTED = frozenset({"relative", "partner", "former_partner", "co_parent"})

CHILD_UNDER: Final = 18  # R1: a child is under 18
ADULT_FROM: Final = 18  # R19: an adult is 18 or over
DHR_FROM: Final = 16  # R27: aged 16 or over
CARE_LEAVER_FROM: Final = 16  # Reading: care leavers are 16 or over
CARE_LEAVER_UNDER: Final = 25  # R5: up to and including age 24


# --------------------------------------------------------------------------------------
# Facts and their validation
# --------------------------------------------------------------------------------------


class ScreeningFactsError(ValueError):
    """The facts could not be read. ``problems`` lists every problem found.

    A problem about one fact starts with that fact's name (``"age must be ..."``), so a form
    can show it on the field; other problems (not an object, an unknown key) do not.
    """

    def __init__(self, problems: list[str] | tuple[str, ...]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class Facts:
    """What is known about the incident. ``None`` means not known (missing or JSON null)."""

    age: int | float | None = None
    looked_after: bool | None = None
    care_leaver: bool | None = None
    care_and_support_needs: bool | None = None
    agency_working_concern: bool | None = None
    self_neglect: bool | None = None
    suicide: bool | None = None
    domestic_abuse: bool | None = None
    harm: str | None = None
    abuse_or_neglect: str | None = None
    death_resulted_from_abuse: bool | None = None
    place: str | None = None
    normally_resident_in_area: bool | None = None
    harmed_by: str | None = None
    responsible_in_household: bool | None = None
    responsible_aged_16_or_over: bool | None = None

    @classmethod
    def from_dict(cls, data: Any) -> Facts:
        """Read one JSON object of facts; raise ``ScreeningFactsError`` listing every problem."""
        if not isinstance(data, Mapping):
            raise ScreeningFactsError([f"The facts must be a JSON object, not {_json_type(data)}."])
        problems: list[str] = []
        values: dict[str, Any] = {}
        for name in FACT_NAMES:
            value = data.get(name)
            if value is None:
                continue
            problem = _check_fact(name, value)
            if problem:
                problems.append(problem)
            else:
                values[name] = value
        for key in sorted((k for k in data if k not in FACT_NAMES), key=str):
            close = difflib.get_close_matches(str(key), FACT_NAMES, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            problems.append(f"{key!r} is not a fact this screening uses.{hint}")
        if problems:
            raise ScreeningFactsError(problems)
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        """The known facts only, in contract order (``from_dict`` reads this back)."""
        return {
            f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None
        }


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _check_fact(name: str, value: Any) -> str | None:
    """One problem with one (non-null) fact, or None when it is valid."""
    if name in NUMBER_FACTS:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{name} must be a number of years, not {_json_type(value)} ({value!r})."
        if not math.isfinite(value) or not 0 <= value <= MAX_AGE:
            return f"{name} must be between 0 and {MAX_AGE} years (got {value!r})."
        return None
    if name in BOOLEAN_FACTS:
        if not isinstance(value, bool):
            return f"{name} must be true or false, not {_json_type(value)} ({value!r})."
        return None
    allowed = CHOICE_FACTS[name]
    if not isinstance(value, str) or value not in allowed:
        return f"{name} must be one of {', '.join(allowed)} (got {value!r})."
    return None


# --------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackResult:
    """The answer for one review type: its result, the rule IDs applied, plain-English reasons,
    and (DHR only) which statutory test was applied (a ``DhrTest`` value)."""

    result: str
    rules: tuple[str, ...]
    reasons: tuple[str, ...]
    test: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "result": self.result,
            "rules": list(self.rules),
            "reasons": list(self.reasons),
        }
        if self.test is not None:
            out["test"] = self.test
        return out


@dataclass(frozen=True)
class ScreeningResult:
    cspr: TrackResult
    sar: TrackResult
    dhr: TrackResult
    notifications: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """The command's output shape: keys CSPR, SAR, DHR, notifications (lists, not tuples)."""
        return {
            "CSPR": self.cspr.as_dict(),
            "SAR": self.sar.as_dict(),
            "DHR": self.dhr.as_dict(),
            "notifications": list(self.notifications),
        }


# --------------------------------------------------------------------------------------
# Three-valued logic and explained conditions
# --------------------------------------------------------------------------------------

Tri = bool | None  # True, False, or None for unknown


def all_of(*values: Tri) -> Tri:
    """Kleene AND: False if any is False, else unknown if any is unknown, else True."""
    if any(v is False for v in values):
        return False
    if any(v is None for v in values):
        return None
    return True


def any_of(*values: Tri) -> Tri:
    """Kleene OR: True if any is True, else unknown if any is unknown, else False."""
    if any(v is True for v in values):
        return True
    if any(v is None for v in values):
        return None
    return False


@dataclass(frozen=True)
class _Reason:
    text: str
    rules: tuple[str, ...]
    # False for a reminder about a notification that may be due (R4, R5 unknown): it cites
    # its rule, but the track's ``rules`` list only the rules its answer rests on.
    applied: bool = True

    def render(self) -> str:
        return f"{self.text} ({', '.join(self.rules)})"


def _reason(text: str, *rules: str) -> _Reason:
    return _Reason(text, rules)


@dataclass(frozen=True)
class _Condition:
    """One condition of a test with the sentence to show when it is met, failed or unknown."""

    value: Tri
    met: _Reason | None = None
    failed: _Reason | None = None
    unknown: _Reason | None = None

    def reasons(self) -> list[_Reason]:
        reason = {True: self.met, False: self.failed, None: self.unknown}[self.value]
        return [reason] if reason else []


@dataclass(frozen=True)
class _AllOf:
    parts: tuple[_Node, ...]

    @cached_property
    def value(self) -> Tri:
        return all_of(*(p.value for p in self.parts))

    def reasons(self) -> list[_Reason]:
        # Failed: only the failing parts explain it. Otherwise no part failed: show each
        # part (met ones say what is established, unknown ones what to find out).
        parts = [p for p in self.parts if p.value is False] if self.value is False else self.parts
        return [r for p in parts for r in p.reasons()]


@dataclass(frozen=True)
class _AnyOf:
    parts: tuple[_Node, ...]

    @cached_property
    def value(self) -> Tri:
        return any_of(*(p.value for p in self.parts))

    def reasons(self) -> list[_Reason]:
        value = self.value
        parts = self.parts if value is False else [p for p in self.parts if p.value is value]
        return [r for p in parts for r in p.reasons()]


_Node = _Condition | _AllOf | _AnyOf


# --------------------------------------------------------------------------------------
# Facts read as conditions
# --------------------------------------------------------------------------------------


def _aged(age: float) -> str:
    return "aged under 1" if age < 1 else f"aged {math.floor(age)}"


def _age_at_least(facts: Facts, years: int) -> Tri:
    return None if facts.age is None else facts.age >= years


def _in(value: str | None, allowed: frozenset[str]) -> Tri:
    return None if value is None else value in allowed


def _harm(facts: Facts) -> str | None:
    """Reading: a suicide is a death, so ``suicide`` true with ``harm`` missing means died."""
    if facts.harm is None and facts.suicide is True:
        return "died"
    return facts.harm


def _died(facts: Facts) -> Tri:
    harm = _harm(facts)
    return None if harm is None else harm == "died"


def _died_text(facts: Facts, who: str) -> str:
    return f"{who} died by suicide" if facts.suicide is True else f"{who} died"


def _domestic_abuse(facts: Facts) -> Tri:
    """Reading: ``abuse_or_neglect`` not suspected covers domestic abuse too (the question
    includes it), so with ``domestic_abuse`` missing it means no domestic abuse is suspected.
    A ``domestic_abuse`` given always wins."""
    if facts.domestic_abuse is not None:
        return facts.domestic_abuse
    return False if facts.abuse_or_neglect == "not_suspected" else None


def _abuse_by_others(facts: Facts) -> Tri:
    """Abuse or neglect of the person by someone else, domestic abuse included, known or
    suspected (R1, R19, R27): domestic abuse such as coercive control is abuse."""
    return any_of(_in(facts.abuse_or_neglect, _ABUSE_KNOWN_OR_SUSPECTED), _domestic_abuse(facts))


def _suicide_after_da(facts: Facts) -> Tri:
    """R29. Reading (as in ``_suicide_after_domestic_abuse``): with someone outside the family
    and household responsible, a missing ``suicide`` or ``domestic_abuse`` does not leave a
    suicide after domestic abuse open; both given true still make one."""
    answer = all_of(facts.suicide, _domestic_abuse(facts))
    if answer is None and facts.harmed_by in _OUTSIDE_FAMILY_AND_HOUSEHOLD:
        return False
    return answer


def _death_resulted(facts: Facts) -> Tri:
    """Whether the death resulted, or appears to have resulted, from abuse or neglect (R19 C1,
    R27, R38). Reading: a suicide after domestic abuse is a death that appears to have resulted
    from that abuse (R29; the Home Office's reading of the 2024 change), whatever
    ``death_resulted_from_abuse`` says."""
    return any_of(facts.death_resulted_from_abuse, _suicide_after_da(facts))


def _missing_list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# --------------------------------------------------------------------------------------
# CSPR: serious incident notification (R1, R2, R7, R8) and R4, R5
# --------------------------------------------------------------------------------------


def _child(facts: Facts) -> _Condition:
    # R1: a child is anyone under 18.
    value = None if facts.age is None else facts.age < CHILD_UNDER
    aged = "" if facts.age is None else _aged(facts.age)
    return _Condition(
        value,
        met=_reason(f"The person is a child: {aged}, so under 18", "R1"),
        failed=_reason(
            f"The person is not a child: {aged}, and the CSPR test covers children under 18",
            "R1",
        ),
        unknown=_reason("Find out the person's age: the CSPR test covers children under 18", "R1"),
    )


def _child_harm(facts: Facts) -> _Condition:
    # R1: the child dies or is seriously harmed.
    harm = _harm(facts)
    return _Condition(
        _in(harm, _DIED_OR_SERIOUSLY_HARMED),
        met=_reason(
            _died_text(facts, "The child") if harm == "died" else "The child was seriously harmed",
            "R1",
        ),
        failed=_reason(
            (
                "The child was harmed, but not seriously"
                if harm == "harm"
                else "The child was not harmed"
            )
            + ": the test needs a death or serious harm",
            "R1",
        ),
        unknown=_reason("Find out whether the child died or was seriously harmed", "R1"),
    )


def _abuse_met_text(facts: Facts) -> str:
    if facts.abuse_or_neglect in _ABUSE_KNOWN_OR_SUSPECTED:
        return f"Abuse or neglect is {facts.abuse_or_neglect}"
    return "Domestic abuse (such as coercive control) is known or suspected, and it is abuse"


def _child_abuse(facts: Facts) -> _Condition:
    # R1: the LA knows or suspects the child has been abused or neglected (Children Act 2004
    # s16C(1): no causation is asked). Domestic abuse, such as a partner's coercive control,
    # is abuse.
    return _Condition(
        _abuse_by_others(facts),
        met=_reason(_abuse_met_text(facts), "R1"),
        failed=_reason(
            "Abuse or neglect (domestic abuse included) is not known or suspected, so it is "
            "not a serious child safeguarding incident",
            "R1",
        ),
        unknown=_reason(
            "Find out whether abuse or neglect, domestic abuse included, is known or suspected",
            "R1",
        ),
    )


def _child_place(facts: Facts) -> _Condition:
    # R1(a): in the LA's area; R1(b): the child normally lives in the area and it happened
    # outside England. R7: elsewhere in England, the LA where it happened notifies and leads.
    place, resident = facts.place, facts.normally_resident_in_area
    if place == "in_area":
        return _Condition(
            True, met=_reason("It happened in this area, so this local authority notifies", "R1")
        )
    if place == "outside_area_in_england":
        return _Condition(
            False,
            failed=_reason(
                "It happened elsewhere in England: the local authority where it happened "
                "notifies the Panel and leads the rapid review, working with this area",
                "R7",
            ),
        )
    if place == "outside_england":
        return _Condition(
            resident,
            met=_reason(
                "It happened outside England and the child normally lives in this area, so "
                "this local authority notifies",
                "R1",
            ),
            failed=_reason(
                "It happened outside England and the child does not normally live in this "
                "area, so this local authority does not notify",
                "R1",
            ),
            unknown=_reason(
                "Find out whether the child normally lives in this area: this local "
                "authority notifies a death or serious harm outside England only if so",
                "R1",
            ),
        )
    # Place unknown: in this area it is met, elsewhere in England it is not, so unknown
    # whatever the residence.
    return _Condition(
        None,
        unknown=_reason(
            "Find out where it happened: in this area, this local authority notifies; "
            "elsewhere in England, the local authority where it happened does; outside "
            "England, the local authority where the child normally lives does",
            "R1",
            "R7",
        ),
    )


def _looked_after_death(facts: Facts, child_abuse: Tri) -> tuple[Tri, list[_Reason]]:
    # R4: a looked-after child's death is notified to the SoS and Ofsted whether or not abuse
    # or neglect is known or suspected; the Panel takes it forward only if it is.
    child = None if facts.age is None else facts.age < CHILD_UNDER
    died = _died(facts)
    value = all_of(facts.looked_after, died, child)
    if value is True:
        text = (
            "The child was looked after and died: notify the Secretary of State and Ofsted, "
            "whether or not abuse or neglect is suspected"
        )
        if child_abuse is not True:
            text += (
                "; the Panel takes the case forward only if abuse or neglect is known or suspected"
            )
        return True, [_reason(text, "R4")]
    if value is None:
        missing = []
        if child is None:
            missing.append("the person's age")
        if died is None:
            missing.append("whether the child died")
        if facts.looked_after is None:
            missing.append("whether the child was looked after")
        text = (
            f"Check {_missing_list(missing)}: if a looked-after child died, notify the Secretary "
            "of State and Ofsted, whether or not abuse or neglect is suspected"
        )
        return None, [_Reason(text, ("R4",), applied=False)]
    return False, []


def _care_leaver_death(facts: Facts) -> tuple[Tri, list[_Reason]]:
    # R5: the death of a care leaver up to and including age 24 should be notified to the SoS
    # and Ofsted. No rapid review follows; under 18, R1 is tested as usual (above).
    # Reading: care leavers are 16 or over, so the age band is 16 to 24.
    age_ok = None if facts.age is None else CARE_LEAVER_FROM <= facts.age < CARE_LEAVER_UNDER
    died = _died(facts)
    value = all_of(facts.care_leaver, died, age_ok)
    if value is True:
        text = (
            "The person was a care leaver aged 24 or under and died: the local authority "
            "should notify the Secretary of State and Ofsted; no rapid review is needed for "
            "this notification"
        )
        return True, [_reason(text, "R5")]
    if value is None:
        missing = []
        if age_ok is None:
            missing.append("the person's age")
        if died is None:
            missing.append("whether the person died")
        if facts.care_leaver is None:
            missing.append("whether the person was a care leaver")
        text = (
            f"Check {_missing_list(missing)}: the local authority should notify the Secretary "
            "of State and Ofsted of the death of a care leaver aged 24 or under"
        )
        return None, [_Reason(text, ("R5",), applied=False)]
    return False, []


# --------------------------------------------------------------------------------------
# SAR (R19-R22)
# --------------------------------------------------------------------------------------


def _adult(facts: Facts) -> _Condition:
    aged = "" if facts.age is None else _aged(facts.age)
    return _Condition(
        _age_at_least(facts, ADULT_FROM),
        met=_reason(f"The person is an adult: {aged}", "R19"),
        failed=_reason(f"The person is not an adult: {aged}, so under 18", "R19"),
        unknown=_reason("Find out the person's age: a SAR is about adults aged 18 or over", "R19"),
    )


def _adult_in_area(facts: Facts) -> _Condition:
    # R19/R20: an adult in the SAB's area - it happened here, or the adult normally lives here.
    in_area = any_of(_in(facts.place, frozenset({"in_area"})), facts.normally_resident_in_area)
    met = (
        "It happened in the board's area"
        if facts.place == "in_area"
        else "The adult normally lives in the board's area"
    )
    return _Condition(
        in_area,
        met=_reason(met, "R19"),
        failed=_reason(
            "The adult does not normally live in the board's area and it did not happen here",
            "R19",
        ),
        unknown=_reason(
            "Find out whether the adult normally lives in the board's area, or it happened here",
            "R19",
        ),
    )


def _care_needs(facts: Facts) -> _Condition:
    return _Condition(
        facts.care_and_support_needs,
        met=_reason(
            "The adult has needs for care and support (whether or not they are being met)", "R19"
        ),
        failed=_reason("The adult does not have needs for care and support", "R19"),
        unknown=_reason("Find out whether the adult has needs for care and support", "R19"),
    )


def _agency_concern(facts: Facts) -> _Condition:
    return _Condition(
        facts.agency_working_concern,
        met=_reason(
            "There is reasonable cause for concern about how agencies worked together to "
            "safeguard the adult",
            "R19",
        ),
        failed=_reason(
            "There is no cause for concern about how agencies worked together to safeguard "
            "the adult, so a mandatory SAR is not required",
            "R19",
        ),
        unknown=_reason(
            "Find out whether there is reasonable cause for concern about how agencies worked "
            "together to safeguard the adult",
            "R19",
        ),
    )


def _adult_harm(facts: Facts) -> _Condition:
    # R19 C1: the adult died; C2: the adult is alive and experienced serious abuse or neglect.
    harm = _harm(facts)
    met = (
        _died_text(facts, "The adult") + " (condition C1)"
        if harm == "died"
        else "The adult is alive and was seriously harmed (condition C2)"
    )
    failed = (
        "The adult was harmed, but not seriously" if harm == "harm" else "The adult was not harmed"
    ) + ", so neither C1 (death) nor C2 (serious abuse or neglect) applies"
    return _Condition(
        _in(harm, _DIED_OR_SERIOUSLY_HARMED),
        met=_reason(met, "R19"),
        failed=_reason(failed, "R19"),
        unknown=_reason("Find out whether the adult died or was seriously harmed", "R19"),
    )


def _adult_abuse(facts: Facts) -> _Condition:
    # R19: abuse or neglect known or suspected (domestic abuse is abuse); R22: self-neglect
    # counts.
    abuse = _abuse_by_others(facts)
    self_neglect = facts.self_neglect
    if abuse is True and self_neglect is True:
        met = _reason(
            f"{_abuse_met_text(facts)}, and self-neglect also counts as abuse or neglect",
            "R19",
            "R22",
        )
    elif abuse is True:
        met = _reason(_abuse_met_text(facts), "R19")
    else:
        met = _reason(
            "Self-neglect is known or suspected, and self-neglect counts as abuse or neglect",
            "R19",
            "R22",
        )
    if abuse is None and self_neglect is None:
        unknown = _reason(
            "Find out whether abuse or neglect, including domestic abuse and self-neglect, is "
            "known or suspected",
            "R19",
            "R22",
        )
    elif abuse is None:
        unknown = _reason(
            "Find out whether abuse or neglect, domestic abuse included, is known or suspected",
            "R19",
        )
    else:
        unknown = _reason(
            "Find out whether self-neglect is known or suspected: it counts as abuse or neglect",
            "R22",
        )
    return _Condition(
        any_of(abuse, self_neglect),
        met=met,
        failed=_reason(
            "Neither abuse nor neglect (including domestic abuse and self-neglect) is known or "
            "suspected",
            "R19",
            "R22",
        ),
        unknown=unknown,
    )


def _adult_death_cause(facts: Facts) -> _Condition:
    # R19 C1: the board knows or suspects that the death resulted from abuse or neglect. C2
    # (alive, serious abuse or neglect) asks no causation, so only a death needs it.
    harm = _harm(facts)
    resulted = _death_resulted(facts)
    if harm == "died":
        value = resulted
    elif harm is None:
        value = True if resulted is True else None
    else:
        return _Condition(True)
    if facts.death_resulted_from_abuse is True or resulted is not True:
        met_text = "The death resulted, or appears to have resulted, from abuse or neglect"
    else:
        met_text = (
            "The adult died by suicide after domestic abuse: the death appears to have "
            "resulted from abuse"
        )
    return _Condition(
        value,
        met=_reason(met_text + " (condition C1)", "R19") if harm == "died" else None,
        failed=_reason(
            "The death is not known or suspected to have resulted from abuse or neglect, so "
            "condition C1 is not met",
            "R19",
        ),
        unknown=_reason(
            "Find out whether the death resulted, or appears to have resulted, from abuse or "
            "neglect (including domestic abuse or self-neglect)"
            if harm == "died"
            else "If the adult died, find out whether the death resulted, or appears to have "
            "resulted, from abuse or neglect",
            "R19",
        ),
    )


def _screen_sar(facts: Facts) -> tuple[str, list[_Reason]]:
    eligible = _AllOf((_adult(facts), _adult_in_area(facts), _care_needs(facts)))
    rest = _AllOf(
        (
            _agency_concern(facts),
            _AllOf((_adult_harm(facts), _adult_abuse(facts), _adult_death_cause(facts))),
        )
    )
    reasons = eligible.reasons()
    if eligible.value is False:
        reasons.append(
            _reason(
                "No SAR applies: even a discretionary review needs an adult in the board's "
                "area with needs for care and support",
                "R20",
            )
        )
        return "not_met", reasons
    reasons += rest.reasons()
    if eligible.value is True and rest.value is True:
        reasons.append(
            _reason(
                "A SAR is mandatory: label it 'mandatory', not 'statutory' (every SAR is "
                "statutory)",
                "R21",
            )
        )
        return "mandatory", reasons
    if eligible.value is True and rest.value is False:
        reasons += [
            _reason(
                "The mandatory test is not met, but the board may hold a discretionary review "
                "of any case of an adult in its area with needs for care and support",
                "R20",
            ),
            _reason(
                "If it does, label it 'discretionary', not 'non-statutory' (every SAR is "
                "statutory)",
                "R21",
            ),
        ]
        return "discretionary", reasons
    if eligible.value is True:  # the mandatory test is unknown
        reasons.append(
            _reason(
                "If the mandatory test is not met, the board may still hold a discretionary review",
                "R20",
            )
        )
    elif rest.value is True:  # eligibility unknown, everything else met
        reasons.append(
            _reason(
                "If the person is an adult in the board's area with needs for care and "
                "support, a SAR is mandatory",
                "R19",
            )
        )
    else:
        reasons.append(
            _reason(
                "If the person is an adult in the board's area with needs for care and "
                "support, the board may hold a discretionary review even when the mandatory "
                "test is not met",
                "R20",
            )
        )
    return "unknown", reasons


# --------------------------------------------------------------------------------------
# DHR (R27-R29) and DARDR (R38)
# --------------------------------------------------------------------------------------


def _aged_16_or_over(facts: Facts, rule: str) -> _Condition:
    aged = "" if facts.age is None else _aged(facts.age)
    review = "a DHR" if rule == "R27" else "a domestic abuse related death review"
    return _Condition(
        _age_at_least(facts, DHR_FROM),
        met=_reason(f"The person was {aged}, so 16 or over", rule),
        failed=_reason(f"The person was {aged}: under 16, so {review} does not apply", rule),
        unknown=_reason(
            f"Find out the person's age: {review} is about the death of someone aged 16 or over",
            rule,
        ),
    )


def _person_died(facts: Facts, rule: str) -> _Condition:
    review = "a DHR" if rule == "R27" else "a domestic abuse related death review"
    return _Condition(
        _died(facts),
        met=_reason(_died_text(facts, "The person"), rule),
        failed=_reason(f"The person did not die: {review} is about a death", rule),
        unknown=_reason("Find out whether the person died", rule),
    )


def _violence_abuse_or_neglect(facts: Facts) -> _Condition:
    # R27: violence, abuse or neglect by someone else (domestic abuse included).
    return _Condition(
        _abuse_by_others(facts),
        met=_reason(
            f"Violence, abuse or neglect by someone else is {facts.abuse_or_neglect}"
            if facts.abuse_or_neglect in _ABUSE_KNOWN_OR_SUSPECTED
            else "Domestic abuse (such as coercive control) is known or suspected",
            "R27",
        ),
        failed=_reason(
            "Violence, abuse or neglect by someone else (domestic abuse included) is not known "
            "or suspected",
            "R27",
        ),
        unknown=_reason(
            "Find out whether violence, abuse or neglect by someone else, domestic abuse "
            "included, is known or suspected",
            "R27",
        ),
    )


def _death_resulted_condition(facts: Facts, rule: str) -> _Condition:
    # R27 / R38: the death has, or appears to have, resulted from the abuse. Never "caused":
    # the test is about what appears, and the facts say no more.
    resulted = _death_resulted(facts)
    if facts.death_resulted_from_abuse is True or resulted is not True:
        met = _reason("The death resulted, or appears to have resulted, from the abuse", rule)
    else:
        met = _reason(
            "The person died by suicide after domestic abuse: the death appears to have "
            "resulted from the abuse",
            rule,
            "R29",
        )
    return _Condition(
        resulted,
        met=met,
        failed=_reason(
            "The death is not known or suspected to have resulted from abuse or neglect", rule
        ),
        unknown=_reason(
            "Find out whether the death resulted, or appears to have resulted, from the abuse "
            "or neglect",
            rule,
        ),
    )


def _household(facts: Facts) -> Tri:
    """R27(b): the person responsible was a member of the same household: lived there, or
    stayed so often that they were in effect a member of it. Reading: a stranger was not;
    ``household_member`` was."""
    if facts.harmed_by == "household_member":
        return True
    if facts.responsible_in_household is not None:
        return facts.responsible_in_household
    return False if facts.harmed_by == "stranger" else None


def _by_relative_partner_or_household(facts: Facts) -> _Condition:
    # R27 (a) a relative or a current or former intimate partner (R28), (b) a member of the
    # same household, whether or not a relative or partner.
    harmed_by = None if facts.harmed_by == "unknown" else facts.harmed_by
    related = _in(harmed_by, _RELATIVE_OR_PARTNER)
    household = _household(facts)
    met = {
        "relative": _reason("The person responsible was a relative", "R27"),
        "partner": _reason(
            "The person responsible was a partner: an intimate personal relationship, whether "
            "or not they lived in the household",
            "R27",
            "R28",
        ),
        "former_partner": _reason(
            "The person responsible was a former partner: that still counts as an intimate "
            "personal relationship",
            "R27",
            "R28",
        ),
    }.get(harmed_by or "") or _reason(
        "The person responsible lived in the person's household, or stayed there so often that "
        "they were in effect a member of it",
        "R27",
    )
    who = {
        "stranger": "a stranger",
        "co_parent": "a parent of the same child",
        "household_member": "a member of the household",
    }.get(harmed_by or "", "someone they knew")
    if related is None and household is None:
        unknown_text = (
            "Find out who was responsible, and whether they lived in the person's household or "
            "stayed there often: a relative, a partner or former partner, or a member of the "
            "same household would meet the test"
        )
    else:
        unknown_text = (
            f"Find out whether the person responsible ({who}) lived in the person's household, "
            "or stayed there so often that they were in effect a member of it"
        )
    return _Condition(
        any_of(related, household),
        met=met,
        failed=_reason(
            f"The person responsible was {who}: not a relative, partner or former partner, "
            "and not a member of the same household",
            "R27",
        ),
        unknown=_reason(unknown_text, "R27"),
    )


def _suicide_after_domestic_abuse(facts: Facts) -> _Condition:
    # R29: suicide where there was domestic abuse -> hold a review, even if nobody is charged.
    suicide, abuse = facts.suicide, _domestic_abuse(facts)
    if suicide is True and abuse is True:
        return _Condition(
            True,
            met=_reason(
                "The person died by suicide after domestic abuse: hold a review even if nobody "
                "is charged or the accused is acquitted",
                "R29",
            ),
        )
    if suicide is False:
        return _Condition(False)
    if abuse is False:
        return _Condition(
            False,
            failed=_reason("The person died by suicide, but there was no domestic abuse", "R29")
            if suicide
            else None,
        )
    if facts.harmed_by in _OUTSIDE_FAMILY_AND_HOUSEHOLD:
        # Reading: someone outside the family and household was responsible, and domestic
        # abuse needs a personal connection: no suicide after domestic abuse.
        return _Condition(
            False,
            failed=_reason(
                "Someone outside the family and household was responsible, so this is not "
                "treated as a suicide after domestic abuse",
                "R29",
            ),
        )
    if suicide is True:
        text = (
            "Find out whether there was domestic abuse (such as coercive control) before the "
            "suicide"
        )
    elif abuse is True:
        text = (
            "Find out whether the death was a suicide: a suicide after domestic abuse needs a "
            "review even if nobody is charged"
        )
    else:
        text = (
            "Find out whether the death was a suicide after domestic abuse (such as coercive "
            "control): if so, hold a review even if nobody is charged"
        )
    return _Condition(None, unknown=_reason(text, "R29"))


def _screen_dhr_s9(facts: Facts) -> _Node:
    # R27-R29: DVCVA 2004 s9(1) and the 2016 statutory guidance.
    return _AllOf(
        (
            _aged_16_or_over(facts, "R27"),
            _person_died(facts, "R27"),
            _AnyOf(
                (
                    _AllOf(
                        (
                            _violence_abuse_or_neglect(facts),
                            _by_relative_partner_or_household(facts),
                            _death_resulted_condition(facts, "R27"),
                        )
                    ),
                    _suicide_after_domestic_abuse(facts),
                )
            ),
        )
    )


def _domestic_abuse_condition(facts: Facts) -> _Condition:
    # R38: domestic abuse within the meaning of the Domestic Abuse Act 2021 s1: abusive
    # behaviour (physical or sexual abuse, violent or threatening behaviour, controlling or
    # coercive behaviour, economic abuse, psychological, emotional or other abuse).
    return _Condition(
        _domestic_abuse(facts),
        met=_reason(
            "Domestic abuse (such as coercive control, violence, threats, economic or "
            "emotional abuse) is known or suspected",
            "R38",
        ),
        failed=_reason(
            "Domestic abuse is not known or suspected: the test needs a death that resulted "
            "from domestic abuse",
            "R38",
        ),
        unknown=_reason(
            "Find out whether domestic abuse (such as coercive control, violence, threats, "
            "economic or emotional abuse) is known or suspected",
            "R38",
        ),
    )


def _personally_connected(facts: Facts) -> _Condition:
    # R38: Domestic Abuse Act 2021 s2: married or civil partners (or were), agreed to marry or
    # to form a civil partnership, an intimate personal relationship (now or before), each a
    # parent of (or with parental responsibility for) the same child, or relatives. Living in
    # the same household is not enough by itself.
    harmed_by = None if facts.harmed_by == "unknown" else facts.harmed_by
    met = {
        "relative": "The person responsible was a relative: personally connected",
        "partner": "The person responsible was a partner: personally connected",
        "former_partner": "The person responsible was a former partner: still personally connected",
        "co_parent": "The person responsible and the person each had a parental relationship "
        "to the same child: personally connected",
    }.get(harmed_by or "", "")
    who = {
        "stranger": "a stranger",
        "household_member": "a member of the household who was not a relative or partner",
    }.get(harmed_by or "", "someone they knew")
    return _Condition(
        _in(harmed_by, _PERSONALLY_CONNECTED),
        met=_reason(met, "R38"),
        failed=_reason(
            f"The person responsible was {who}: not personally connected (a partner or former "
            "partner, someone they had agreed to marry, a parent of the same child, or a "
            "relative), so it was not domestic abuse",
            "R38",
        ),
        unknown=_reason(
            "Find out who was responsible: domestic abuse needs someone personally connected "
            "(a partner or former partner, someone they had agreed to marry, a parent of the "
            "same child, or a relative)",
            "R38",
        ),
    )


def _responsible_aged_16_or_over(facts: Facts) -> _Condition:
    # R38: Domestic Abuse Act 2021 s1(2)(a): both people are aged 16 or over.
    return _Condition(
        facts.responsible_aged_16_or_over,
        met=_reason("The person responsible was aged 16 or over", "R38"),
        failed=_reason(
            "The person responsible was under 16, so it was not domestic abuse within the "
            "meaning of the Domestic Abuse Act 2021",
            "R38",
        ),
        unknown=_reason(
            "Find out whether the person responsible was aged 16 or over: domestic abuse is "
            "between people aged 16 or over",
            "R38",
        ),
    )


def _screen_dardr(facts: Facts) -> _Node:
    # R38: VPA 2024 s19 (new DVCVA 2004 s9(1)): the death has, or appears to have, resulted
    # from domestic abuse towards the person within the meaning of the Domestic Abuse Act 2021
    # (both aged 16 or over and personally connected; the behaviour abusive).
    return _AllOf(
        (
            _aged_16_or_over(facts, "R38"),
            _person_died(facts, "R38"),
            _domestic_abuse_condition(facts),
            _personally_connected(facts),
            _responsible_aged_16_or_over(facts),
            _death_resulted_condition(facts, "R38"),
        )
    )


def _screen_dhr(facts: Facts, dhr_test: DhrTest) -> tuple[str, list[_Reason]]:
    test = _screen_dardr(facts) if dhr_test is DhrTest.VPA_2024_S19 else _screen_dhr_s9(facts)
    result = {True: "required", False: "not_met", None: "unknown"}[test.value]
    return result, test.reasons()


# --------------------------------------------------------------------------------------
# Screening
# --------------------------------------------------------------------------------------


def _rule_number(rule: str) -> int:
    return int(rule.removeprefix("R"))


def _track(
    result: str, base_rule: str, reasons: list[_Reason], *, test: str | None = None
) -> TrackResult:
    rules = {base_rule, *(rule for reason in reasons if reason.applied for rule in reason.rules)}
    rendered = tuple(dict.fromkeys(reason.render() for reason in reasons))
    return TrackResult(result, tuple(sorted(rules, key=_rule_number)), rendered, test)


def dhr_test_from(value: DhrTest | str | None) -> DhrTest:
    """The ``DhrTest`` a value names (None: the default); ValueError for any other value."""
    if value is None:
        return DEFAULT_DHR_TEST
    try:
        return DhrTest(value)
    except ValueError:
        raise ValueError(
            f"dhr_test must be one of {', '.join(DHR_TESTS)} (got {value!r})."
        ) from None


def screen(facts: Facts, *, dhr_test: DhrTest | str = DEFAULT_DHR_TEST) -> ScreeningResult:
    """Screen the facts against the CSPR, SAR and DHR tests. Pure: no I/O, no database.

    ``dhr_test`` chooses the statutory test of the DHR track (``DhrTest``; a plain string
    value is accepted too, anything else raises ValueError):

    * ``"dvcva2004_s9"`` (``DhrTest.DVCVA_2004_S9``, the default): a Domestic Homicide
      Review under the Domestic Violence, Crime and Victims Act 2004 s9(1) as in force today
      (R27-R29).
    * ``"vpa2024_s19"`` (``DhrTest.VPA_2024_S19``): a Domestic Abuse Related Death Review,
      s9 as substituted by the Victims and Prisoners Act 2024 s19 (prospective): the death has,
      or appears to have, resulted from domestic abuse within the meaning of the Domestic
      Abuse Act 2021 - both aged 16 or over and personally connected (s2) (R38).

    The guidance versions (issue 14) choose the value per case; the DHR track's ``test`` (in
    ``as_dict``: ``DHR.test``) says which one was applied.
    """
    dhr_test = dhr_test_from(dhr_test)
    # CSPR (R1): a child, abuse or neglect known or suspected, died or seriously harmed, and
    # in this area (or outside England for a child who normally lives here).
    child_abuse = _child_abuse(facts)
    cspr_test = _AllOf((_child(facts), _child_harm(facts), child_abuse, _child_place(facts)))
    cspr_reasons = cspr_test.reasons()
    notify = cspr_test.value
    if notify is True:
        cspr_reasons += [
            _reason(
                "Notify the Child Safeguarding Practice Review Panel within 5 working days of "
                "the local authority becoming aware",
                "R2",
            ),
            _reason("A rapid review must follow the notification", "R8"),
        ]
    looked_after_death, r4_reasons = _looked_after_death(facts, child_abuse.value)
    care_leaver_death, r5_reasons = _care_leaver_death(facts)
    cspr_reasons += r4_reasons + r5_reasons
    cspr_result = {True: "notify", False: "not_met", None: "unknown"}[notify]

    sar_result, sar_reasons = _screen_sar(facts)
    dhr_result, dhr_reasons = _screen_dhr(facts, dhr_test)

    # R41: a 16- or 17-year-old whose death meets both the CSPR and the DHR tests.
    age = facts.age
    if (
        cspr_result == "notify"
        and dhr_result == "required"
        and age is not None
        and DHR_FROM <= age < CHILD_UNDER
    ):
        r41 = _reason(
            "Open both a CSPR track and a DHR track and record a joint or parallel decision",
            "R41",
        )
        cspr_reasons.append(r41)
        dhr_reasons.append(r41)
    # R42: an adult with care and support needs whose death needs a DHR: test both; a joint
    # SAR/DHR is allowed (docs/rules.md §multi-track also lists suicide after coercive control).
    if (
        dhr_result == "required"
        and facts.care_and_support_needs is True
        and sar_result != "not_met"
    ):
        r42 = _reason(
            "The adult had needs for care and support and a DHR is required: test both the "
            "SAR and the DHR criteria; a joint SAR/DHR is allowed",
            "R42",
        )
        sar_reasons.append(r42)
        dhr_reasons.append(r42)

    notifications = tuple(
        name
        for name, due in (
            (NOTIFY_PANEL, notify),
            (NOTIFY_LOOKED_AFTER_DEATH, looked_after_death),
            (NOTIFY_CARE_LEAVER_DEATH, care_leaver_death),
        )
        if due is True
    )
    return ScreeningResult(
        cspr=_track(cspr_result, "R1", cspr_reasons),
        sar=_track(sar_result, "R19", sar_reasons),
        dhr=_track(
            dhr_result,
            "R38" if dhr_test is DhrTest.VPA_2024_S19 else "R27",
            dhr_reasons,
            test=dhr_test.value,
        ),
        notifications=notifications,
    )


def screen_dict(data: Any, *, dhr_test: DhrTest | str = DEFAULT_DHR_TEST) -> dict[str, Any]:
    """Validate a JSON object of facts and return the output shape (raises ScreeningFactsError)."""
    return screen(Facts.from_dict(data), dhr_test=dhr_test).as_dict()
