# ruff: noqa: E501  (demo prose)
"""Fictional referrals in every state, made through the real services (so the clock, the audit
trail and the screening are what the service would produce). Nothing here is real."""

import datetime

from django.utils import timezone

from safeguarding.core.calendar import add_working_days
from safeguarding.referrals import services
from safeguarding.referrals.models import DecisionMaker

REFERRER = {
    "referrer_name": "Jo Bennett",
    "referrer_job_title": "Named nurse for safeguarding children",
    "referrer_organisation": "Riverton General Hospital NHS Trust",
    "referrer_email": "jo.bennett@riverton-hospital.example",
    "referrer_phone": "01632 960123",
    "discussed_with_safeguarding_lead": True,
}
POLICE_REFERRER = {
    "referrer_name": "DS Mark Ellis",
    "referrer_job_title": "Detective Sergeant, Public Protection",
    "referrer_organisation": "Riverton Police",
    "referrer_email": "mark.ellis@riverton-police.example",
    "referrer_phone": "01632 960456",
    "discussed_with_safeguarding_lead": True,
}
ADULT_REFERRER = {
    "referrer_name": "Sunita Rao",
    "referrer_job_title": "Safeguarding adults manager",
    "referrer_organisation": "Riverton Council Adult Social Care",
    "referrer_email": "sunita.rao@riverton-council.example",
    "referrer_phone": "",
    "discussed_with_safeguarding_lead": True,
}


def _ago(today: datetime.date, working_days: int) -> datetime.date:
    return add_working_days(today, -working_days)


def _submit(partnership, review_type, referrer, answers, identity, agencies, received_on):
    referral, _ = services.referral_submit(
        partnership=partnership,
        review_type=review_type,
        answers={**referrer, **answers},
        identity=identity,
        agencies=agencies,
        received_on=received_on,
        source="online",
        notify_referrer=False,  # the demo's referrers are fictional: send them nothing
    )
    return referral


def _decide(track, outcome, rationale, decided_on, bu, signers):
    decision = services.decision_record(
        track=track, outcome=outcome, rationale=rationale, decided_on=decided_on, actor=bu
    )
    for user in signers:
        services.decision_sign(decision=decision, user=user)
    return decision


