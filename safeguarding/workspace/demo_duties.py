"""Fictional demo data for issue 14 §2: the Riverton partnership's Working Together 2023 roles
(three Lead Safeguarding Partners without accounts, the three partner leads of the demo as
their Delegated Safeguarding Partners, an independent chair), so the demo's decisions are
signed by delegates; a yearly report with its recipients; requests for information on a
case, one open and one answered. Written through the apps' services."""

import datetime

from django.utils import timezone

from safeguarding.accounts.partnership_roles import services as role_services
from safeguarding.information_requests import services as request_services
from safeguarding.referrals.models import Case
from safeguarding.reports import yearly_services

ROLES_FROM = datetime.date(2024, 9, 1)

# (statutory partner, lead's name, lead's job title, organisation, delegate's email)
LEADS = [
    (
        "local_authority",
        "Martin Cole",
        "Chief Executive",
        "Riverton Council",
        "partner.lead@riverton.example",
    ),
    ("police", "Aisha Bello", "Chief Constable", "Riverton Police", "police.lead@riverton.example"),
    (
        "icb",
        "Gareth Lund",
        "Chief Executive",
        "Riverton and District Integrated Care Board",
        "icb.lead@riverton.example",
    ),
]


def load_demo_roles(*, partnerships: dict, users: dict) -> None:
    partnership = partnerships["riverton-safeguarding"]
    editor = users["business.unit@riverton.example"]
    for partner, name, title, organisation, delegate_email in LEADS:
        lead = role_services.partnership_role_record(
            partnership=partnership,
            actor=editor,
            kind="lead",
            statutory_partner=partner,
            person_name=name,
            job_title=title,
            organisation=organisation,
            starts_on=ROLES_FROM,
        )
        delegate = users[delegate_email]
        role_services.partnership_role_record(
            partnership=partnership,
            actor=editor,
            kind="delegate",
            statutory_partner=partner,
            person_name=delegate.full_name,
            job_title=delegate.job_title,
            organisation=organisation,
            user=delegate,
            delegated_by=lead,
            starts_on=ROLES_FROM,
        )
    role_services.partnership_role_record(
        partnership=partnership,
        actor=editor,
        kind="chair",
        person_name="Rosalind Achebe",
        job_title="Independent chair and scrutineer",
        starts_on=ROLES_FROM,
    )


def load_demo_duties(*, partnerships: dict, users: dict) -> None:
    partnership = partnerships["riverton-safeguarding"]
    editor = users["business.unit@riverton.example"]
    today = timezone.localdate()
    # The children's yearly report for April 2024 to March 2025, sent to the Panel but not yet
    # to Foundations; the Board's annual report recorded, not yet published.
    report = yearly_services.yearly_report_record(
        partnership=partnership,
        actor=editor,
        kind="children",
        start_year=2024,
        published_on=datetime.date(2025, 9, 26),
        web_address="https://www.example.org/riverton/yearly-report-2024-25",
    )
    panel = report.recipients.get(recipient="panel")
    yearly_services.report_recipient_sent(
        recipient=panel,
        actor=editor,
        sent_on=datetime.date(2025, 9, 29),
        name="Child Safeguarding Practice Review Panel secretariat",
    )
    yearly_services.yearly_report_record(
        partnership=partnership, actor=editor, kind="adults", start_year=2025
    )
    # Requests for information on Adult C's case: one answered, one open.
    case = Case.objects.get(partnership=partnership, pseudonym="Adult C")
    answered = request_services.information_request_make(
        case=case,
        actor=editor,
        recipient="Riverside Housing Association",
        legal_basis="care_act_s45",
        information_sought="Tenancy and repairs records for Adult C's flat for the review period.",
        made_on=today - datetime.timedelta(days=30),
        due_on=today - datetime.timedelta(days=16),
    )
    request_services.information_request_answer(
        request=answered,
        actor=editor,
        answered_on=today - datetime.timedelta(days=18),
        answer_summary="Records received by secure email and added to the case file.",
    )
    request_services.information_request_make(
        case=case,
        actor=editor,
        recipient="Riverton Community Pharmacy",
        legal_basis="care_act_s45",
        information_sought="Dates of prescriptions collected for Adult C, and any concerns noted.",
        made_on=today - datetime.timedelta(days=5),
        due_on=today + datetime.timedelta(days=9),
    )
