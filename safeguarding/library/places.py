"""Place names the library search understands (issue 15, ranking round six; docs/search.md).

A review is published by a local body (a partnership, a board, a community safety partnership)
and names its area, in English. Practitioners search for a place as they know it: in Welsh
("Sir Benfro", "Casnewydd", "Gogledd Cymru"), in Cornish ("Kernow"), by a short form ("RCT",
"Sir Gâr") or by the larger area that groups several local authorities ("London", "Greater
Manchester", "North Wales", "Dyfed-Powys"). None of those words is in the review. This is a
gazetteer, not a list of search terms: the official names, fixed by law and the same for every
partnership, so it is code, not editable data.

- ``AREAS``: each Welsh principal area (the 22 of the Local Government (Wales) Act 1994, with
  their Welsh names as the Welsh Government publishes them and the short forms in common use)
  and Cornwall. Every name of an area means the same place: a query holding one also searches
  for the others, as the query's own words.
- ``REGIONS``: names for groups of local authorities, with their members: the Welsh regional
  safeguarding boards' areas (Social Services and Well-being (Wales) Act 2014, and their Welsh
  names), the four Welsh police force areas, the six English metropolitan counties, Teesside and
  Greater London (the 32 boroughs and the City). A query naming a region also searches for its
  members' names, as looser words (a review names its own authority, not always its region).

Names are matched on the query's words (accents removed, so "Môn" and "mon" are one), longest
first, as whole words side by side; the words of a matched name are never "corrected" by the
spelling step (a Welsh name is not an English misspelling).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .text import words

# English name first (the name the reviews use), then the other names of the same area.
AREAS: tuple[tuple[str, ...], ...] = (
    ("Isle of Anglesey", "Anglesey", "Ynys Môn", "Sir Fôn"),
    ("Gwynedd",),
    ("Conwy",),
    ("Denbighshire", "Sir Ddinbych"),
    ("Flintshire", "Sir y Fflint"),
    ("Wrexham", "Wrecsam"),
    ("Powys",),
    ("Ceredigion", "Cardiganshire"),
    ("Pembrokeshire", "Sir Benfro"),
    ("Carmarthenshire", "Sir Gaerfyrddin", "Sir Gâr"),
    ("Swansea", "Abertawe"),
    ("Neath Port Talbot", "Castell-nedd Port Talbot"),
    ("Bridgend", "Pen-y-bont ar Ogwr"),
    ("Vale of Glamorgan", "Bro Morgannwg"),
    ("Cardiff", "Caerdydd"),
    ("Rhondda Cynon Taf", "Rhondda Cynon Taff", "RCT"),
    ("Merthyr Tydfil", "Merthyr Tudful"),
    ("Caerphilly", "Caerffili"),
    ("Blaenau Gwent",),
    ("Torfaen", "Tor-faen"),
    ("Monmouthshire", "Sir Fynwy"),
    ("Newport", "Casnewydd"),
    ("Cornwall", "Kernow"),
)

_LONDON_BOROUGHS = (
    "Barking and Dagenham",
    "Barnet",
    "Bexley",
    "Brent",
    "Bromley",
    "Camden",
    "City of London",
    "Croydon",
    "Ealing",
    "Enfield",
    "Greenwich",
    "Hackney",
    "Hammersmith and Fulham",
    "Haringey",
    "Harrow",
    "Havering",
    "Hillingdon",
    "Hounslow",
    "Islington",
    "Kensington and Chelsea",
    "Kingston upon Thames",
    "Lambeth",
    "Lewisham",
    "Merton",
    "Newham",
    "Redbridge",
    "Richmond upon Thames",
    "Southwark",
    "Sutton",
    "Tower Hamlets",
    "Waltham Forest",
    "Wandsworth",
    "Westminster",
)
_MID_AND_WEST_WALES = ("Carmarthenshire", "Ceredigion", "Pembrokeshire", "Powys")

# (names of the region, its members' English names)
REGIONS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (
        ("North Wales", "Gogledd Cymru"),
        ("Isle of Anglesey", "Gwynedd", "Conwy", "Denbighshire", "Flintshire", "Wrexham"),
    ),
    (("Mid and West Wales", "Canolbarth a Gorllewin Cymru"), _MID_AND_WEST_WALES),
    (("Dyfed-Powys", "Dyfed Powys"), _MID_AND_WEST_WALES),
    (("Dyfed",), ("Carmarthenshire", "Ceredigion", "Pembrokeshire")),
    (("West Glamorgan", "Gorllewin Morgannwg", "Western Bay"), ("Swansea", "Neath Port Talbot")),
    (("Cwm Taf Morgannwg", "Cwm Taf"), ("Bridgend", "Merthyr Tydfil", "Rhondda Cynon Taf")),
    (("Cardiff and Vale", "Caerdydd a'r Fro"), ("Cardiff", "Vale of Glamorgan")),
    (("Gwent",), ("Blaenau Gwent", "Caerphilly", "Monmouthshire", "Newport", "Torfaen")),
    (
        ("South Wales", "De Cymru"),
        (
            "Bridgend",
            "Cardiff",
            "Merthyr Tydfil",
            "Neath Port Talbot",
            "Rhondda Cynon Taf",
            "Swansea",
            "Vale of Glamorgan",
        ),
    ),
    (
        ("Greater Manchester",),
        (
            "Bolton",
            "Bury",
            "Manchester",
            "Oldham",
            "Rochdale",
            "Salford",
            "Stockport",
            "Tameside",
            "Trafford",
            "Wigan",
        ),
    ),
    (("Merseyside",), ("Knowsley", "Liverpool", "Sefton", "St Helens", "Wirral")),
    (("South Yorkshire",), ("Barnsley", "Doncaster", "Rotherham", "Sheffield")),
    (("West Yorkshire",), ("Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield")),
    (
        ("West Midlands",),
        ("Birmingham", "Coventry", "Dudley", "Sandwell", "Solihull", "Walsall", "Wolverhampton"),
    ),
    (
        ("Tyne and Wear",),
        ("Gateshead", "Newcastle upon Tyne", "North Tyneside", "South Tyneside", "Sunderland"),
    ),
    (("Teesside",), ("Hartlepool", "Middlesbrough", "Redcar and Cleveland", "Stockton-on-Tees")),
    (("London", "Greater London"), _LONDON_BOROUGHS),
)


@dataclass(frozen=True)
class PlaceName:
    words: tuple[str, ...]  # the name's words, folded (accents removed, lower case)
    same: tuple[str, ...]  # the other names of the same place
    members: tuple[str, ...]  # for a region: its members' names
    english: str  # the place's English name (for the sentence model)


@lru_cache(maxsize=1)
def place_names() -> tuple[PlaceName, ...]:
    """Every name of ``AREAS`` and ``REGIONS``, longest first."""
    found: list[PlaceName] = []
    for names in AREAS:
        for name in names:
            found.append(
                PlaceName(
                    words=tuple(words(name)),
                    same=tuple(n for n in names if n != name),
                    members=(),
                    english=names[0],
                )
            )
    for names, members in REGIONS:
        for name in names:
            found.append(
                PlaceName(
                    words=tuple(words(name)),
                    same=tuple(n for n in names if n != name),
                    members=members,
                    english=names[0],
                )
            )
    return tuple(sorted(found, key=lambda p: (-len(p.words), p.words)))


@lru_cache(maxsize=1)
def place_words() -> frozenset[str]:
    """The words of every place name (never corrected as misspellings)."""
    return frozenset(w for p in place_names() for w in p.words)


def places_in(folded: list[str]) -> list[PlaceName]:
    """The place names among the query's words ``folded`` (``text.words``), longest first; the
    words of a name are not matched again in a shorter one ("North Wales" is not "Wales")."""
    if not place_words().intersection(folded):
        return []
    left: list[str | None] = list(folded)
    found: list[PlaceName] = []
    for place in place_names():
        n = len(place.words)
        for i in range(len(left) - n + 1):
            if tuple(left[i : i + n]) == place.words:
                found.append(place)
                left[i : i + n] = [None] * n
                break
    return found
