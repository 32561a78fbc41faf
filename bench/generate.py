"""Generate the benchmark data set: a partnership with ten years of data, and its neighbours.

    .venv/bin/python bench/generate.py                 # the default size; reused if up to date
    .venv/bin/python bench/generate.py --size small    # a small data set, to compare with
    .venv/bin/python bench/generate.py --regenerate    # build it again from scratch

The data set lives in its own SQLite file, bench/.data/bench.sqlite3 (bench-small.sqlite3 for
the small size), with its documents in bench/.data/media/ (media-small/). Generation is
deterministic: the same seed and size give the same rows. A stamp (bench.json) records the
size, the seed and a hash of this file; the next run reuses the database when the stamp
matches and no migration is missing, so a second `make bench` starts quickly.

Content blocks go through the app's services (so each has its history versions and audit
events, dated at generation time). Users, memberships, documents, ten years of audit events,
referrals (with their identities held apart), cases and milestones are bulk-created with
explicit dates, for speed. Every row is one the app could have written:
registered audit action codes, documents whose stored file exists, agency contributors with an
agency. All names are fictional.
"""

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / ".data"
SEED = 2026

# The ten years of history: December 2016 to November 2026.
START = dt.datetime(2016, 12, 1, tzinfo=dt.UTC)
END = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)

SIZES = {
    # The target partnership has ten years of data; 20 neighbours share the database.
    "default": {
        "other_partnerships": 20,
        "members": 60,
        "agencies": 12,
        "blocks": 40,
        "block_versions": 3,
        "other_blocks": 8,
        "documents": 300,
        "archived_share": 0.8,
        "other_documents": 15,
        "events": 150_000,
        "target_event_share": 0.3,
        "referrals": 10_000,
        "milestones": 100_000,
        "chronology_entries": 20_000,
        "action_reviews": 300,
        "recommendations": 3_000,
        "actions": 10_000,
        "library_records": 200,
        "pending": 10,  # records part-way (bench/state_data.py)
        "digest_issues": 40,
        "information_requests": 500,
        "notifications": 500,
        "yearly_report_years": 9,
    },
    # The same partnership after its first year, beside the ten: a tenth of every row that piles
    # up with the years (the same 20 neighbours, members, agencies and sections), dated within
    # the year before END, so a year holds as many rows as a year of the ten-year set (issue
    # 16). bench/run.py times every page on this set and on the default one in the same process
    # and prints the ratio (the goal: ≤ 1.25×).
    "one_year": {
        # The first day of its history (the ten-year set's is START; see history_start()).
        "history_start": "2025-11-20",
        "members_joined_within_days": 30,
        "other_partnerships": 20,
        "members": 60,
        "agencies": 12,
        "blocks": 40,
        "block_versions": 3,
        "other_blocks": 8,
        "documents": 30,
        "archived_share": 0.8,
        "other_documents": 15,
        "events": 15_000,
        "target_event_share": 0.3,
        "referrals": 1_000,
        "milestones": 10_000,
        # One review's chronology: as long at one year as at ten (it is the review's, not the
        # partnership's history).
        "chronology_entries": 20_000,
        "action_reviews": 30,
        "recommendations": 300,
        "actions": 1_000,
        "library_records": 20,
        "pending": 1,
        "digest_issues": 4,
        "information_requests": 50,
        "notifications": 50,
        "yearly_report_years": 1,
    },
    # The same shape, about a hundredth of the rows: query counts must be the same on both.
    "small": {
        "other_partnerships": 2,
        "members": 10,
        "agencies": 12,
        "blocks": 5,
        "block_versions": 1,
        "other_blocks": 3,
        "documents": 12,
        "archived_share": 0.5,
        "other_documents": 3,
        "events": 2_000,
        "target_event_share": 0.3,
        "referrals": 100,
        "milestones": 1_000,
        "chronology_entries": 200,
        "action_reviews": 3,
        "recommendations": 30,
        "actions": 100,
        "library_records": 2,
        "pending": 1,
        "digest_issues": 2,
        "information_requests": 5,
        "notifications": 5,
        "yearly_report_years": 1,
    },
}

TARGET = {
    "name": "Northmoor Safeguarding Partnership",
    "slug": "northmoor-safeguarding",
    "kind": "combined",
    "runs_cspr": True,
    "runs_safeguarding_adults_reviews": True,
    "runs_dhr": True,
    "area_name": "Northmoor",
    "contact_email": "reviews@northmoor-safeguarding.example",
}
# The people the scenarios sign in as (role key -> email).
BENCH_USERS = {
    "business_unit": "bench.business.unit@northmoor.example",
    "panel_member": "bench.panel.member@northmoor.example",
}

