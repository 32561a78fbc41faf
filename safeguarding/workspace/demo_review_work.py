"""The demo's review work, so every feature shows with data: family contacts and a quality
assessment on the local review in progress, a published review with its whole record (people,
a multi-agency chronology, family contacts, a quality assessment), a planned meeting with its
calendar invitation, and the reminders the clock sends on the demo's dates, which put notices in
"Your notifications". Everything goes through the apps' services, as staff would do it."""

import datetime
from datetime import timedelta

from django.utils import timezone

from safeguarding.clock.reminders import reminders_send
from safeguarding.reviews.chronology import services as chronology_services
from safeguarding.reviews.chronology.parser import ChronologyRow
from safeguarding.reviews.models import Review
from safeguarding.reviews.running import services as review_services
from safeguarding.reviews.running.quality_markers import markers_for

RATINGS = ("met", "met", "partly_met", "met", "not_met", "met", "partly_met", "met")


def _quality(review: Review, actor, summary: str) -> None:
    numbers = markers_for(review).numbers
    ratings = {
        number: {
            "rating": RATINGS[index % len(RATINGS)],
            "evidence": "Fictional evidence: the terms of reference and the draft report.",
            "comments": "",
        }
        for index, number in enumerate(numbers)
    }
    review_services.quality_assessment_save(
        review=review, actor=actor, ratings=ratings, summary=summary
    )


def _family(review: Review, actor, today: datetime.date, person=None) -> None:
    for days, kind, summary in (
        (120, "leaflet_sent", "Leaflet about the review sent to the family with a letter."),
        (100, "meeting_offered", "The reviewer offered to meet the family at home."),
        (80, "meeting_held", "Met the family at home with their advocate."),
        (30, "draft_shared", "Draft report shared with the family before sign-off."),
    ):
        review_services.family_contact_record(
            review=review,
            actor=actor,
            kind=kind,
            happened_on=today - timedelta(days=days),
            person=person,
            advocate="Riverton Family Advocacy (fictional)" if kind == "meeting_held" else "",
            summary=summary,
            consent_to_quote=True if kind == "meeting_held" else None,
        )


def record_published_review_work(*, review: Review, actor, agencies: list, today) -> None:
    """The record of a published review, written while it was being drafted (call before it is
    signed off): people, every agency's chronology, the family's involvement, the quality
    assessment."""
    pseudonym = review.title
    for name, role, relationship in (
        (pseudonym, "subject", ""),
        ("Mother", "parent", "mother"),
        ("Mr H", "other_family", "mother's former partner"),
    ):
        review_services.person_add(
            review=review,
            actor=actor,
            pseudonym=name,
            role_in_case=role,
            relationship=relationship,
            full_name=f"Demo {name}",
        )
    events = [
        (400, "Health visitor's new-birth visit; no concerns recorded.", (pseudonym, "Mother")),
        (330, "Call-out to the address after a neighbour heard shouting.", ("Mother", "Mr H")),
        (300, "GP appointment: mother's low mood discussed.", ("Mother",)),
        (240, "Referral from nursery about missed sessions.", (pseudonym,)),
        (200, "Strategy discussion; single-agency plan agreed.", (pseudonym, "Mother")),
        (150, "Missed health appointment; letter sent.", (pseudonym,)),
        (90, "Call-out; the child seen but not spoken to.", (pseudonym, "Mr H")),
        (60, "Admission to hospital with injuries.", (pseudonym,)),
    ]
    significance = ("routine", "significant", "routine", "significant", "key")
    review.agencies.add(*agencies)  # the agencies asked for a chronology
    for index, (days, event, people) in enumerate(events):
        chronology_services.chronology_entry_add(
            review=review,
            agency=agencies[index % len(agencies)],
            row=ChronologyRow(
                occurred_on=review.started_on - timedelta(days=days),
                occurred_at=None,
                date_is_approximate=index == 0,
                pseudonyms=people,
                event=event,
                significance=significance[index % len(significance)],
            ),
            actor=actor,
        )
    _family(review, actor, today)
    _quality(review, actor, "A thorough review; the family's voice is clear throughout.")


def load_demo_review_work(*, users: dict, partnerships: dict) -> None:
    """Family contacts and a quality assessment on the local review in progress, a planned
    meeting (calendar invitation to the reviewer), then today's reminders."""
    today = timezone.localdate()
    bu = users["business.unit@riverton.example"]
    local = (
        Review.objects.filter(
            partnership=partnerships["riverton-safeguarding"], kind=Review.Kind.LCSPR
        )
        .exclude(stage=Review.Stage.SIGNED_OFF)
        .first()
    )
    if local is not None:
        _family(local, bu, today, person=local.case.people.filter(role_in_case="parent").first())
        _quality(local, bu, "Draft assessment: the terms of reference are strong so far.")
        review_services.meeting_record(
            review=local,
            actor=bu,
            held_on=today + timedelta(days=14),
            title="Practitioner learning event",
            attendees="Practitioners from the police and children's services",
            starts_at=datetime.time(10),
            ends_at=datetime.time(12, 30),
            location="Riverton Civic Centre, Room 2 (fictional)",
        )
    # The reminders the clock would send today: overdue and due-soon deadlines, requests and
    # actions, each a notice in "Your notifications" (and an email, kept in memory by load_demo).
    reminders_send(today=today)
