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