def load_demo_referrals(*, partnerships: dict, users: dict, agencies: dict) -> None:
    today = timezone.localdate()
    rsp = partnerships["riverton-safeguarding"]
    csp = partnerships["riverton-community-safety"]
    bu = users["business.unit@riverton.example"]
    la = users["partner.lead@riverton.example"]
    police = users["police.lead@riverton.example"]
    icb = users["icb.lead@riverton.example"]
    chair = users["csp.chair@riverton.example"]
    hospital = [agencies["riverton-general-hospital"], agencies["riverton-childrens-services"]]
    adult_agencies = [agencies["riverton-adult-social-care"], agencies["riverton-homes"]]

    # 1. New: an infant with suspected non-accidental injuries (CSPR).
    _submit(
        rsp,
        "cspr",
        REFERRER,
        {
            "age_years": 0,
            "incident_date": _ago(today, 3),
            "harm": "serious_harm",
            "abuse_or_neglect": "suspected",
            "place": "in_area",
            "normally_resident_in_area": True,
            "what_happened": "A four-month-old baby was brought to the emergency department with "
            "fractures that the parents could not explain.",
            "agency_working_concern": None,
            "looked_after": False,
            "child_protection_plan": False,
        },
        {
            "first_name": "Demo",
            "last_name": "Infant",
            "date_of_birth": today - datetime.timedelta(days=120),
        },
        hospital,
        _ago(today, 1),
    )

    # 2. In screening, and the Panel notification is overdue: a 9-year-old, neglect suspected.
    referral = _submit(
        rsp,
        "cspr",
        REFERRER,
        {
            "age_years": 9,
            "incident_date": _ago(today, 9),
            "harm": "serious_harm",
            "abuse_or_neglect": "suspected",
            "place": "in_area",
            "normally_resident_in_area": True,
            "what_happened": "A nine-year-old was admitted to hospital severely malnourished. School "
            "had raised concerns about attendance for a year.",
            "agency_working_concern": True,
            "concerns_working_together": "School, health and children's services each held part of "
            "the picture.",
            "looked_after": False,
            "child_protection_plan": False,
        },
        {"first_name": "Demo", "last_name": "Child", "address": "1 Example Row, Riverton"},
        [*hospital, agencies["riverton-academy-trust"]],
        _ago(today, 7),
    )
    services.case_open(referral=referral, pseudonym="Child B", actor=bu)

    # 3. Awaiting decision: an older adult who died after self-neglect (SAR, mandatory).
    referral = _submit(
        rsp,
        "sar",
        ADULT_REFERRER,
        {
            "age_years": 67,
            "incident_date": _ago(today, 20),
            "harm": "died",
            "date_of_death": _ago(today, 20),
            # Self-neglect only: no abuse or neglect by anyone else (so no DHR question).
            "abuse_or_neglect": "not_suspected",
            "death_resulted_from_abuse": True,
            "place": "in_area",
            "normally_resident_in_area": True,
            "self_neglect": True,
            "care_and_support_needs": True,
            "care_needs_description": "Physical frailty; diabetes",
            "agency_working_concern": True,
            "what_happened": "A man living alone was found dead at home. Several agencies had "
            "visited in the months before and closed their involvement.",
            "person_aware_of_referral": False,
        },
        {"first_name": "Demo", "last_name": "Adult"},
        adult_agencies,
        _ago(today, 15),
    )
    case = services.case_open(referral=referral, pseudonym="Adult C", actor=bu)
    (track,) = services.case_send_for_decision(case=case, review_types=["sar"], actor=bu)
    _decide(
        track,
        "mandatory",
        "All three tests in section 44(1) to (3) are met: care and "
        "support needs, death from suspected self-neglect, and concern about how agencies "
        "worked together.",
        _ago(today, 2),
        bu,
        [la],
    )
    # The police lead disagrees: the business unit has a disagreement to resolve.
    services.decision_decline(
        decision=track.decision,
        user=police,
        kind="disagreed",
        reason="The police had no contact with him in the last year, so I doubt there is "
        "learning about how agencies worked together. I would like the partners to discuss it.",
    )

    # 4. Decided: a discretionary SAR for an adult with a learning disability.
    referral = _submit(
        rsp,
        "sar",
        ADULT_REFERRER,
        {
            "age_years": 45,
            "incident_date": _ago(today, 45),
            "harm": "harm",
            "abuse_or_neglect": "known",
            "place": "in_area",
            "normally_resident_in_area": True,
            "self_neglect": False,
            "care_and_support_needs": True,
            "care_needs_description": "Learning disability",
            "agency_working_concern": True,
            "what_happened": "A woman with a learning disability was financially exploited by a "
            "lodger over two years.",
            "person_aware_of_referral": True,
        },
        {"first_name": "Demo", "last_name": "Person"},
        adult_agencies,
        _ago(today, 40),
    )
    case = services.case_open(referral=referral, pseudonym="Adult D", actor=bu)
    (track,) = services.case_send_for_decision(case=case, review_types=["sar"], actor=bu)
    decision = _decide(
        track,
        "discretionary",
        "The harm was not serious enough for a mandatory review, but "
        "there is learning about financial abuse for every agency.",
        _ago(today, 30),
        bu,
        [la, police],
    )
    # The health lead declined to sign at first; the partners resolved it and she signed.
    disagreement = services.decision_decline(
        decision=decision,
        user=icb,
        kind="declined",
        reason="I need to see the GP practice's summary before I sign.",
    )
    services.disagreement_resolve(
        disagreement=disagreement,
        resolution="sign",
        resolved_by="The three lead safeguarding partners at their monthly meeting",
        reason="The GP practice's summary was shared at the meeting; it supports a "
        "discretionary review.",
        resolved_on=today,
        actor=bu,
    )
    services.decision_sign(decision=decision, user=icb)

    # 5. Multi-track: a 17-year-old killed by her mother's partner (CSPR and DHR, R41),
    #    reported twice: by the hospital and by the police.
    first = _submit(
        rsp,
        "cspr",
        POLICE_REFERRER,
        {
            "age_years": 17,
            "incident_date": _ago(today, 12),
            "harm": "died",
            "date_of_death": _ago(today, 12),
            "abuse_or_neglect": "known",
            "death_resulted_from_abuse": True,
            "place": "in_area",
            "normally_resident_in_area": True,
            "harmed_by": "household_member",
            "responsible_in_household": True,
            "responsible_aged_16_or_over": True,
            "domestic_abuse_history": True,
            "looked_after": False,
            "what_happened": "A 17-year-old died of injuries inflicted by her mother's partner, "
            "who lived with the family. He has been charged.",
            "criminal_justice_status": "Charged; trial not yet listed",
        },
        {"first_name": "Demo", "last_name": "Young Person"},
        [agencies["riverton-police"], agencies["riverton-childrens-services"]],
        _ago(today, 11),
    )
    second = _submit(
        rsp,
        "dhr",
        POLICE_REFERRER,
        {
            "age_years": 17,
            "incident_date": _ago(today, 12),
            "harm": "died",
            "date_of_death": _ago(today, 12),
            "abuse_or_neglect": "known",
            "death_resulted_from_abuse": True,
            "place": "in_area",
            "normally_resident_in_area": True,
            "harmed_by": "household_member",
            "responsible_in_household": True,
            "responsible_aged_16_or_over": True,
            "suspected_suicide": False,
            "domestic_abuse_history": True,
            "children_in_household": True,
            "what_happened": "Notification of a death that may need a Domestic Homicide Review.",
            "criminal_justice_status": "Charged; trial not yet listed",
        },
        {"first_name": "Demo", "last_name": "Young Person"},
        [agencies["riverton-police"]],
        _ago(today, 10),
    )
    case = services.case_open(referral=first, pseudonym="Young person E", actor=bu)
    services.referral_link_to_case(referral=second, case=case, actor=bu)
    services.notification_record(
        case=case, recipient="panel", sent_on=_ago(today, 8), reference="SIN-DEMO-0001", actor=bu
    )
    cspr, dhr = services.case_send_for_decision(case=case, review_types=["cspr", "dhr"], actor=bu)
    _rapid_review(case, users, agencies, today)
    _decide(
        cspr,
        "rapid_review_then_local",
        "The rapid review found questions about how "
        "agencies shared what they knew of the partner's history.",
        _ago(today, 1),
        bu,
        [la, police, icb],
    )
    services.decision_record(
        track=dhr,
        outcome="review",
        rationale="The death meets section "
        "9(1): a household member is charged. One joint review with the "
        "local child safeguarding practice review.",
        decided_on=_ago(today, 1),
        actor=bu,
    )
    _local_review(case, users, agencies, today)

    # 6. New, in the Community Safety Partnership: a woman killed by her former partner.
    _submit(
        csp,
        "dhr",
        POLICE_REFERRER,
        {
            "age_years": 34,
            "incident_date": _ago(today, 4),
            "harm": "died",
            "date_of_death": _ago(today, 4),
            "abuse_or_neglect": "known",
            "place": "in_area",
            "normally_resident_in_area": True,
            "harmed_by": "former_partner",
            "responsible_in_household": False,
            "responsible_aged_16_or_over": True,
            "death_resulted_from_abuse": True,
            "suspected_suicide": False,
            "domestic_abuse_history": True,
            "children_in_household": False,
            "what_happened": "A woman was killed at her home by her former partner, who had a "
            "history of abuse towards her.",
            "criminal_justice_status": "Arrested and remanded",
        },
        {"first_name": "Demo", "last_name": "Victim"},
        [agencies["riverton-police"], agencies["riverton-domestic-abuse-support"]],
        _ago(today, 3),
    )

    # 7. Decided, with the report milestone paused for a criminal trial: suicide after
    #    coercive control (DHR, R29).
    referral = _submit(
        csp,
        "dhr",
        POLICE_REFERRER,
        {
            "age_years": 29,
            "incident_date": _ago(today, 60),
            "harm": "died",
            "date_of_death": _ago(today, 60),
            "abuse_or_neglect": "suspected",
            "place": "in_area",
            "normally_resident_in_area": True,
            "harmed_by": "partner",
            "responsible_in_household": True,
            "responsible_aged_16_or_over": True,
            "death_resulted_from_abuse": True,
            "suspected_suicide": True,
            "domestic_abuse_history": True,
            "children_in_household": False,
            "what_happened": "A man took his own life after years of coercive control by his "
            "partner, reported by his family.",
            "criminal_justice_status": "Partner charged with controlling or coercive behaviour",
        },
        {"first_name": "Demo", "last_name": "Man"},
        [agencies["riverton-police"], agencies["riverton-icb"]],
        _ago(today, 55),
    )
    case = services.case_open(referral=referral, pseudonym="Mr F", actor=bu)
    (track,) = services.case_send_for_decision(case=case, review_types=["dhr"], actor=bu)
    _decide(
        track,
        "review",
        "Suicide after coercive control: guidance says to hold a review "
        "even if nobody is convicted (statutory guidance for Domestic Homicide Reviews, 2016).",
        _ago(today, 40),
        bu,
        [chair],
    )
    from safeguarding.clock import services as clock_services
    from safeguarding.clock.selectors import milestone_list_for_subject

    for milestone in milestone_list_for_subject(subject=case):
        if milestone.status == "due":
            clock_services.milestone_pause(
                milestone=milestone,
                reason="Criminal trial listed; the family asked to wait until it ends",
                actor=bu,
            )