PLACES = [
    "Ashcombe", "Barrowfield", "Calderbrook", "Dunmere", "Elmsworth", "Fallowden",
    "Greystead", "Hollinford", "Ivybridge Vale", "Kestermoor", "Larkhaven", "Marlowby",
    "Netherby Cross", "Oakenshaw", "Pellingham", "Quarrendon", "Redmarsh", "Saltcote",
    "Thornleigh", "Underwood Fen", "Wexcombe", "Yarrowdale",
]  # fmt: skip
FIRST_NAMES = [
    "Amira", "Ben", "Chloe", "Daniel", "Efua", "Farah", "George", "Hannah", "Imran", "Jess",
    "Kwame", "Laura", "Mohammed", "Niamh", "Owen", "Priya", "Rhys", "Sofia", "Tariq", "Una",
    "Victor", "Wen", "Yusuf", "Zara",
]  # fmt: skip
SURNAMES = [
    "Adebayo", "Brennan", "Chowdhury", "Davies", "Evans", "Fitzgerald", "Gallagher", "Hughes",
    "Iqbal", "Jones", "Kaur", "Lewis", "Mensah", "Nowak", "O'Connor", "Parry", "Quinn",
    "Roberts", "Singh", "Thomas", "Walsh", "Young",
]  # fmt: skip
AGENCY_KINDS = [
    ("Police", "police"), ("Integrated Care Board", "icb"),
    ("Children's Services", "childrens_services"), ("Adult Social Care", "adult_social_care"),
    ("Hospitals NHS Trust", "health_provider"), ("GP Federation", "gp"),
    ("Schools Trust", "school"), ("Probation Service", "probation"), ("Homes", "housing"),
    ("Ambulance Service", "ambulance"), ("Women's Aid", "voluntary"), ("Youth Justice", "other"),
]  # fmt: skip
TOPICS = [
    "Learning from reviews", "Threshold guidance", "Escalation policy", "Neglect strategy",
    "Information sharing", "Professional curiosity", "Safer sleep", "Self-neglect protocol",
    "Domestic abuse pathway", "Exploitation guidance", "Mental capacity briefing",
    "Rapid review process", "Referral form", "Family leaflet", "Annual report",
    "Practice briefing", "Seven-minute briefing", "Transitions protocol",
]  # fmt: skip
WORDS = [
    "partnership", "review", "learning", "practice", "agencies", "families", "child", "adult",
    "safeguarding", "referral", "panel", "decision", "report", "published", "statutory",
    "guidance", "multi-agency", "information", "sharing", "professional", "curiosity",
    "escalation", "action", "plan", "recommendations", "evidence", "support", "timely",
    "assessment", "risk", "protection", "wellbeing", "services", "community", "local", "area",
]  # fmt: skip
ROLE_MIX = [  # share of a partnership's members, in order
    ("business_unit", 0.07),
    ("partner_lead", 0.05),
    ("administrator", 0.03),
    ("panel_member", 0.2),
    ("reviewer", 0.1),
    ("agency_contributor", 1.0),  # the rest
]
SCOPED_ACTIONS = [  # (code, weight) for events about a partnership's records
    ("public_page.block_changed", 70),
    ("public_page.document_uploaded", 20),
    ("public_page.document_archived", 8),
    ("public_page.block_added", 2),
]
SIGN_IN_ACTIONS = [  # (code, weight) for members' own events (no partnership)
    ("user.signed_in", 85),
    ("user.signed_out", 10),
    ("user.sign_in_failed", 4),
    ("user.password_changed", 1),
]
SCOPED_SHARE = 0.6

# Referrals, cases and milestones (the target only). "Today" for the data set is END's date:
# open milestones fall due on either side of it, so the home page's lists (overdue, due in the
# next 5 working days, paused) are full when the benchmarks run in the months after it.
ANCHOR = END.date()
REVIEW_TYPE_MIX = [("cspr", 50), ("sar", 35), ("dhr", 15)]
STATUS_BY_AGE = [  # (younger than this many days, [(status, weight), ...])
    (14, [("new", 60), ("in_screening", 30), ("awaiting_decision", 10)]),
    (60, [("new", 10), ("in_screening", 30), ("awaiting_decision", 30), ("decided", 30)]),
    (None, [("new", 2), ("in_screening", 1), ("awaiting_decision", 1), ("decided", 96)]),
]
LINK_SHARE = 0.2  # of screened referrals: about an incident that already has a case
# Milestone status by how far its due date is from ANCHOR: (due before this many days, mix).
MILESTONE_STATUS_BY_DUE = [
    (-90, [("done", 92), ("not_applicable", 6), ("due", 1.5), ("paused", 0.5)]),
    (0, [("done", 55), ("due", 30), ("paused", 10), ("not_applicable", 5)]),
    (None, [("due", 80), ("paused", 12), ("done", 8)]),
]
PAUSED_REASONS = [
    "Waiting for the police to agree the review can go ahead alongside the criminal case",
    "The coroner asked us to wait for the inquest",
    "Waiting for the family to say how they want to be involved",
    "Agency chronologies are late; escalated to the partner leads",
]
EXTENSION_REASONS = [
    "The panel agreed more time for agency returns",
    "The parallel criminal process has moved the timetable",
    "The reviewer was replaced",
]
OWNER_SHARE = 0.6


def data_paths(size: str) -> dict[str, Path]:
    suffix = "" if size == "default" else f"-{size}"
    return {
        "db": DATA_DIR / f"bench{suffix}.sqlite3",
        "media": DATA_DIR / f"media{suffix}",
        "stamp": DATA_DIR / f"bench{suffix}.json",
    }


def generator_hash() -> str:
    sources = [
        Path(__file__),
        Path(__file__).with_name("chronology_data.py"),
        Path(__file__).with_name("action_data.py"),
        Path(__file__).with_name("record_data.py"),
        Path(__file__).with_name("state_data.py"),
    ]
    return hashlib.sha256(b"".join(path.read_bytes() for path in sources)).hexdigest()[:16]


