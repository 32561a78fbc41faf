"""Migrating a test database back and forth (the data migration tests), with less of Django's
model rendering.

Django's ``MigrationExecutor`` migrates backwards in two passes over the plan. The first
computes the project state before each migration to undo, and does it on rendered models: from
the first migration to undo onwards, each migration's every operation re-renders the models it
touches and every model related to them (here, most of the 100), and each state is copied with
its models. The second pass undoes each migration, and to do so computes the same states again,
operation by operation, on rendered models (``Migration.unapply``). The first pass was about
40% of a round trip's CPU.

``Executor`` computes the first pass's states without rendering a model (a state's models are
descriptions until something asks for ``state.apps``), and renders each state once, just
before the migration after it is undone. The second pass, the database operations, the
recorded migrations and the state it returns are Django's own, unchanged: every migration runs
backwards on the real tables as ``migrate`` would run it, with the same states (the same
migrations applied to the same starting state). Forwards is Django's, unchanged.
"""

from django.db.migrations.executor import MigrationExecutor


class Executor(MigrationExecutor):
    """``MigrationExecutor`` whose backward plan renders each migration's state once."""

    def _migrate_all_backwards(self, plan, full_plan, fake):
        """Django 5.2's ``MigrationExecutor._migrate_all_backwards``, but the states before
        each migration are computed unrendered and rendered one at a time, when used."""
        migrations_to_run = {m[0] for m in plan}
        # The state before each migration to undo, as descriptions (not rendered).
        states = {}
        state = self._create_project_state()
        applied_migrations = {
            self.loader.graph.nodes[key]
            for key in self.loader.applied_migrations
            if key in self.loader.graph.nodes
        }
        for migration, _ in full_plan:
            if not migrations_to_run:
                break
            if migration in migrations_to_run:
                states[migration] = state
                state = migration.mutate_state(state, preserve=True)
                migrations_to_run.remove(migration)
            elif migration in applied_migrations:
                migration.mutate_state(state, preserve=False)

        for migration, _ in plan:
            before = states[migration]
            before.apps  # noqa: B018 (rendered once here; unapply works on copies of it)
            self.unapply_migration(before, migration, fake=fake)
            applied_migrations.remove(migration)
            # Each state is used once: let its rendered models go.
            del before.apps

        # As Django: the state after the plan is the state before the last migration undone,
        # with the migrations still applied after it.
        last_unapplied_migration = plan[-1][0]
        state = states[last_unapplied_migration]
        for index, (migration, _) in enumerate(full_plan):
            if migration == last_unapplied_migration:
                for migration, _ in full_plan[index:]:
                    if migration in applied_migrations:
                        migration.mutate_state(state, preserve=False)
                break

        return state


def faster_swappable_lookups() -> None:
    """Give the project's app registry its own cache of ``get_swappable_settings_name``.

    Django caches that method with ``functools.cache`` on the class, so the one cache is shared
    by every registry, and each migration state's registry empties it whenever it renders a
    model (``Apps.clear_cache``). Rendering states asks the project's registry for the same
    answers again and again (every related field it copies asks it), and found none cached:
    about 9% of a migration's CPU (migrating a new test database: 76-80 s of CPU against
    69-72 s with this, back to back on a loaded machine). The answers depend only on the
    settings and the project's models, which do not change in a test run; the project's
    registry still empties its own cache when it changes. Test processes only (conftest.py)."""
    import functools

    from django.apps import apps
    from django.apps.registry import Apps

    if "get_swappable_settings_name" not in vars(apps):
        apps.get_swappable_settings_name = functools.cache(
            Apps.get_swappable_settings_name.__wrapped__.__get__(apps)
        )