def _rapid_review(case, users, agencies, today) -> None:
    """Young person E's rapid review: summaries asked of four agencies (police returned theirs;
    the hospital's came by email and was recorded for it; the academy trust had nothing to
    return; children's services have not returned yet), the meeting held and the review sent
    to the Panel."""
    from safeguarding.reviews.rapid_review import services as rapid_review_services
    from safeguarding.reviews.requests import services as requests_services

    bu = users["business.unit@riverton.example"]
    police = agencies["riverton-police"]
    childrens = agencies["riverton-childrens-services"]
    review = rapid_review_services.rapid_review_start(case=case, actor=bu)
    review.agencies.add(police, childrens)
    sent = requests_services.agency_requests_send(
        review=review,
        agencies=[police, childrens],
        kind="agency_summary",
        due_on=min(add_working_days(today, 2), requests_services.rapid_review_deadline(review)),
        instructions="Please summarise your contact with the family in the last two years.",
        actor=bu,
    )
    police_request = next(request for request in sent if request.agency_id == police.pk)
    requests_services.agency_return_submit(
        request=police_request,
        user=users["agency.police@riverton.example"],
        fields={
            "involvement": "Three call-outs to the address in the last year; the partner had "
            "a history of violence towards a former partner in another force area.",
            "went_well": "Officers spoke to the young person alone at the second call-out.",
            "concerns": "The partner's history was not shared with children's services.",
            "immediate_actions": "Checks with other forces are now made at every call-out.",
        },
    )
    # Two agencies with no one in the service: the hospital's summary came by email and was
    # recorded by the business unit; the academy trust had nothing to return.
    hospital, academy = agencies["riverton-general-hospital"], agencies["riverton-academy-trust"]
    outside = requests_services.agency_requests_send(
        review=review,
        agencies=[hospital, academy],
        kind="agency_summary",
        due_on=min(add_working_days(today, 2), requests_services.rapid_review_deadline(review)),
        instructions="Please summarise your contact with the family in the last two years.",
        actor=bu,
    )
    for request in outside:
        if request.agency_id == hospital.pk:
            requests_services.agency_return_record(
                request=request,
                actor=bu,
                fields={
                    "involvement": "The young person attended the emergency department once, "
                    "with a sprained wrist said to be from a fall.",
                    "concerns": "No safeguarding question was asked at the visit.",
                },
                received_from_name="Named nurse for safeguarding (demo)",
                received_from_role="Named nurse",
                received_via="email",
                received_on=today,
            )
        else:
            requests_services.agency_request_nothing_to_return(
                request=request,
                reason="The young person had left the academy two years before; no contact "
                "in the period.",
                actor=bu,
            )
    rapid_review_services.immediate_action_record(
        review=review,
        action="Police to check partners' histories with other forces at domestic call-outs.",
        agency=police,
        taken_on=_ago(today, 3),
        actor=bu,
    )
    rapid_review_services.rapid_review_outcome_record(
        review=review,
        meeting_held_on=_ago(today, 2),
        meeting_attendees="Business unit; police; children's services; health; education",
        facts_summary="A 17-year-old died of injuries inflicted by her mother's partner. The "
        "family were known to police and, briefly, to children's services.",
        learning_identified="Information about the partner's history was held by one agency.",
        recommendation="rapid_review_then_local",
        recommendation_rationale="The case raises concerns about agencies working together.",
        national_importance_view="Not of national importance.",
        actor=bu,
    )
    rapid_review_services.panel_submission_record(
        review=review, submitted_on=_ago(today, 1), actor=bu
    )


