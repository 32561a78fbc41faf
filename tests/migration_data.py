"""The data that migrations load (RunPython), loaded again for the tests.

A transactional test (``django_db(transaction=True)``, ``live_server``) ends by emptying every
table, this data too. conftest.py loads it again before each transactional test, so that none
depends on running first, and once a session, for a test database kept by ``--reuse-db`` after
such a test. Every loader is idempotent. tests/test_migration_data.py checks the list is
complete.
"""

from importlib import import_module

MIGRATION_DATA = [
    "safeguarding.actions.migrations.0002_default_themes",
    "safeguarding.guidance.migrations.0002_default_versions",  # before the rules that name them
    "safeguarding.clock.migrations.0008_rules_of_each_version",
    "safeguarding.library.migrations.0003_default_terms",
]
# Data migrations that load no rows: the search index is put back after every migrate
# (safeguarding/library/apps.py) and a flush leaves it in place; the others change or copy rows
# that were there before, so an emptied database needs nothing from them.
NOT_DATA = [
    # Each case's closing day from its history: kept by records/closing.py from then on.
    "safeguarding.records.migrations.0002_case_closing_days",
    # The rules before guidance versions: 0008 loads every rule with its version.
    "safeguarding.clock.migrations.0002_default_rules",
    "safeguarding.clock.migrations.0003_review_rules",
    "safeguarding.library.migrations.0002_search_index",
    "safeguarding.library.migrations.0004_year_optional_welsh_types",
    "safeguarding.library.migrations.0005_search_index_publisher",
    "safeguarding.library.migrations.0006_search_index_keeps_letters",
    # Fills the search index's word pairs (ADR 0057) from rows already indexed.
    "safeguarding.library.migrations.0010_search_index_pairs",
    # Adds to an existing database the shared search terms that 0003 loads on a new one.
    "safeguarding.library.migrations.0007_more_default_terms",
    "safeguarding.accounts.migrations.0002_email_lower_case",
    "safeguarding.actions.migrations.0003_reminder_claims",
    "safeguarding.clock.migrations.0005_reminder_claims",
    "safeguarding.reviews.migrations.0005_meeting_plans_and_reminder_claims",
    "safeguarding.referrals.migrations.0005_encrypt_identities",
    # Points the SAR acknowledgement rule at its new event (the default rules already do) and
    # completes milestones of referrals acknowledged before.
    "safeguarding.referrals.migrations.0007_sar_acknowledgement_completes_its_milestone",
    # Records that a death resulted from abuse where the stored facts said who caused it
    # (issue 14 §5).
    "safeguarding.referrals.migrations.0013_facts_record_causation",
    "safeguarding.reviews.migrations.0007_encrypt_identities",
    # A public content version row for each partnership there already was (ADR 0047).
    "safeguarding.public_site.migrations.0003_public_content_version",
    # Records on each existing case the guidance versions it would have had (ADR 0018).
    "safeguarding.referrals.migrations.0011_existing_cases_guidance",
    "safeguarding.reviews.migrations.0008_chronology_uploads_and_proposed_people",
    # Gives the partner the milestones of the track it already decides on a shared case (ADR
    # 0022); an emptied database has no share.
    "safeguarding.referrals.migrations.0018_shared_track_milestones",
    # Stores the signatories of decisions already recorded (ADR 0019).
    "safeguarding.referrals.migrations.0014_decision_signatories",
    # Dates the sign-off of reviews marked signed off without a date (issue 17).
    "safeguarding.reviews.migrations.0014_fill_sign_off_dates",
    # Keeps on each milestone done before it the working days it took (issue 17).
    "safeguarding.clock.migrations.0011_milestone_done",
    # Links earlier referrals to the agency whose name the referrer typed (issue 17).
    "safeguarding.referrals.migrations.0020_link_source_agencies",
    # Creates the triggers that mark a kept timeliness year stale (ADR 0027): no rows, and a
    # flush leaves triggers in place.
    "safeguarding.reports.migrations.0002_timeliness_years",
    # Creates the triggers that mark kept action figures stale (ADR 0031): no rows either.
    "safeguarding.reports.migrations.0003_action_years",
    # Creates the triggers that keep a chronology's months (ADR 0033) and fills them from the
    # entries already there: a flushed database has no entries, so no months either.
    "safeguarding.reviews.migrations.0021_chronology_months",
    # Replaces two of those triggers, adds the tracks' and marks kept rows stale (issue 16): no
    # rows either.
    "safeguarding.reports.migrations.0004_kept_pack_figures",
    # Creates the triggers that mark the annual figures' kept counts stale (ADR 0056): no rows.
    "safeguarding.reports.migrations.0005_kept_annual_counts",
    # Creates the triggers that mark the board pack's kept counts stale (ADR 0059): no rows.
    "safeguarding.reports.migrations.0006_kept_board_pack_counts",
    # Creates the triggers that mark the themes page's kept counts stale (ADR 0036): no rows.
    "safeguarding.library.migrations.0008_theme_counts",
    # Creates the triggers that mark the library's kept facet counts stale (ADR 0042) and an
    # index: no rows.
    "safeguarding.library.migrations.0009_facet_counts",
    # Create the triggers that keep the tracker's and the triage page's counts (ADR 0037) and
    # fill them from the actions and referrals already there: a flushed database has none.
    "safeguarding.actions.migrations.0008_tracker_counts",
    "safeguarding.referrals.migrations.0026_triage_counts",
    # Creates the triggers that keep the tracker's counts under a theme and the themes page's
    # figures (issue 16) and fills them from the rows already there: none in a flushed database.
    "safeguarding.actions.migrations.0009_theme_counts",
    # Creates the triggers that keep each person's unread notifications count (ADR 0046) and
    # fills it from the notifications already there: none in a flushed database.
    "safeguarding.notifications.migrations.0002_unread_counts",
    # Creates the triggers that keep each case's earliest due date of its milestones still due
    # (issue 16) and fills them from the milestones already there: none in a flushed database.
    "safeguarding.referrals.migrations.0028_case_due",
    # Creates the triggers that keep the open actions' rows under each theme (ADR 0060) and
    # fills them from the actions already there: none in a flushed database.
    "safeguarding.actions.migrations.0012_open_action_themes",
]


def load_migration_data() -> None:
    from django.apps import apps
    from django.db import transaction

    with transaction.atomic():  # one commit, not one per row
        for name in MIGRATION_DATA:
            import_module(name).load(apps, None)
