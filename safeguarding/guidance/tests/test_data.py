"""The shipped versions and rules (data migrations) and ``manage.py screen --guidance-date``."""

import datetime
import importlib
import json
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from safeguarding.clock.models import MilestoneRule
from safeguarding.guidance.default_versions import DEFAULT_VERSIONS
from safeguarding.guidance.models import GuidanceVersion
from safeguarding.referrals.models import Case, CaseGuidance


@pytest.mark.django_db
def test_every_shipped_version_is_loaded_and_every_rule_belongs_to_one():
    assert set(GuidanceVersion.objects.values_list("code", flat=True)) == {
        v.code for v in DEFAULT_VERSIONS
    }
    assert not MilestoneRule.objects.filter(version__isnull=True).exists()
    by_version = {
        code: set(
            MilestoneRule.objects.filter(version__code=code).values_list("rule_id", flat=True)
        )
        for code in ("WT2018", "WT2023", "CA2014", "DHR2016", "DHR2024D")
    }
    # Working Together 2018 and 2023 hold the same clock rules; each owns its rows.
    assert by_version["WT2018"] == by_version["WT2023"] == {"R2", "R4", "R9", "R11", "R13", "R14"}
    assert by_version["CA2014"] == {"R26"}
    assert by_version["DHR2016"] == {"R31", "R32", "R33"}
    assert by_version["DHR2024D"] == {"R31", "R32", "R33", "R45"}  # R45: the scoping stage
    off = GuidanceVersion.objects.filter(default_on=False)
    assert set(off.values_list("code", flat=True)) == {"DHR2024D", "VPA2024"}


@pytest.mark.django_db
def test_the_migration_records_on_existing_cases_the_versions_they_would_have_had(partnership):
    old = Case.objects.create(
        partnership=partnership,
        reference="C1",
        pseudonym="Child A",
        became_aware_on=datetime.date(2023, 6, 1),
    )
    new = Case.objects.create(
        partnership=partnership,
        reference="C2",
        pseudonym="Child B",
        became_aware_on=datetime.date(2024, 6, 1),
    )
    migration = importlib.import_module(
        "safeguarding.referrals.migrations.0011_existing_cases_guidance"
    )
    migration.load(apps, None)
    migration.load(apps, None)  # a second run adds nothing

    def recorded(case):
        return dict(CaseGuidance.objects.filter(case=case).values_list("strand", "version__code"))

    assert recorded(old) == {
        "children": "WT2018",
        "adults": "CA2014",
        "dhr_guidance": "DHR2016",
        "dhr_law": "DVCVA2004",
    }
    assert recorded(new)["children"] == "WT2023"
    assert not CaseGuidance.objects.filter(adopted=True).exists()


def test_screen_says_which_guidance_it_used():
    out = StringIO()
    call_command(
        "screen", "-", "--guidance-date", "2023-12-14", stdin=StringIO('{"age": 30}'), stdout=out
    )
    guidance = json.loads(out.getvalue())["guidance"]
    assert guidance["date"] == "2023-12-14"
    assert guidance["versions"]["children"]["code"] == "WT2018"
    assert guidance["versions"]["dhr_law"]["code"] == "DVCVA2004"
    assert guidance["dhr_test"] == "dvcva2004_s9"
    out = StringIO()
    call_command(
        "screen", "-", "--guidance-date", "2023-12-15", stdin=StringIO('{"age": 30}'), stdout=out
    )
    assert json.loads(out.getvalue())["guidance"]["versions"]["children"]["code"] == "WT2023"


def test_screen_without_a_guidance_date_prints_no_guidance():
    out = StringIO()
    call_command("screen", "-", stdin=StringIO('{"age": 30}'), stdout=out)
    assert "guidance" not in json.loads(out.getvalue())


def test_the_marker_sets_name_versions_that_exist():
    from safeguarding.reviews.running.quality_markers import SETS

    codes = {v.code for v in DEFAULT_VERSIONS}
    for marker_set in SETS.values():
        assert marker_set.versions
        assert set(marker_set.versions) <= codes