def configure_django(db_path: Path, media_root: Path) -> None:
    """Point Django at ``db_path`` (before setup: the settings read DATABASE_URL) and start it."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"  # an absolute path gives sqlite:////…
    os.environ["BENCH_MEDIA_ROOT"] = str(media_root)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()


def migrations_pending() -> bool:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def read_stamp(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def ensure(size: str = "default", *, regenerate: bool = False, log=print) -> dict:
    """Make sure the data set for ``size`` exists and is current; return its stamp.

    Sets up Django against the data set as a side effect (once per process).
    """
    params = SIZES[size]
    paths = data_paths(size)
    wanted = {"size": size, "seed": SEED, "params": params, "generator": generator_hash()}
    stamp = read_stamp(paths["stamp"])
    configure_django(paths["db"], paths["media"])
    from django.db import connections

    if (
        not regenerate
        and paths["db"].exists()
        and stamp is not None
        and {key: stamp.get(key) for key in wanted} == wanted
    ):
        if migrations_pending():
            # As production would: new migrations (indexes, mostly) run over the rows as they are.
            from django.core.management import call_command

            log("The data set is missing migrations: applying them to it.")
            call_command("migrate", verbosity=0, interactive=False)
            connections.close_all()
        log(f"Reusing the {size} data set ({paths['db'].relative_to(ROOT)}).")
        return stamp
    connections.close_all()
    for leftover in (paths["db"], paths["stamp"]):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(paths["media"], ignore_errors=True)
    paths["media"].mkdir(parents=True)

    log(f"Generating the {size} data set (seed {SEED}) in {paths['db'].relative_to(ROOT)} …")
    started = time.perf_counter()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    counts = build(params, random.Random(SEED), paths["media"], log=log)
    connections.close_all()
    stamp = {
        **wanted,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 1),
        "target_slug": TARGET["slug"],
        "users": BENCH_USERS,
        "counts": counts,
    }
    paths["stamp"].write_text(json.dumps(stamp, indent=2) + "\n")
    log(f"Generated in {stamp['seconds']} s: {json.dumps(counts)}")
    return stamp


# Building the rows --------------------------------------------------------------------------


@contextlib.contextmanager
def explicit_dates(*models):
    """Let bulk_create keep the dates we give (auto_now and auto_now_add would overwrite them)."""
    saved = []
    for model in models:
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                saved.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def moment(rng: random.Random, start: dt.datetime = START, end: dt.datetime = END):
    return start + (end - start) * rng.random()


def history_start(params: dict) -> dt.datetime:
    """The first moment of the data set's history: START (December 2016) for the ten-year set,
    a year before END for the one-year set (``params["history_start"]``). Every row that piles
    up with the years is dated from it to END. Without the key the generators take exactly the
    dates and random draws they always did, so the ten-year set does not move."""
    first = params.get("history_start")
    if first is None:
        return START
    return dt.datetime.combine(dt.date.fromisoformat(first), dt.time(), tzinfo=dt.UTC)


def history_day(params: dict, day: dt.date) -> dt.date:
    """``day`` of the ten-year set's history, moved to the same distance from the first day of
    this data set's history (a review started a month in starts a month in)."""
    return history_start(params).date() + (day - START.date())


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def block_body(rng: random.Random) -> str:
    paragraphs = [
        " ".join(sentence(rng, rng.randint(8, 18)) for _ in range(rng.randint(2, 5)))
        for _ in range(rng.randint(2, 4))
    ]
    if rng.random() < 0.4:
        paragraphs.append("\n".join(f"- {sentence(rng, 6)}" for _ in range(rng.randint(3, 6))))
    return "\n\n".join(paragraphs)


def weighted(rng: random.Random, choices: list[tuple[str, int]]) -> str:
    codes, weights = zip(*choices, strict=True)
    return rng.choices(codes, weights)[0]


def role_quota(members: int) -> list[str]:
    roles, left = [], members
    for role, share in ROLE_MIX[:-1]:
        count = min(left, max(1, round(members * share)))
        roles += [role] * count
        left -= count
    return roles + [ROLE_MIX[-1][0]] * left


