"""Load the fictional Riverton demo: partnerships, agencies, a user for every role, content.

Safe to run again: it does nothing if the demo is already loaded.
"""

import datetime

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from safeguarding.accounts.models import Agency, Membership, Partnership, User
from safeguarding.core.uploads import KINDS
from safeguarding.guidance.models import GuidanceAdoption, GuidanceVersion
from safeguarding.guidance.services import adoption_record
from safeguarding.public_site import services as public_services
from safeguarding.publication import services as publication_services
from safeguarding.workspace import demo_content as demo
from safeguarding.workspace.demo_actions import load_demo_actions
from safeguarding.workspace.demo_duties import load_demo_duties, load_demo_roles
from safeguarding.workspace.demo_home_office import (
    load_demo_home_office,
    load_demo_returns_and_markers,
)
from safeguarding.workspace.demo_library import load_demo_digest, load_demo_library
from safeguarding.workspace.demo_people import load_demo_invitations
from safeguarding.workspace.demo_publications import load_demo_publications
from safeguarding.workspace.demo_referrals import load_decision_makers, load_demo_referrals
from safeguarding.workspace.demo_review_work import load_demo_review_work
from safeguarding.workspace.demo_sharing import load_demo_shared_case
from safeguarding.workspace.demo_sign_off import load_demo_sign_off
from safeguarding.workspace.documents import docx_bytes, pdf_bytes


class Command(BaseCommand):
    help = "Load the fictional Riverton demo data (does nothing if it is already there)."

    def handle(self, *args, **options):
        if Partnership.objects.filter(slug=demo.PARTNERSHIPS[0]["slug"]).exists():
            self.stdout.write("Demo data already loaded.")
            return
        # The demo's people are fictional: emails its services send are kept in memory.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
            transaction.atomic(),
        ):
            load_demo()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))


def load_demo() -> None:
    agencies = {
        slug: Agency.objects.create(name=name, slug=slug, kind=kind)
        for name, slug, kind in demo.AGENCIES
    }
    partnerships = {}
    for values in demo.PARTNERSHIPS:
        partnership = Partnership(**values)
        partnership.full_clean()
        partnership.save()
        partnership.agencies.set(agencies.values())
        partnerships[partnership.slug] = partnership

    users = {}
    # Every demo user has the same (published) password: it is hashed once, not once a user
    # (PBKDF2 takes about 0.3 s a time; issue 16 asks for the whole load in under 30 s).
    password = make_password(demo.DEMO_PASSWORD)
    for email, full_name, job_title, is_staff, memberships in demo.USERS:
        user = User.objects.create_user(
            email, None, full_name=full_name, job_title=job_title, is_staff=is_staff
        )
        user.password = password
        user.save(update_fields=["password"])
        for slug, role, agency_slug in memberships:
            Membership.objects.create(
                user=user,
                partnership=partnerships[slug],
                role=role,
                agency=agencies[agency_slug] if agency_slug else None,
            )
        users[email] = user

    editor = users["business.unit@riverton.example"]
    for slug, blocks in demo.BLOCKS.items():
        for position, (heading, review_type, body) in enumerate(blocks, start=1):
            public_services.content_block_create(
                partnership=partnerships[slug],
                actor=editor,
                heading=heading,
                body=body,
                review_type=review_type,
                position=position * 10,
            )
    for title, published_on, url, summary in demo.NATIONAL_REVIEWS:
        publication_services.national_review_add(
            partnership=partnerships["riverton-safeguarding"],
            actor=editor,
            title=title,
            published_on=published_on,
            url=url,
            summary=summary,
        )
    load_demo_invitations(partnerships=partnerships, users=users)
    load_decision_makers(partnerships=partnerships, users=users, rows=demo.DECISION_MAKERS)
    # The date the (fictional) partnership moved its arrangements to Working Together 2023: cases
    # it became aware of from then follow it (ADR 0018; the guidance page and each case page).
    if not GuidanceAdoption.objects.filter(
        partnership=partnerships["riverton-safeguarding"]
    ).exists():
        adoption_record(
            partnership=partnerships["riverton-safeguarding"],
            version=GuidanceVersion.objects.get(code="WT2023"),
            adopted_on=datetime.date(2024, 2, 1),
            confirmed=False,
            actor=editor,
        )
    load_demo_roles(partnerships=partnerships, users=users)
    load_demo_referrals(partnerships=partnerships, users=users, agencies=agencies)
    load_demo_publications(partnerships=partnerships, uploader=editor)
    load_demo_actions(partnerships=partnerships, users=users, agencies=agencies)
    load_demo_library(partnerships=partnerships, users=users)
    load_demo_digest(partnerships=partnerships, users=users)
    load_demo_sign_off(partnerships=partnerships, users=users)
    load_demo_review_work(partnerships=partnerships, users=users)
    load_demo_duties(partnerships=partnerships, users=users)
    load_demo_shared_case(partnerships=partnerships, users=users, agencies=agencies)
    load_demo_home_office(partnerships=partnerships, uploader=editor)
    load_demo_returns_and_markers(partnerships=partnerships, actor=editor)
    for slug, title, category, review_type, kind, paragraphs in demo.DOCUMENTS:
        content = pdf_bytes(title, paragraphs) if kind == "pdf" else docx_bytes(title, paragraphs)
        filename = title.lower().replace(":", "").replace(" ", "-") + f".{kind}"
        public_services.public_document_upload(
            partnership=partnerships[slug],
            actor=editor,
            title=title,
            category=category,
            review_type=review_type,
            uploaded=SimpleUploadedFile(filename, content, content_type=KINDS[kind].content_type),
            kind=KINDS[kind],
        )
