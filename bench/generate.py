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
events, dated at generation time). Users, memberships, documents and ten years of audit events
are bulk-created with explicit dates, for speed. Every row is one the app could have written:
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
    },
}

TARGET = {
    "name": "Northmoor Safeguarding Partnership",
    "slug": "northmoor-safeguarding",
    "kind": "combined",
    "runs_cspr": True,
    "runs_safeguarding_adults_reviews": True,
    "runs_dhr": False,
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


def data_paths(size: str) -> dict[str, Path]:
    suffix = "" if size == "default" else f"-{size}"
    return {
        "db": DATA_DIR / f"bench{suffix}.sqlite3",
        "media": DATA_DIR / f"media{suffix}",
        "stamp": DATA_DIR / f"bench{suffix}.json",
    }


def generator_hash() -> str:
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


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
        if not migrations_pending():
            log(f"Reusing the {size} data set ({paths['db'].relative_to(ROOT)}).")
            return stamp
        log("The data set is missing migrations: generating it again.")
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
                date_joined=moment(rng, START, START + dt.timedelta(days=3 * 365)),
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
                created = moment(rng)
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
            when = moment(rng)
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
        log(f"  {len(events)} audit events from {START:%b %Y} to {END:%b %Y}")

    return dataset_counts(target)


def dataset_counts(target) -> dict:
    """How big the data set is (for the stamp and the results file)."""
    from django.db.models import Q

    from safeguarding.accounts.models import Agency, Membership, Partnership, User
    from safeguarding.audit.models import AuditEvent
    from safeguarding.public_site.models import ContentBlock, PublicDocument

    live = PublicDocument.objects.filter(archived_at__isnull=True)
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