def build(params: dict, rng: random.Random, media_root: Path, log=print) -> dict:
    from django.db import transaction

    from safeguarding.accounts.models import Agency, Membership, Partnership, User
    from safeguarding.audit.models import AuditEvent
    from safeguarding.public_site import services as public_services
    from safeguarding.public_site.models import ContentBlock, PublicDocument
    from safeguarding.workspace.documents import docx_bytes, pdf_bytes

    since = history_start(params)
    joined_within = dt.timedelta(days=params.get("members_joined_within_days", 3 * 365))
    with transaction.atomic():
        # Agencies and partnerships ---------------------------------------------------------
        agencies = Agency.objects.bulk_create(
            Agency(name=f"Northmoor {label}", slug=f"northmoor-{kind.replace('_', '-')}", kind=kind)
            for label, kind in AGENCY_KINDS[: params["agencies"]]
        )
        partnerships = [Partnership(**TARGET)]
        for place in PLACES[: params["other_partnerships"]]:
            kind = rng.choice(list(Partnership.Kind))
            slug = place.lower().replace(" ", "-")
            partnerships.append(
                Partnership(
                    name=f"{place} {kind.label.capitalize()}",
                    slug=slug,
                    kind=kind,
                    runs_cspr=kind in ("children", "combined"),
                    runs_safeguarding_adults_reviews=kind in ("adults", "combined"),
                    runs_dhr=kind == "community_safety" or rng.random() < 0.2,
                    area_name=place,
                    contact_email=f"reviews@{slug}.example",
                )
            )
        for partnership in partnerships:
            partnership.full_clean()
        partnerships = Partnership.objects.bulk_create(partnerships)
        target = partnerships[0]
        Partnership.agencies.through.objects.bulk_create(
            Partnership.agencies.through(partnership_id=p.pk, agency_id=a.pk)
            for p in partnerships
            for a in agencies
        )

        # People: ~members per partnership, some reviewers shared between partnerships -------
        unusable = "!bench-generated-user"
        users: list[User] = []
        memberships: list[Membership] = []
        reviewers: list[User] = []

        def new_user(email: str, full_name: str, job_title: str) -> User:
            user = User(
                email=email,
                full_name=full_name,
                job_title=job_title,
                password=unusable,
                date_joined=moment(rng, since, since + joined_within),
            )
            users.append(user)
            return user

        bench_bu = new_user(BENCH_USERS["business_unit"], "Bench Business Unit", "Business manager")
        bench_panel = new_user(
            BENCH_USERS["panel_member"], "Bench Panel Member", "Designated nurse"
        )
        # The bench business-unit user works for the target and two neighbours, as in the demo.
        fixed = [(bench_bu, target, "business_unit"), (bench_panel, target, "panel_member")]
        fixed += [(bench_bu, p, "business_unit") for p in partnerships[1:3]]
        members_of: dict[int, list[tuple[User, str]]] = {}
        for user, partnership, role in fixed:
            members_of.setdefault(id(partnership), []).append((user, role))

        for index, partnership in enumerate(partnerships):
            slug = partnership.slug
            for number, role in enumerate(role_quota(params["members"])):
                if role == "reviewer" and reviewers and rng.random() < 0.5:
                    user = rng.choice(reviewers)
                    if any(u is user for u, _ in members_of.get(id(partnership), [])):
                        continue
                else:
                    first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
                    local = f"{first}.{last}".lower().replace("'", "")
                    user = new_user(
                        f"{local}.{index}.{number}@{slug}.example",
                        f"{first} {last}",
                        role.replace("_", " ").capitalize(),
                    )
                    if role == "reviewer":
                        reviewers.append(user)
                members_of.setdefault(id(partnership), []).append((user, role))

        users = User.objects.bulk_create(users)
        for partnership in partnerships:
            for user, role in members_of[id(partnership)]:
                memberships.append(
                    Membership(
                        user=user,
                        partnership=partnership,
                        role=role,
                        agency=rng.choice(agencies) if role == "agency_contributor" else None,
                        created_at=user.date_joined,
                    )
                )
        with explicit_dates(Membership):
            Membership.objects.bulk_create(memberships, batch_size=2000)
        log(f"  {len(partnerships)} partnerships, {len(users)} users, {len(memberships)} roles")

        editors_of = {
            id(p): [u for u, role in members_of[id(p)] if role == "business_unit"]
            for p in partnerships
        }

        def business_unit(partnership) -> list[User]:
            return editors_of[id(partnership)]

        # Content blocks, through the services (history versions and audit events) -----------
        blocks_of: dict[int, list[ContentBlock]] = {}
        for partnership in partnerships:
            is_target = partnership is target
            editors = business_unit(partnership)
            count = params["blocks"] if is_target else params["other_blocks"]
            versions = params["block_versions"] if is_target else 1
            types = [""] + [t.value for t in partnership.review_types]
            blocks = []
            for position in range(1, count + 1):
                block = public_services.content_block_create(
                    partnership=partnership,
                    actor=rng.choice(editors),
                    heading=f"{rng.choice(TOPICS)} ({position})",
                    body=block_body(rng),
                    review_type=rng.choice(types),
                    position=position * 10,
                )
                for _ in range(versions):
                    public_services.content_block_update(
                        block=block, actor=rng.choice(editors), body=block_body(rng)
                    )
                blocks.append(block)
            blocks_of[id(partnership)] = blocks
        log(f"  {ContentBlock.objects.count()} content blocks with history")

        # Documents: real small files, most of them archived over the years ------------------
        files = {
            "docx": docx_bytes("Northmoor practice briefing", [sentence(rng, 20)] * 6),
            "pdf": pdf_bytes("Northmoor practice briefing", [sentence(rng, 20)] * 6),
        }
        documents = []
        for partnership in partnerships:
            is_target = partnership is target
            editors = business_unit(partnership)
            count = params["documents"] if is_target else params["other_documents"]
            types = [""] + [t.value for t in partnership.review_types]
            for number in range(count):
                kind = rng.choice(["pdf", "docx", "docx"])
                created = moment(rng, since)
                archived = rng.random() < params["archived_share"]
                title = f"{rng.choice(TOPICS)} {created.year} ({number + 1})"
                path = f"public-documents/{partnership.slug}/{rng.getrandbits(128):032x}.{kind}"
                stored = media_root / path
                stored.parent.mkdir(parents=True, exist_ok=True)
                stored.write_bytes(files[kind])
                editor = rng.choice(editors)
                archived_at = moment(rng, created, END) if archived else None
                documents.append(
                    PublicDocument(
                        partnership=partnership,
                        title=title,
                        category=rng.choice(list(PublicDocument.Category)),
                        review_type=rng.choice(types),
                        file=path,
                        original_name=f"{title.lower().replace(' ', '-')}.{kind}"[:255],
                        file_kind=kind,
                        size_bytes=len(files[kind]),
                        created_at=created,
                        created_by=editor,
                        modified_at=archived_at or created,
                        modified_by=editor,
                        archived_at=archived_at,
                        archived_by=editor if archived else None,
                    )
                )
        with explicit_dates(PublicDocument):
            documents = PublicDocument.objects.bulk_create(documents, batch_size=1000)
        docs_of: dict[int, list[PublicDocument]] = {}
        for document in documents:
            docs_of.setdefault(document.partnership_id, []).append(document)
        log(f"  {len(documents)} public documents")

        # Ten years of audit events ---------------------------------------------------------
        others = partnerships[1:]
        share = params["target_event_share"]
        events = []
        for _ in range(params["events"]):
            partnership = target if not others or rng.random() < share else rng.choice(others)
            when = moment(rng, since)
            request_id = f"{rng.getrandbits(128):032x}"
            if rng.random() < SCOPED_SHARE:
                action = weighted(rng, SCOPED_ACTIONS)
                actor = rng.choice(business_unit(partnership))
                if action.startswith("public_page.block"):
                    record = rng.choice(blocks_of[id(partnership)])
                    label, payload = record.heading, {}
                    if action == "public_page.block_changed":
                        fields = ["heading", "body", "review_type", "position"]
                        payload = {"fields": sorted(rng.sample(fields, rng.randint(1, 2)))}
                else:
                    record = rng.choice(docs_of[partnership.pk])
                    label, payload = record.title, {}
                    if action == "public_page.document_uploaded":
                        payload = {"kind": record.file_kind, "size_bytes": record.size_bytes}
                events.append(
                    AuditEvent(
                        occurred_at=when,
                        actor=actor,
                        actor_label=actor.email,
                        action=action,
                        partnership=partnership,
                        object_type=record._meta.label_lower,
                        object_id=str(record.pk),
                        object_label=label[:300],
                        payload=payload,
                        request_id=request_id,
                    )
                )
            else:
                actor, _ = rng.choice(members_of[id(partnership)])
                ip = f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
                events.append(
                    AuditEvent(
                        occurred_at=when,
                        actor=actor,
                        actor_label=actor.email,
                        action=weighted(rng, SIGN_IN_ACTIONS),
                        payload={"ip": ip},
                        request_id=request_id,
                    )
                )
        events.sort(key=lambda event: event.occurred_at)  # ids rise with time, as in real life
        with explicit_dates(AuditEvent):
            for start in range(0, len(events), 5000):
                AuditEvent.objects.bulk_create(events[start : start + 5000])
        log(f"  {len(events)} audit events from {since:%-d %b %Y} to {END:%-d %b %Y}")

        build_casework(params, rng, target, business_unit(target), agencies, log=log)

        from bench.chronology_data import build_chronology

        build_chronology(params, SEED + 4, target, business_unit(target), agencies, log=log)

        from bench.action_data import build_action_plans

        build_action_plans(params, SEED + 5, target, business_unit(target), agencies, log=log)

        from bench.record_data import (
            build_publications,
            build_records,
            build_review_records,
            build_settings,
        )

        build_records(params, SEED + 6, target, business_unit(target), log=log)
        build_review_records(SEED + 7, target, business_unit(target), log=log)
        build_publications(SEED + 8, target, business_unit(target), log=log)
        build_settings(params, SEED + 9, target, log=log)

        from bench.state_data import build_states

        build_states(params, SEED + 10, target, business_unit(target), log=log)

        # Each case's closing day, as the services' saves keep it (the rows above were
        # mostly bulk-created, which sends no signal): the retention page reads it.
        from safeguarding.records.closing import refresh_every_case

        log(f"  {refresh_every_case()} cases with a closing day")

    return dataset_counts(target)


