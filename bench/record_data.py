"""Records the pages of one record need, made through the app's own services (issue 16).

Library records, digest issues (drafts with items, and published ones), requests for
information on cases and the notifications the business unit receives about them: as many as
the years of the data set (``params``: ``library_records``, ``digest_issues``,
``information_requests``, ``notifications``). Each goes through its service, so every row, audit
event and file is one the app writes; the search vectors of library records are left out
(``LIBRARY_SEARCH_VECTORS`` off while generating: computing them takes minutes and no timed page
needs them; the keyword index is written as usual). Its own random generator (seed 2026 + 6), so
adding it changed no other row of the data set.
"""

from __future__ import annotations

import datetime as dt
import random

TOPICS = [
    "Neglect in adolescence", "Coercive control", "Self-neglect and hoarding",
    "Safer sleeping", "Transitions to adult services", "Missing from education",
    "Exploitation outside the home", "Carer stress", "Professional curiosity",
    "Escalation between agencies", "Non-accidental injury in infants", "Fire safety",
]  # fmt: skip
WORDS = [
    "agencies", "shared", "information", "late", "and", "the", "family", "was", "not", "seen",
    "together", "review", "found", "that", "escalation", "routes", "were", "known", "but",
    "used", "practitioners", "lacked", "supervision", "time", "to", "reflect", "on",
    "cumulative", "harm", "voice", "of", "person", "at", "centre",
]  # fmt: skip
RECIPIENTS = [
    "Northmoor General Practice", "Redmarsh Housing Association", "Saltcote Academy",
    "Calderbrook Dental Practice", "Oakenshaw Community Church", "Larkhaven Leisure Centre",
]  # fmt: skip


