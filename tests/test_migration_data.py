"""Every data migration's rows are loaded again for transactional tests (migration_data.py)."""

import pytest
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython

from safeguarding.actions.models import Theme
from safeguarding.clock.models import MilestoneRule
from safeguarding.library.models import SearchTerm

from .migration_data import MIGRATION_DATA, NOT_DATA, load_migration_data


def test_every_data_migration_of_the_project_is_listed():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    found = {
        migration.__module__
        for migration in loader.disk_migrations.values()
        if migration.__module__.startswith("safeguarding.")
        and any(isinstance(operation, RunPython) for operation in migration.operations)
    }
    assert found == set(MIGRATION_DATA) | set(NOT_DATA)


@pytest.mark.django_db
def test_loading_again_adds_nothing_to_a_migrated_database():
    before = (Theme.objects.count(), MilestoneRule.objects.count(), SearchTerm.objects.count())
    assert all(before)
    load_migration_data()
    after = (Theme.objects.count(), MilestoneRule.objects.count(), SearchTerm.objects.count())
    assert after == before
