"""Bench data for the merged chronology: one review of the target with entries from 15
agencies (the data set's 12 and three more), six people with identities held apart, rows as
``reviews.chronology.services.chronology_import`` writes them (bulk, one batch per agency).

Its own random generator (seed 2026 + 4), so adding it changes no other generated row.
"""

import datetime as dt
import random
import uuid

REFERENCE = "RV2026-BENCH-CHRONO"
EXTRA_AGENCIES = [
    ("Northmoor Fire and Rescue", "northmoor-fire", "other"),
    ("Northmoor Mental Health Trust", "northmoor-mental-health", "health_provider"),
    ("Northmoor Drug and Alcohol Service", "northmoor-drug-alcohol", "voluntary"),
]
PEOPLE = [
    ("Child N", "subject", "Nia Example"),
    ("Mother N", "parent", "Rowan Example"),
    ("Father N", "parent", "Sacha Example"),
    ("Sibling N", "sibling", "Tam Example"),
    ("Partner N", "partner", "Ulla Example"),
    ("Grandmother N", "other_family", "Vera Example"),
]
EVENTS = [
    "Home visit by the health visitor; Child N seen and weighed",
    "Police attended a report of a disturbance at the address",
    "Missed GP appointment; letter sent to Mother N",
    "School reported Child N absent for the third day running",
    "Strategy discussion between police and children's services",
    "Referral to early help declined by the family",
    "A&E attendance: minor injury, explanation consistent",
    "Probation supervision appointment with Partner N",
    "Housing officer visit about rent arrears",
    "Ambulance called; no one taken to hospital",
]
ROLES = ["Health visitor", "Police constable", "GP", "Teacher", "Social worker", "Nurse"]
GAP = (dt.date(2022, 1, 1), dt.date(2022, 6, 30))
SIGNIFICANCE = [("routine", 80), ("significant", 15), ("key", 5)]


def build_chronology(params: dict, seed: int, target, business_unit, agencies, log=print):
    from safeguarding.accounts.models import Agency
    from safeguarding.referrals.models import Case
    from safeguarding.reviews.chronology.parser import row_fingerprint
    from safeguarding.reviews.models import ChronologyEntry, Person, PersonIdentity, Review

    count = params.get("chronology_entries", 0)
    case = Case.objects.filter(partnership=target).order_by("pk").first()
    if not count or case is None:
        return
    rng = random.Random(seed)
    extra = Agency.objects.bulk_create(
        [Agency(name=name, slug=slug, kind=kind) for name, slug, kind in EXTRA_AGENCIES]
    )
    lanes = list(agencies)[:12] + extra
    actor = business_unit[0]
    review = Review.objects.create(
        partnership=target,
        case=case,
        kind=Review.Kind.LCSPR,
        stage=Review.Stage.AGENCY_REPORTS,
        reference=REFERENCE,
        title=case.pseudonym,
        started_on=dt.date(2026, 6, 1),
        created_by=actor,
        modified_by=actor,
    )
    review.agencies.set(lanes)
    people = []
    for pseudonym, role, name in PEOPLE:
        person, _ = Person.objects.get_or_create(
            case=case, pseudonym=pseudonym, defaults={"role_in_case": role}
        )
        PersonIdentity.objects.get_or_create(person=person, defaults={"full_name": name})
        people.append(person)

    start, days = dt.date(2019, 1, 1), (dt.date(2026, 6, 1) - dt.date(2019, 1, 1)).days
    weights = [weight for _, weight in SIGNIFICANCE]
    batches = {agency.pk: uuid.uuid4().hex for agency in lanes}
    rows, chosen = [], []
    for _ in range(count):
        agency = rng.choice(lanes)
        day = start + dt.timedelta(days=rng.randint(0, days))
        while GAP[0] <= day <= GAP[1]:  # a long gap with no recorded contact
            day = start + dt.timedelta(days=rng.randint(0, days))
        entry = ChronologyEntry(
            review=review,
            agency=agency,
            occurred_on=day,
            occurred_at=(
                dt.time(rng.randint(8, 19), rng.choice((0, 15, 30, 45)))
                if rng.random() < 0.6
                else None
            ),
            date_is_approximate=rng.random() < 0.05,
            event=rng.choice(EVENTS),
            source_record=f"REC-{rng.randint(1000, 99999)}",
            practitioner_role=rng.choice(ROLES),
            significance=rng.choices([s for s, _ in SIGNIFICANCE], weights)[0],
            entered_by=actor,
            import_batch=batches[agency.pk],
        )
        entry.fingerprint = row_fingerprint(
            agency_id=agency.pk,
            occurred_on=entry.occurred_on,
            occurred_at=entry.occurred_at,
            event=entry.event,
            source_record=entry.source_record,
        )
        rows.append(entry)
        chosen.append(rng.sample(people, rng.randint(0, 2)))
    created = ChronologyEntry.objects.bulk_create(rows, batch_size=2000)
    Through = ChronologyEntry.people.through
    Through.objects.bulk_create(
        [
            Through(chronologyentry_id=entry.pk, person_id=person.pk)
            for entry, persons in zip(created, chosen, strict=True)
            for person in persons
        ],
        batch_size=5000,
    )
    log(f"  {count} chronology entries from {len(lanes)} agencies in review {REFERENCE}")


def review_pk() -> int:
    from safeguarding.reviews.models import Review

    return Review.objects.only("pk").get(reference=REFERENCE).pk