def _text(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def build_records(params: dict, seed: int, target, business_unit, log=print) -> None:
    from django.test import override_settings
    from django.urls import reverse

    from bench.generate import BENCH_USERS, history_day, history_start
    from safeguarding.accounts.models import User
    from safeguarding.actions.services import themes_available
    from safeguarding.digests import services as digests
    from safeguarding.information_requests.models import InformationRequest, LegalBasis
    from safeguarding.information_requests.services import (
        information_request_answer,
        information_request_make,
    )
    from safeguarding.library.services import record_add
    from safeguarding.notifications.services import notify
    from safeguarding.referrals.models import Case

    rng = random.Random(seed)
    editor = User.objects.get(email=BENCH_USERS["business_unit"])
    # The years of the reviews catalogued: 2017 to 2026; in a first year, that year's.
    years = list(range(max(2017, history_start(params).year), 2027))

    # Library records: the partnership's own catalogue of reviews published elsewhere.
    themes = list(themes_available(target))
    with override_settings(LIBRARY_SEARCH_VECTORS=False):
        for number in range(params["library_records"]):
            year = years[number * len(years) // max(params["library_records"], 1)]
            topic = rng.choice(TOPICS)
            record_add(
                partnership=target,
                actor=rng.choice(business_unit),
                themes=rng.sample(themes, k=min(len(themes), rng.randint(1, 3))),
                title=f"{topic}: learning from a review in {year} ({number + 1})",
                review_type=rng.choice(["cspr", "sar", "dhr"]),
                publisher=f"{rng.choice(['Redmarsh', 'Saltcote', 'Dunmere'])} Partnership",
                year=year,
                summary=_text(rng, 40),
                learning=_text(rng, 60),
                recommendations=_text(rng, 30),
                full_text="\n\n".join(_text(rng, 80) for _ in range(4)),
                is_public=rng.random() < 0.8,
            )
    log(f"  {params['library_records']} library records")

    # Digest issues: one a quarter; all but the last few published (their PDF and Word files
    # written by the service, so only the newest published ones are made that way: the rest
    # stay drafts, which is what the editing pages need).
    issues = params["digest_issues"]
    published = min(2, issues - 1) if issues > 1 else 0
    start = dt.date(2026, 12, 1) - dt.timedelta(days=91 * issues)
    for number in range(1, issues + 1):
        period_start = start + dt.timedelta(days=91 * (number - 1))
        issue = digests.issue_start(
            partnership=target,
            actor=editor,
            number=number,
            title=f"Learning digest {number}",
            period_start=period_start,
            period_end=period_start + dt.timedelta(days=90),
        )
        digests.issue_update(
            issue=issue,
            actor=editor,
            title=issue.title,
            period_start=issue.period_start,
            period_end=issue.period_end,
            introduction=_text(rng, 50),
        )
        for _ in range(rng.randint(3, 6)):
            digests.item_add(
                issue=issue, actor=editor, heading=rng.choice(TOPICS), text=_text(rng, 40)
            )
        if number <= published:
            digests.issue_publish(issue=issue, actor=editor, base_url="https://bench.example")
    log(f"  {issues} digest issues ({published} published through the service)")

    # Requests for information on cases (section 16H / 45), most answered, and the reminders
    # the business unit was sent about the ones that ran late.
    cases = list(Case.objects.filter(partnership=target).order_by("pk"))
    bases = [LegalBasis.CHILDREN_ACT_S16H, LegalBasis.CARE_ACT_S45]
    requests = []
    made_from, made_last = history_day(params, dt.date(2017, 1, 2)), dt.date(2026, 11, 11)
    for number in range(params["information_requests"]):
        case = rng.choice(cases)
        made = made_from + dt.timedelta(days=rng.randint(0, (made_last - made_from).days))
        request = information_request_make(
            case=case,
            actor=rng.choice(business_unit),
            recipient=rng.choice(RECIPIENTS),
            legal_basis=bases[number % 2],
            information_sought=_text(rng, 25),
            made_on=made,
            due_on=made + dt.timedelta(days=28),
        )
        if made < dt.date(2026, 9, 1) and rng.random() < 0.85:
            information_request_answer(
                request=request,
                actor=rng.choice(business_unit),
                answered_on=made + dt.timedelta(days=rng.randint(5, 40)),
                answer_summary=_text(rng, 20),
            )
        requests.append(request)
    log(f"  {len(requests)} requests for information")

    for number in range(params["notifications"]):
        request = requests[number % len(requests)]
        notify(
            kind="information_request.overdue",
            recipients=[editor],
            partnership=target,
            subject_object=request,
            context={"request": request, "case": request.case},
            link=reverse("information_requests:detail", args=[target.slug, request.pk]),
            dedupe_key=f"bench-{number}",
        )
    open_ = InformationRequest.objects.filter(partnership=target, status="open").count()
    log(f"  {params['notifications']} notifications to the bench user; {open_} requests open")


def build_review_records(seed: int, target, business_unit, log=print) -> None:
    """On every review of the target: two appointments (a reviewer and a chair), three meetings,
    three people under pseudonyms and two family contacts; on a review still running, requests
    to two agencies (due four weeks after the day of generation: the service takes no past due
    date); on every tenth review one of each record archived (or ended), for the pages that
    restore them. Made through the running-a-review services, which write only while a review
    is not signed off: a review signed off by the generator is put back to drafting for the
    while (the records were made before its sign-off in real life), then signed off again."""
    from safeguarding.accounts.models import Agency
    from safeguarding.reviews.models import AgencyRequest, FamilyContact, Person, Review
    from safeguarding.reviews.requests.services import agency_requests_send
    from safeguarding.reviews.running import services as running

    rng = random.Random(seed)
    agencies = list(Agency.objects.filter(partnerships=target).order_by("pk"))
    reviews = list(Review.objects.filter(partnership=target).order_by("pk"))
    roles = [Person.RoleInCase.SUBJECT, Person.RoleInCase.PARENT, Person.RoleInCase.SIBLING]
    kinds = [FamilyContact.Kind.LEAFLET_SENT, FamilyContact.Kind.MEETING_HELD]
    counts = dict.fromkeys(("appointments", "meetings", "people", "contacts", "requests"), 0)
    for number, review in enumerate(reviews):
        signed_off = review.stage == Review.Stage.SIGNED_OFF
        if signed_off:
            Review.objects.filter(pk=review.pk).update(stage=Review.Stage.DRAFTING)
            review.stage = Review.Stage.DRAFTING
        actor = rng.choice(business_unit)
        start = review.started_on
        archive = number % 10 == 0
        appointments = [
            running.appointment_add(
                review=review,
                actor=actor,
                role=role,
                name=f"{rng.choice(['Alex', 'Sam', 'Jo'])} {rng.choice(['Hart', 'Reid'])}",
                organisation="Independent reviewer",
                appointed_on=start + dt.timedelta(days=offset),
                independent=True,
            )
            for offset, role in ((3, "reviewer"), (5, "chair"))
        ]
        meetings = [
            running.meeting_record(
                review=review,
                actor=actor,
                held_on=start + dt.timedelta(days=20 + 30 * index),
                title=f"Review panel meeting {index + 1}",
                attendees="Chair, reviewer, agency leads",
                minutes=_text(rng, 60),
                follow_ups=_text(rng, 15),
            )
            for index in range(3)
        ]
        people = [
            running.person_add(
                review=review,
                actor=actor,
                pseudonym=f"{['Child', 'Parent', 'Sibling'][index]} {review.pk}-{index + 1}",
                role_in_case=role,
                full_name=f"{rng.choice(['Robin', 'Casey', 'Morgan'])} Example",
            )
            for index, role in enumerate(roles)
        ]
        contacts = [
            running.family_contact_record(
                review=review,
                actor=actor,
                kind=kind,
                happened_on=start + dt.timedelta(days=15 + 20 * index),
                person=people[1],
                summary=_text(rng, 20),
            )
            for index, kind in enumerate(kinds)
        ]
        picked = rng.sample(agencies, 2)
        requests = []
        if not signed_off:  # a request is due today or later: only running reviews ask
            requests = agency_requests_send(
                review=review,
                agencies=picked,
                kind=AgencyRequest.Kind.AGENCY_REPORT,
                due_on=dt.date.today() + dt.timedelta(days=28),
                instructions=_text(rng, 20),
                actor=actor,
            )
        if archive:
            running.appointment_end(
                appointment=appointments[0],
                actor=actor,
                reason="Appointed by mistake",
                ended_on=start + dt.timedelta(days=10),
            )
            running.meeting_archive(meeting=meetings[2], actor=actor, reason="Recorded twice")
            running.person_archive(
                person=people[2], review=review, actor=actor, reason="Added to the wrong case"
            )
            running.family_contact_archive(contact=contacts[0], actor=actor, reason="Duplicate")
        if signed_off:
            Review.objects.filter(pk=review.pk).update(stage=Review.Stage.SIGNED_OFF)
        counts["appointments"] += len(appointments)
        counts["meetings"] += len(meetings)
        counts["people"] += len(people)
        counts["contacts"] += len(contacts)
        counts["requests"] += len(requests)
    log(
        f"  on {len(reviews)} reviews: {counts['appointments']} appointments, "
        f"{counts['meetings']} meetings, {counts['people']} people, {counts['contacts']} family "
        f"contacts, {counts['requests']} agency requests"
    )


def build_publications(seed: int, target, business_unit, log=print) -> None:
    """The publication of every signed-off child and adults review of the target (a Domestic
    Homicide Review's needs the Home Office panel's letter: left out), through the publishing
    services: the decision, a PDF report checked for identifiers, each step the rules require
    (dated a month after sign-off) and publication. The service publishes today; the dates are
    then set back to two months after the sign-off, when it would have gone out. Reviews signed
    off less than three months before the generator's anchor stay in preparation (drafts). Each
    publication becomes a library record by itself (the library's receiver)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import override_settings
    from django.utils import timezone

    from safeguarding.core.calendar import add_calendar_months
    from safeguarding.publication import publishing, rules
    from safeguarding.publication.models import Publication, Revision
    from safeguarding.reviews.models import Review
    from safeguarding.workspace.documents import pdf_bytes

    rng = random.Random(seed)
    anchor = dt.date(2026, 11, 20)
    reviews = Review.objects.filter(
        partnership=target, stage=Review.Stage.SIGNED_OFF, kind__in=["lcspr", "sar"]
    ).order_by("pk")
    published = drafts = 0
    with override_settings(LIBRARY_SEARCH_VECTORS=False):
        for review in reviews:
            actor = rng.choice(business_unit)
            signed = timezone.localdate(review.signed_off_at)
            publication = publishing.publication_start(review=review, actor=actor)
            if not publication.review_type:  # the generated reviews have no tracks linked
                publication.review_type = "cspr" if review.kind == "lcspr" else "sar"
                Publication.objects.filter(pk=publication.pk).update(
                    review_type=publication.review_type
                )
            publishing.publication_update(
                publication=publication,
                actor=actor,
                form=Publication.Form.FULL_REPORT,
                summary=_text(rng, 50),
                reviewer_names=f"{rng.choice(['Alex', 'Sam', 'Jo'])} Hart, independent reviewer",
            )
            report = pdf_bytes(publication.title, [_text(rng, 40) for _ in range(6)])
            publishing.publication_file_upload(
                publication=publication,
                actor=actor,
                uploaded=SimpleUploadedFile("report.pdf", report, "application/pdf"),
                title="The review report",
            )
            for kind, _rule in rules.required_steps(publication):
                publishing.step_record(
                    publication=publication,
                    actor=actor,
                    kind=kind,
                    done_on=min(signed + dt.timedelta(days=30), anchor),
                    evidence="Sent by secure email to the named contact",
                )
            if signed > anchor - dt.timedelta(days=90):
                drafts += 1
                continue
            publishing.publication_publish(
                publication=publication, publish_on=timezone.localdate(), actor=actor
            )
            publish_on = signed + dt.timedelta(days=60)
            at = timezone.make_aware(dt.datetime.combine(publish_on, dt.time(10)))
            Publication.objects.filter(pk=publication.pk).update(
                publish_on=publish_on,
                published_at=at,
                earliest_removal_on=add_calendar_months(publish_on, 12),
            )
            Revision.objects.filter(publication=publication).update(published_at=at)
            published += 1
    log(f"  {published} publications published, {drafts} in preparation")


def build_settings(params: dict, seed: int, target, log=print) -> None:
    """The partnership's settings, through the services: a yearly report of each kind it owes
    for each year of the data set (``yearly_report_years``; the newest not published yet),
    two local quality-marker sets of six markers (one marker archived), a contact at each
    agency, two decision makers for each kind of review it runs, the adoption of every
    guidance version that covers its reviews, the partnership chair, a legal hold on one case in
    500 and one member deactivated. All but the reports and holds are the same in both data
    sets: they do not pile up with the years."""
    from bench.generate import BENCH_USERS
    from safeguarding.accounts.models import Agency, Role, User
    from safeguarding.guidance.models import GuidanceVersion
    from safeguarding.guidance.services import adoption_record
    from safeguarding.reports.yearly_selectors import kinds_for
    from safeguarding.reports.yearly_services import yearly_report_record
    from safeguarding.reviews.marker_sets import services as markers
    from safeguarding.workspace.setup.services import agency_contact_add, decision_maker_name

    rng = random.Random(seed)
    actor = User.objects.get(email=BENCH_USERS["business_unit"])
    last = 2025
    years = range(last - params["yearly_report_years"] + 1, last + 1)
    for year in years:
        for kind in kinds_for(target):
            yearly_report_record(
                partnership=target,
                actor=actor,
                kind=kind,
                start_year=year,
                published_on=dt.date(year + 1, 9, 30) if year < last else None,
                web_address=f"https://{target.slug}.example/reports/{kind}-{year}.pdf"
                if year < last
                else "",
            )
    for number, name in enumerate(("Local quality markers", "Adults board markers")):
        marker_set = markers.marker_set_create(
            partnership=target,
            name=name,
            review_kinds=["lcspr", "joint"] if number == 0 else ["sar"],
            source="https://northmoor-safeguarding.example/quality-markers",
            actor=actor,
        )
        added = [
            markers.marker_add(
                marker_set=marker_set,
                stage=rng.choice(["Scoping", "Analysis", "Report"]),
                title=f"{rng.choice(TOPICS)} is considered ({index + 1})",
                guidance=_text(rng, 20),
                actor=actor,
            )
            for index in range(6)
        ]
        markers.marker_archive(marker=added[-1], actor=actor)
    for agency in Agency.objects.filter(partnerships=target).order_by("pk"):
        agency_contact_add(
            partnership=target,
            actor=actor,
            agency=agency,
            name=f"{rng.choice(['Lee', 'Kim', 'Ash'])} {rng.choice(['Moss', 'Vale'])}",
            email=f"safeguarding.lead.{agency.pk}@agency.example",
            role="Designated safeguarding lead",
        )
    leads = list(
        User.objects.filter(
            memberships__partnership=target,
            memberships__role__in=[Role.PARTNER_LEAD, Role.BUSINESS_UNIT],
        )
        .order_by("-memberships__role", "pk")  # partner leads first
        .distinct()[:2]
    )
    capacities = ("Chair of the partnership", "Independent scrutineer")
    for review_type in target.review_types:
        for capacity, user in zip(capacities, leads, strict=True):
            decision_maker_name(
                partnership=target,
                actor=actor,
                review_type=review_type,
                capacity=capacity,
                user=user,
            )
    adopted = 0
    types = {t.value for t in target.review_types}
    for version in GuidanceVersion.objects.order_by("effective_from", "pk"):
        if set(version.review_types) & types:
            adoption_record(
                partnership=target,
                version=version,
                adopted_on=version.effective_from,
                confirmed=True,
                actor=actor,
            )
            adopted += 1
    # The partnership chair since April 2019; a legal hold on one case in 500 (the cases pile up
    # with the years); one agency contributor deactivated by an administrator.
    from safeguarding.accounts.models import PartnershipRole
    from safeguarding.accounts.partnership_roles.services import partnership_role_record
    from safeguarding.accounts.people.services import person_deactivate
    from safeguarding.records.services import retention_hold_place
    from safeguarding.referrals.models import Case

    partnership_role_record(
        partnership=target,
        actor=actor,
        kind=PartnershipRole.Kind.CHAIR,
        person_name="Morgan Ellery",
        job_title="Independent chair",
        starts_on=dt.date(2019, 4, 1),
    )
    for case in Case.objects.filter(partnership=target).order_by("pk")[::500]:
        retention_hold_place(
            partnership=target, case=case, reason="Subject of a civil claim", actor=actor
        )
    administrator, contributor = (
        User.objects.filter(memberships__partnership=target, memberships__role=role)
        .order_by("pk")
        .last()
        for role in (Role.ADMINISTRATOR, Role.AGENCY_CONTRIBUTOR)
    )
    person_deactivate(partnership=target, actor=administrator, person=contributor)
    log(
        f"  {len(years)} year(s) of yearly reports, 2 marker sets, agency contacts, "
        f"{2 * len(target.review_types)} decision makers, {adopted} guidance adoptions"
    )
