"""Which guidance versions apply to a partnership on a day (reads only)."""

import datetime
from dataclasses import dataclass

from safeguarding.accounts.models import Partnership
from safeguarding.core.compiled_sql import PARTNERSHIP_PLACEHOLDER, CompiledQuery

from .models import GuidanceAdoption, GuidanceVersion, Strand

# The version whose DHR test screening uses (VPA2024 s19 replaces the 2004 Act's s9 test).
DARDR_TEST_VERSION = "VPA2024"


@dataclass(frozen=True)
class Applied:
    """One strand's version on a day, and why: adopted by the partnership on ``since``, or in
    force by default from its own effective date."""

    version: GuidanceVersion
    since: datetime.date
    adopted: bool

    @property
    def why(self) -> str:
        if self.adopted:
            return f"the partnership adopted {self.version.short_title} on {self.since:%-d %B %Y}"
        return (
            f"{self.version.short_title} applies from {self.since:%-d %B %Y} "
            "(no later version adopted by then)"
        )


def version_list() -> list[GuidanceVersion]:
    return list(GuidanceVersion.objects.all())


# Read on every case page (the screening's DHR test, the guidance rows): SQL built once
# (issue 16, core.compiled_sql).
_ADOPTIONS = CompiledQuery(
    lambda partnership_id: GuidanceAdoption.objects.filter(
        partnership_id=partnership_id
    ).select_related("version"),
    {"partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk)},
)
_VERSIONS = CompiledQuery(lambda: GuidanceVersion.objects.all(), {})


def adoption_list(*, partnership: Partnership) -> list[GuidanceAdoption]:
    return _ADOPTIONS.read(partnership_id=partnership.pk)


def versions_applying(*, partnership: Partnership, on_date: datetime.date) -> dict[str, Applied]:
    """For each strand, the version that applies to a case the partnership became aware of on
    ``on_date``: of the versions it adopted on or before that day, and the default-on versions
    it recorded no adoption for (counted from their effective date), the latest to start."""
    adopted = {a.version_id: a.adopted_on for a in adoption_list(partnership=partnership)}
    return _applying(adopted, _VERSIONS.read(), on_date)


def _applying(
    adopted: dict[int, datetime.date], versions: list[GuidanceVersion], on_date: datetime.date
) -> dict[str, Applied]:
    chosen: dict[str, Applied] = {}
    for version in versions:
        if version.pk in adopted:
            since, by_adoption = adopted[version.pk], True
        elif version.default_on:
            since, by_adoption = version.effective_from, False
        else:
            continue
        if since > on_date:
            continue
        if version.effective_to is not None and version.effective_to < on_date:
            continue
        current = chosen.get(version.strand)
        if current is None or (since, version.effective_from) > (
            current.since,
            current.version.effective_from,
        ):
            chosen[version.strand] = Applied(version=version, since=since, adopted=by_adoption)
    return chosen


def codes_applying(*, partnership: Partnership, on_date: datetime.date) -> list[str]:
    return sorted(
        a.version.code for a in versions_applying(partnership=partnership, on_date=on_date).values()
    )


def strand_label(strand: str) -> str:
    return Strand(strand).label


@dataclass(frozen=True)
class VersionRow:
    version: GuidanceVersion
    adopted_on: datetime.date | None
    applies_today: bool


@dataclass(frozen=True)
class StrandGroup:
    strand: str
    label: str
    rows: list[VersionRow]
    today: Applied | None


def strand_groups(*, partnership: Partnership, today: datetime.date) -> list[StrandGroup]:
    """The versions of each strand the partnership's review types use, with the dates it
    adopted them and the one that applies to a case it becomes aware of today."""
    types = {t.value for t in partnership.review_types}
    adopted = {a.version_id: a.adopted_on for a in adoption_list(partnership=partnership)}
    # Every version in one read (ordered by strand first), not a query per strand, and the
    # adoptions and versions read once for what applies today too (issue 16).
    all_versions = _VERSIONS.read()
    applying = _applying(adopted, all_versions, today)
    by_strand: dict[str, list[GuidanceVersion]] = {}
    for version in all_versions:
        by_strand.setdefault(version.strand, []).append(version)
    groups = []
    for strand in Strand:
        versions = by_strand.get(strand.value, [])
        if not versions or not set(versions[0].review_types) & types:
            continue
        current = applying.get(strand.value)
        rows = [
            VersionRow(
                version=v,
                adopted_on=adopted.get(v.pk),
                applies_today=current is not None and current.version.pk == v.pk,
            )
            for v in versions
        ]
        groups.append(
            StrandGroup(strand=strand.value, label=strand.label, rows=rows, today=current)
        )
    return groups


def version_get(*, code: str) -> GuidanceVersion | None:
    return GuidanceVersion.objects.filter(code=code).first()


def adoption_get(*, partnership: Partnership, version: GuidanceVersion) -> GuidanceAdoption | None:
    return GuidanceAdoption.objects.filter(partnership=partnership, version=version).first()
