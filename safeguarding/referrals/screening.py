"""Screening: one pure function of the facts against the statutory review tests.

``screen(Facts.from_dict(data))`` answers three questions for a partnership's business unit:

* **CSPR** - must the local authority notify the Child Safeguarding Practice Review Panel of a
  serious incident (R1, R2, R7, R8)?
* **SAR** - is a Safeguarding Adults Review mandatory, discretionary or not available
  (R19-R22)?
* **DHR** - is a Domestic Homicide Review required (R27-R29)?

and lists the notifications that follow (Panel R1-R2; Secretary of State and Ofsted for a
looked-after child's death R4 or a care leaver's death R5), plus the multi-track rules (R41, R42).

The same function serves the web pages, the tests and ``python manage.py screen FILE.json``;
docs/screening.md describes the contract and the decision tables.

Every fact may be missing (``None``). Each condition is evaluated in three-valued (Kleene)
logic: True, False or None (unknown). A track is ``unknown`` only when the missing facts could
still change its answer: a known fact that fails a test gives ``not_met`` whatever is missing.
The tests check this against every completion of the missing facts.

Readings of the rules that go beyond their wording (each one marked ``Reading:`` below):

* ``suicide`` true means a death by suicide, so a missing ``harm`` is read as ``died``.
* A care leaver is 16 to 24 (Children Act 1989 relevant / former relevant child), so R5 needs
  16 <= age < 25 ("up to and including age 24").
* ``harmed_by`` names who caused the death or harm (for a suicide, the abuser). When that is a
  stranger or someone else outside the family and household, a missing ``suicide`` or
  ``domestic_abuse`` does not keep R29 open: domestic abuse needs a personal connection. If the
  facts state both ``suicide`` and ``domestic_abuse`` true, R29 applies whoever ``harmed_by`` is.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
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
    "place",
    "normally_resident_in_area",
    "harmed_by",
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
    "domestic_abuse": "Was the person subjected to domestic abuse (for example coercive control)?",
    "harm": "What happened to the person?",
    "abuse_or_neglect": "Is abuse or neglect known or suspected?",
    "place": "Where did the death or harm happen?",
    "normally_resident_in_area": "Does the person normally live in this area?",
    "harmed_by": "Who caused the death or harm (for a suicide after domestic abuse: the abuser)?",
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
        "partner": "A partner",
        "former_partner": "A former partner",
        "household_member": "A member of the same household",
        "other_known": "Someone else they knew",
        "stranger": "A stranger",
        "unknown": "Not known yet",
    },
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
# R27 (a)-(c) with R28: relatives, current or former partners, household members.
_DOMESTIC_RELATIONSHIPS = frozenset({"relative", "partner", "former_partner", "household_member"})
_OUTSIDE_FAMILY_AND_HOUSEHOLD = frozenset({"other_known", "stranger"})

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
    place: str | None = None
    normally_resident_in_area: bool | None = None
    harmed_by: str | None = None

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
    """The answer for one review type: its result, the rule IDs applied, plain-English reasons."""

    result: str
    rules: tuple[str, ...]
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"result": self.result, "rules": list(self.rules), "reasons": list(self.reasons)}


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


def _child_abuse(facts: Facts) -> _Condition:
    # R1: the LA knows or suspects the child has been abused or neglected.
    return _Condition(
        _in(facts.abuse_or_neglect, _ABUSE_KNOWN_OR_SUSPECTED),
        met=_reason(f"Abuse or neglect is {facts.abuse_or_neglect}", "R1"),
        failed=_reason(
            "Abuse or neglect is not known or suspected, so it is not a serious child "
            "safeguarding incident",
            "R1",
        ),
        unknown=_reason("Find out whether abuse or neglect is known or suspected", "R1"),
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
    # R19: abuse or neglect known or suspected; R22: self-neglect counts.
    abuse = _in(facts.abuse_or_neglect, _ABUSE_KNOWN_OR_SUSPECTED)
    self_neglect = facts.self_neglect
    if abuse is True and self_neglect is True:
        met = _reason(
            f"Abuse or neglect is {facts.abuse_or_neglect}, and self-neglect also counts as "
            "abuse or neglect",
            "R19",
            "R22",
        )
    elif abuse is True:
        met = _reason(f"Abuse or neglect is {facts.abuse_or_neglect}", "R19")
    else:
        met = _reason(
            "Self-neglect is known or suspected, and self-neglect counts as abuse or neglect",
            "R19",
            "R22",
        )
    if abuse is None and self_neglect is None:
        unknown = _reason(
            "Find out whether abuse or neglect, including self-neglect, is known or suspected",
            "R19",
            "R22",
        )
    elif abuse is None:
        unknown = _reason("Find out whether abuse or neglect is known or suspected", "R19")
    else:
        unknown = _reason(
            "Find out whether self-neglect is known or suspected: it counts as abuse or neglect",
            "R22",
        )
    return _Condition(
        any_of(abuse, self_neglect),
        met=met,
        failed=_reason(
            "Neither abuse nor neglect (including self-neglect) is known or suspected",
            "R19",
            "R22",
        ),
        unknown=unknown,
    )


def _screen_sar(facts: Facts) -> tuple[str, list[_Reason]]:
    eligible = _AllOf((_adult(facts), _adult_in_area(facts), _care_needs(facts)))
    rest = _AllOf((_agency_concern(facts), _AllOf((_adult_harm(facts), _adult_abuse(facts)))))
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
# DHR (R27-R29)
# --------------------------------------------------------------------------------------


def _aged_16_or_over(facts: Facts) -> _Condition:
    aged = "" if facts.age is None else _aged(facts.age)
    return _Condition(
        _age_at_least(facts, DHR_FROM),
        met=_reason(f"The person was {aged}, so 16 or over", "R27"),
        failed=_reason(f"The person was {aged}: under 16, so a DHR does not apply", "R27"),
        unknown=_reason(
            "Find out the person's age: a DHR is about the death of someone aged 16 or over",
            "R27",
        ),
    )


def _person_died(facts: Facts) -> _Condition:
    return _Condition(
        _died(facts),
        met=_reason(_died_text(facts, "The person"), "R27"),
        failed=_reason("The person did not die: a DHR is about a death", "R27"),
        unknown=_reason("Find out whether the person died", "R27"),
    )


def _violence_abuse_or_neglect(facts: Facts) -> _Condition:
    return _Condition(
        _in(facts.abuse_or_neglect, _ABUSE_KNOWN_OR_SUSPECTED),
        met=_reason(
            f"Violence, abuse or neglect is {facts.abuse_or_neglect} to have caused the death",
            "R27",
        ),
        failed=_reason("Violence, abuse or neglect is not known or suspected", "R27"),
        unknown=_reason(
            "Find out whether the death resulted, or appears to have resulted, from violence, "
            "abuse or neglect",
            "R27",
        ),
    )


def _by_relative_partner_or_household(facts: Facts) -> _Condition:
    # R27 (a) a relative, (b) a current or former intimate partner (R28), (c) a household member.
    harmed_by = None if facts.harmed_by == "unknown" else facts.harmed_by
    met = {
        "relative": _reason("The person responsible was a relative", "R27"),
        "partner": _reason(
            "The person responsible was a partner: an intimate personal relationship",
            "R27",
            "R28",
        ),
        "former_partner": _reason(
            "The person responsible was a former partner: that still counts as an intimate "
            "personal relationship",
            "R27",
            "R28",
        ),
        "household_member": _reason(
            "The person responsible was a member of the same household", "R27"
        ),
    }.get(harmed_by or "")
    who = "a stranger" if harmed_by == "stranger" else "someone they knew"
    return _Condition(
        _in(harmed_by, _DOMESTIC_RELATIONSHIPS),
        met=met,
        failed=_reason(
            f"The person responsible was {who}, not a relative, partner, former partner or "
            "member of the same household",
            "R27",
        ),
        unknown=_reason(
            "Find out who was responsible: a relative, partner, former partner or member of "
            "the same household would meet the test",
            "R27",
        ),
    )


def _suicide_after_domestic_abuse(facts: Facts) -> _Condition:
    # R29: suicide where there was domestic abuse -> hold a review, even if nobody is charged.
    suicide, abuse = facts.suicide, facts.domestic_abuse
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
        # Reading: someone outside the family and household caused the death or harm, and
        # domestic abuse needs a personal connection: no suicide after domestic abuse.
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


def _screen_dhr(facts: Facts) -> tuple[str, list[_Reason]]:
    test = _AllOf(
        (
            _aged_16_or_over(facts),
            _person_died(facts),
            _AnyOf(
                (
                    _AllOf(
                        (
                            _violence_abuse_or_neglect(facts),
                            _by_relative_partner_or_household(facts),
                        )
                    ),
                    _suicide_after_domestic_abuse(facts),
                )
            ),
        )
    )
    result = {True: "required", False: "not_met", None: "unknown"}[test.value]
    return result, test.reasons()


# --------------------------------------------------------------------------------------
# Screening
# --------------------------------------------------------------------------------------


def _rule_number(rule: str) -> int:
    return int(rule.removeprefix("R"))


def _track(result: str, base_rule: str, reasons: list[_Reason]) -> TrackResult:
    rules = {base_rule, *(rule for reason in reasons if reason.applied for rule in reason.rules)}
    rendered = tuple(dict.fromkeys(reason.render() for reason in reasons))
    return TrackResult(result, tuple(sorted(rules, key=_rule_number)), rendered)


def screen(facts: Facts) -> ScreeningResult:
    """Screen the facts against the CSPR, SAR and DHR tests. Pure: no I/O, no database."""
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
    dhr_result, dhr_reasons = _screen_dhr(facts)

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
        dhr=_track(dhr_result, "R27", dhr_reasons),
        notifications=notifications,
    )


def screen_dict(data: Any) -> dict[str, Any]:
    """Validate a JSON object of facts and return the output shape (raises ScreeningFactsError)."""
    return screen(Facts.from_dict(data)).as_dict()