def _subject_url(name: str, slug: str, fallback: str):
    """A function pk -> the page's path, as the services write it (``reverse``), or the path the
    page will have while the page does not exist yet."""
    from django.urls import NoReverseMatch, reverse

    sentinel = 987654321
    try:
        pattern = reverse(name, args=[slug, sentinel]).replace(str(sentinel), "{pk}")
    except NoReverseMatch:
        pattern = fallback
    return lambda pk: pattern.format(pk=pk)


def _letters(number: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: pseudonyms like 'Child AB'."""
    text = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        text = chr(65 + rest) + text
    return text


def build_casework(params, rng, target, business_unit, agencies, log=print) -> None:
    """The target's referrals (every status, every review type, ten years), their identities,
    the cases they were screened in, and the milestones of both (rules from the clock's data
    migration). Rows are what the services write: a screened referral belongs to a case and has
    the case's status; a later referral about the same incident keeps its own milestones as not
    applicable; milestone dates come from clock.services.due_date (R39, R40)."""
    import uuid

    from django.contrib.contenttypes.models import ContentType

    from safeguarding.clock.models import Milestone, MilestoneRule
    from safeguarding.clock.services import due_date
    from safeguarding.core.calendar import working_days_between
    from safeguarding.referrals.models import (
        OUTCOMES_BY_TYPE,
        AbuseOrNeglect,
        Case,
        Decision,
        Harm,
        HarmedBy,
        Place,
        Referral,
        ReferralIdentity,
        Track,
        age_group_for,
    )

    count = params["referrals"]
    if not count:
        return
    slug = target.slug
    since = history_start(params).date()
    span = (ANCHOR - since).days
    days = sorted(rng.randint(0, span) for _ in range(count))
    staff = business_unit

    def at(day: dt.date, hour: int | None = None) -> dt.datetime:
        hour = rng.randint(8, 17) if hour is None else hour
        return dt.datetime(day.year, day.month, day.day, hour, rng.randint(0, 59), tzinfo=dt.UTC)

    # Referrals, oldest first (ids rise with time) ------------------------------------------
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    references: set[str] = set()
    referrals, identities, statuses = [], [], []
    for offset in days:
        received = since + dt.timedelta(days=offset)
        age_days = (ANCHOR - received).days
        mix = next(m for limit, m in STATUS_BY_AGE if limit is None or age_days < limit)
        status = weighted(rng, mix)
        review_type = weighted(rng, REVIEW_TYPE_MIX)
        while True:
            code = "".join(rng.choice(alphabet) for _ in range(6))
            reference = f"R{received.year}-{code}"
            if reference not in references:
                references.add(reference)
                break
        if review_type == "cspr":
            age = rng.randint(0, 17)
            harm = rng.choice([Harm.DIED, Harm.SERIOUS_HARM, Harm.SERIOUS_HARM, Harm.HARM])
        elif review_type == "sar":
            age = rng.randint(18, 96)
            harm = rng.choice([Harm.DIED, Harm.SERIOUS_HARM, Harm.HARM])
        else:
            age = rng.randint(16, 80)
            harm = Harm.DIED
        incident = received - dt.timedelta(days=rng.randint(0, 40))
        agency = rng.choice(agencies)
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        online = rng.random() < 0.8
        entered_by = None if online else rng.choice(staff)
        created = at(received)
        referrals.append(
            Referral(
                partnership=target,
                reference=reference,
                review_type=review_type,
                status=status,
                source=Referral.Source.ONLINE if online else Referral.Source.WORD_FORM,
                submission_key=uuid.UUID(int=rng.getrandbits(128), version=4),
                status_token_hash=f"{rng.getrandbits(256):064x}" if online else "",
                received_on=received,
                referrer_name=f"{first} {last}",
                referrer_job_title=rng.choice(["Social worker", "Designated nurse", "Detective"]),
                referrer_organisation=agency.name,
                referrer_email=f"{first}.{last}".lower().replace("'", "")
                + f"@{agency.slug}.example",
                discussed_with_safeguarding_lead=rng.random() < 0.8,
                age_years=age,
                age_group=age_group_for(age),
                incident_date=incident,
                harm=harm,
                date_of_death=incident if harm == Harm.DIED else None,
                abuse_or_neglect=rng.choice(list(AbuseOrNeglect)),
                place=weighted(rng, [(Place.IN_AREA, 90), (Place.OUTSIDE_AREA_IN_ENGLAND, 10)]),
                normally_resident_in_area=rng.random() < 0.9,
                what_happened=" ".join(sentence(rng, rng.randint(10, 20)) for _ in range(3)),
                agency_working_concern=rng.random() < 0.7,
                looked_after=rng.random() < 0.15 if review_type == "cspr" else None,
                care_and_support_needs=rng.random() < 0.8 if review_type == "sar" else None,
                harmed_by=rng.choice(list(HarmedBy)) if review_type == "dhr" else "",
                created_at=created,
                modified_at=created,
                created_by=entered_by,
                modified_by=entered_by,
            )
        )
        statuses.append(status)
    with explicit_dates(Referral):
        referrals = Referral.objects.bulk_create(referrals, batch_size=1000)
    for referral in referrals:
        birth_year = referral.received_on.year - referral.age_years
        identities.append(
            ReferralIdentity(
                referral=referral,
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(SURNAMES),
                date_of_birth=dt.date(birth_year, rng.randint(1, 12), rng.randint(1, 28)),
                address=f"{rng.randint(1, 200)} {rng.choice(PLACES)} Road, {target.area_name}",
            )
        )
    ReferralIdentity.objects.bulk_create(identities, batch_size=2000)
    Through = Referral.agencies.through
    Through.objects.bulk_create(
        (
            Through(referral_id=referral.pk, agency_id=agency.pk)
            for referral in referrals
            for agency in rng.sample(agencies, rng.randint(1, 3))
        ),
        batch_size=5000,
    )

    # Cases: each screened referral opens one, or joins a recent one (same incident) -----------
    cases: list[Case] = []
    case_of: dict[int, int] = {}  # referral index -> case index
    first_referral: list[int] = []  # case index -> its first referral's index
    for index, referral in enumerate(referrals):
        if referral.status == "new":
            continue
        recent = cases[-1] if cases else None
        if (
            recent is not None
            and rng.random() < LINK_SHARE
            and (referral.received_on - recent.became_aware_on).days <= 30
        ):
            case_of[index] = len(cases) - 1
            continue
        number = len(cases) + 1  # the primary key on a fresh database, as case_open names it
        kind = "Child" if referral.review_type == "cspr" else "Adult"
        created = referral.created_at + dt.timedelta(hours=rng.randint(1, 72))
        cases.append(
            Case(
                partnership=target,
                reference=f"C{created.year}-{number:05d}",
                pseudonym=f"{kind} {_letters(len(cases))}",
                status=referral.status,
                became_aware_on=referral.received_on,
                facts={"age": referral.age_years, "harm": referral.harm},
                facts_updated_at=created,
                created_at=created,
                modified_at=created,
                created_by=rng.choice(staff),
                modified_by=rng.choice(staff),
            )
        )
        case_of[index] = len(cases) - 1
        first_referral.append(index)
    with explicit_dates(Case):
        cases = Case.objects.bulk_create(cases, batch_size=1000)
    linked = []
    for index, case_index in case_of.items():
        referral = referrals[index]
        referral.case_id = cases[case_index].pk
        referral.status = cases[case_index].status  # as referral_link_to_case does
        linked.append(referral)
    Referral.objects.bulk_update(linked, ["case", "status"], batch_size=1000)

    # Tracks and final decisions for the cases that reached a decision -----------------------
    tracks, decisions = [], []
    for case_index, case in enumerate(cases):
        if case.status not in ("awaiting_decision", "decided"):
            continue
        review_type = referrals[first_referral[case_index]].review_type
        tracks.append(
            Track(
                case=case,
                review_type=review_type,
                screening_result="met",
                created_at=case.created_at,
            )
        )
    with explicit_dates(Track):
        tracks = Track.objects.bulk_create(tracks, batch_size=2000)
    case_by_pk = {case.pk: case for case in cases}
    for track in tracks:
        case = case_by_pk[track.case_id]
        if case.status != "decided":
            continue
        decided = case.became_aware_on + dt.timedelta(days=rng.randint(10, 40))
        decided = min(decided, ANCHOR)
        decisions.append(
            Decision(
                track=track,
                outcome=rng.choice(OUTCOMES_BY_TYPE[track.review_type]),
                rationale=sentence(rng, 25),
                decided_on=decided,
                state=Decision.State.FINAL,
                finalised_at=at(decided),
                created_at=at(decided, 9),
                modified_at=at(decided),
            )
        )
    with explicit_dates(Decision):
        Decision.objects.bulk_create(decisions, batch_size=2000)
    log(
        f"  {len(referrals)} referrals ({statuses.count('new')} new), {len(cases)} cases, "
        f"{len(tracks)} tracks, {len(decisions)} final decisions"
    )

    # Milestones ----------------------------------------------------------------------------
    # First the ones the services would start: a referral's awareness clock (moved to its case
    # when the case opens; a later referral about the same incident keeps its own as not
    # applicable) and, for a case decided to go to review, the review's report. Then, because
    # eight rules allow at most eight milestones per referral or case, other rules on other
    # subjects until there are params["milestones"]: the pages read them all alike.
    rules = {rule.code: rule for rule in MilestoneRule.objects.all()}
    by_type: dict[str, list] = {}
    for rule in rules.values():
        by_type.setdefault(rule.review_type, []).append(rule)
    awareness = {
        "cspr": ["cspr-serious-incident-notification", "cspr-rapid-review"],
        "sar": ["sar-acknowledge-referral"],
        "dhr": ["dhr-decision"],
    }
    report = {"cspr": "lcspr-final-report", "sar": "sar-report", "dhr": "dhr-report"}
    referral_type = ContentType.objects.get_for_model(Referral)
    case_type = ContentType.objects.get_for_model(Case)
    referral_url = _subject_url("referrals:detail", slug, f"/manage/{slug}/referrals/{{pk}}/")
    case_url = _subject_url("referrals:case", slug, f"/manage/{slug}/cases/{{pk}}/")
    subjects = [  # (content type, pk, label, url, start date, review type, status)
        (
            referral_type,
            r.pk,
            f"Referral {r.reference}",
            referral_url(r.pk),
            r.received_on,
            r.review_type,
            r.status,
        )
        for r in referrals
    ] + [
        (
            case_type,
            c.pk,
            f"{c.reference} ({c.pseudonym})",
            case_url(c.pk),
            c.became_aware_on,
            referrals[first_referral[i]].review_type,
            c.status,
        )
        for i, c in enumerate(cases)
    ]
    case_subject = {i: len(referrals) + i for i in range(len(cases))}
    planned: dict[tuple[int, int], str | None] = {}  # (subject index, rule pk) -> forced status
    for index, referral in enumerate(referrals):
        codes = list(awareness[referral.review_type])
        if referral.review_type == "cspr" and referral.looked_after and referral.harm == "died":
            codes.append("cspr-looked-after-death-notification")  # R4
        if index not in case_of:
            for code in codes:
                planned[(index, rules[code].pk)] = None
        elif first_referral[case_of[index]] == index:
            for code in codes:
                planned[(case_subject[case_of[index]], rules[code].pk)] = None
        else:
            for code in codes:
                planned[(index, rules[code].pk)] = "not_applicable"
    for case_index, case in enumerate(cases):
        if case.status == "decided" and rng.random() < 0.4:
            review_type = referrals[first_referral[case_index]].review_type
            planned[(case_subject[case_index], rules[report[review_type]].pk)] = None
    wanted = params["milestones"]
    if len(planned) < wanted:
        all_rules = [rule.pk for rule in rules.values()]
        pool = [
            (subject, rule)
            for subject in range(len(subjects))
            for rule in all_rules
            if (subject, rule) not in planned
        ]
        for key in rng.sample(pool, min(wanted - len(planned), len(pool))):
            planned[key] = None
    rule_by_pk = {rule.pk: rule for rule in rules.values()}

    milestones = []
    for (subject_index, rule_pk), forced in sorted(planned.items()):
        content_type, pk, label, url, start, _, _ = subjects[subject_index]
        rule = rule_by_pk[rule_pk]
        if rule.starts_on_event not in (
            "cspr_la_aware",
            "looked_after_death_known",
            "sab_aware",
            "csp_aware",
        ):  # a later event: the review started some weeks after the decision
            start = min(start + dt.timedelta(days=rng.randint(20, 60)), ANCHOR)
        due = due_date(start, rule.offset_amount, rule.offset_unit)
        original = due
        if forced:
            status = forced
        else:
            delta = (due - ANCHOR).days
            mix = next(m for limit, m in MILESTONE_STATUS_BY_DUE if limit is None or delta < limit)
            status = weighted(rng, mix)
        extension = ""
        recent = due >= ANCHOR - dt.timedelta(days=60)
        if status in ("due", "paused") and recent and rng.random() < 0.1:
            extension = rng.choice(EXTENSION_REASONS)
            due = original + dt.timedelta(days=rng.randint(7, 45))
        done_on = None
        if status == "done":
            latest = min(due + dt.timedelta(days=10), ANCHOR)
            done_on = start + dt.timedelta(days=round(rng.random() * max(0, (latest - start).days)))
        owner = rng.choice(staff) if rng.random() < OWNER_SHARE else None
        created = at(start)
        milestones.append(
            Milestone(
                partnership=target,
                rule=rule,
                subject_type=content_type,
                subject_id=pk,
                subject_label=label,
                subject_url=url,
                offset_amount=rule.offset_amount,
                offset_unit=rule.offset_unit,
                starts_on=start,
                due_on=due,
                original_due_on=original,
                status=status,
                done_on=done_on,
                # Kept when a milestone is done, as clock.services does (the generator left it
                # empty until 5 December 2026, so the trends counted every year in Python).
                working_days_taken=working_days_between(start, done_on) if done_on else None,
                paused_reason=rng.choice(PAUSED_REASONS) if status == "paused" else "",
                extension_reason=extension,
                owner=owner,
                created_at=created,
                modified_at=at(done_on) if done_on else created,
            )
        )
    with explicit_dates(Milestone):
        Milestone.objects.bulk_create(milestones, batch_size=5000)
    log(f"  {len(milestones)} milestones on {len(subjects)} referrals and cases")


def record_counts(target) -> dict:
    """The records of bench/record_data.py."""
    from safeguarding.digests.models import DigestIssue
    from safeguarding.information_requests.models import InformationRequest
    from safeguarding.library.models import LibraryRecord
    from safeguarding.notifications.models import Notification
    from safeguarding.publication.models import Publication
    from safeguarding.reviews.models import (
        AgencyRequest,
        Appointment,
        FamilyContact,
        Meeting,
        Person,
    )

    issues = DigestIssue.objects.filter(partnership=target)
    return {
        "target_library_records": LibraryRecord.objects.filter(partnership=target).count(),
        "target_digest_issues": issues.count(),
        "target_digest_issues_published": issues.filter(status="published").count(),
        "target_information_requests": InformationRequest.objects.filter(
            partnership=target
        ).count(),
        "target_notifications": Notification.objects.filter(partnership=target).count(),
        "target_publications": Publication.objects.filter(partnership=target).count(),
        "target_publications_published": Publication.objects.filter(
            partnership=target, status="published"
        ).count(),
        "target_meetings": Meeting.objects.filter(review__partnership=target).count(),
        "target_appointments": Appointment.objects.filter(review__partnership=target).count(),
        "target_people": Person.objects.filter(case__partnership=target).count(),
        "target_family_contacts": FamilyContact.objects.filter(review__partnership=target).count(),
        "target_agency_requests": AgencyRequest.objects.filter(review__partnership=target).count(),
    }


def dataset_counts(target) -> dict:
    """How big the data set is (for the stamp and the results file)."""
    from django.db.models import Q

    from safeguarding.accounts.models import Agency, Membership, Partnership, User
    from safeguarding.actions.models import Action, Recommendation
    from safeguarding.audit.models import AuditEvent
    from safeguarding.clock.models import Milestone
    from safeguarding.core.calendar import add_working_days
    from safeguarding.public_site.models import ContentBlock, PublicDocument
    from safeguarding.referrals.models import Case, Referral

    live = PublicDocument.objects.filter(archived_at__isnull=True)
    milestones = Milestone.objects.filter(partnership=target)
    actions = Action.objects.filter(partnership=target)
    today = dt.date.today()
    return {
        "partnerships": Partnership.objects.count(),
        "agencies": Agency.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "content_blocks": ContentBlock.objects.count(),
        "content_block_versions": ContentBlock.history.count(),
        "public_documents": PublicDocument.objects.count(),
        "public_documents_live": live.count(),
        "audit_events": AuditEvent.objects.count(),
        "target_members": Membership.objects.filter(partnership=target).count(),
        "target_content_blocks": ContentBlock.objects.filter(partnership=target).count(),
        "target_documents": PublicDocument.objects.filter(partnership=target).count(),
        "target_documents_live": live.filter(partnership=target).count(),
        "target_audit_trail_events": AuditEvent.objects.filter(
            Q(partnership=target)
            | Q(
                partnership__isnull=True,
                actor_id__in=Membership.objects.filter(partnership=target).values("user_id"),
            )
        ).count(),
        "target_referrals": Referral.objects.filter(partnership=target).count(),
        **record_counts(target),
        "target_referrals_new": Referral.objects.filter(partnership=target, status="new").count(),
        "target_referrals_new_cspr": Referral.objects.filter(
            partnership=target, status="new", review_type="cspr"
        ).count(),
        "target_cases": Case.objects.filter(partnership=target).count(),
        "target_milestones": milestones.count(),
        # As the home page sees them on the day of the run (capped at 25 each on the page).
        "target_milestones_overdue": milestones.filter(status="due", due_on__lt=today).count(),
        "target_milestones_due_this_week": milestones.filter(
            status="due", due_on__gte=today, due_on__lte=add_working_days(today, 5)
        ).count(),
        "target_milestones_paused": milestones.filter(status="paused").count(),
        "target_recommendations": Recommendation.objects.filter(review__partnership=target).count(),
        "target_actions": actions.count(),
        "target_actions_open": actions.filter(status__in=Action.OPEN).count(),
        "target_actions_overdue": actions.filter(
            status__in=Action.OPEN, target_date__lt=today
        ).count(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="default")
    parser.add_argument("--regenerate", action="store_true", help="build it again from scratch")
    args = parser.parse_args(argv)
    ensure(args.size, regenerate=args.regenerate)
    return 0


if __name__ == "__main__":
    sys.exit(main())