def _local_review(case, users, agencies, today) -> None:
    """Young person E's local review: commissioned, with terms of reference, a reviewer,
    people in the case and a chronology from two agencies."""
    from safeguarding.reviews.chronology import services as chronology_services
    from safeguarding.reviews.chronology.parser import ChronologyRow
    from safeguarding.reviews.requests import services as requests_services
    from safeguarding.reviews.running import services as review_services

    bu = users["business.unit@riverton.example"]
    police = agencies["riverton-police"]
    childrens = agencies["riverton-childrens-services"]
    track = case.tracks.get(review_type="cspr")
    review = review_services.review_commission(case=case, tracks=[track], actor=bu)
    review_services.terms_update(
        review=review,
        actor=bu,
        agencies=[police, childrens],
        scope_start=today.replace(year=today.year - 2),
        scope_end=_ago(today, 12),
        key_lines_of_enquiry="How agencies shared what they knew of the partner's history.\n\n"
        "How the young person's voice was heard.",
        methodology="A systems review with a practitioner learning event.",
        family_involvement_plan="The family will be offered a meeting with the reviewer.",
        timescale="Six months from commissioning.",
        parallel_processes="Criminal proceedings against the partner.",
    )
    review_services.appointment_add(
        review=review,
        actor=bu,
        role="reviewer",
        name="Ruth Adeyemi",
        organisation="Independent",
        user=users["reviewer@riverton.example"],
        independent=True,
        appointed_on=today,
    )
    for pseudonym, role, relationship in (
        ("Young person E", "subject", ""),
        ("Mother", "parent", "mother"),
        ("Mr G", "perpetrator", "mother's partner"),
    ):
        review_services.person_add(
            review=review,
            actor=bu,
            pseudonym=pseudonym,
            role_in_case=role,
            relationship=relationship,
            full_name=f"Demo {pseudonym}",
        )
    requests_services.agency_requests_send(
        review=review,
        agencies=[police, childrens],
        kind="chronology",
        due_on=add_working_days(today, 20),
        instructions="Your contacts with the family from two years before the death.",
        actor=bu,
    )
    entries = {
        police: [
            (
                _ago(today, 200),
                "Call-out to the address after a neighbour heard shouting.",
                ("Mother", "Mr G"),
                "significant",
            ),
            (
                _ago(today, 90),
                "Call-out; the young person spoken to alone.",
                ("Young person E",),
                "key",
            ),
        ],
        childrens: [
            (
                _ago(today, 150),
                "Referral from school about the young person's attendance.",
                ("Young person E",),
                "significant",
            ),
            (
                _ago(today, 90),
                "Assessment visit; no concerns recorded about the partner.",
                ("Young person E", "Mother"),
                "key",
            ),
        ],
    }
    for agency, rows in entries.items():
        for occurred_on, event, people, significance in rows:
            chronology_services.chronology_entry_add(
                review=review,
                agency=agency,
                row=ChronologyRow(
                    occurred_on=occurred_on,
                    occurred_at=None,
                    date_is_approximate=False,
                    pseudonyms=people,
                    event=event,
                    significance=significance,
                ),
                actor=bu,
            )


def load_decision_makers(*, partnerships: dict, users: dict, rows) -> None:
    for slug, review_type, capacity, email in rows:
        DecisionMaker.objects.create(
            partnership=partnerships[slug],
            review_type=review_type,
            capacity=capacity,
            user=users[email],
        )
