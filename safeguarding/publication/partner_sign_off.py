"""A partner's sign-off of the publication of a review it shares (ADR 0022, R46).

One publication goes out for a joint review of a shared case (a joint SAR/DHR held by the
Safeguarding Adults Board and decided in part by the Community Safety Partnership). Before it
does, each partner partnership that decides a track of the case or lists the publication signs
it off: its business unit records who signed it off for the partnership and when, on a page it
reaches under its own address through the share. The owner sees the sign-off as a step on the
publication's page; ``rules.missing_for_publication`` refuses publishing until it is there.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.models import Partnership, Role
from safeguarding.accounts.permissions import is_business_unit
from safeguarding.accounts.selectors import user_list_with_role
from safeguarding.audit.services import audit_record
from safeguarding.core.compiled_sql import PARTNERSHIP_PLACEHOLDER, RecordQuery
from safeguarding.core.errors import ServiceError
from safeguarding.core.pagination import CompiledList
from safeguarding.notifications.services import notify
from safeguarding.referrals.share_selectors import (
    sign_off_partners,
    signs_off_publication_q,
    signs_off_publications_q,
)

from . import permissions
from .models import PartnerSignOff, Publication

NOT_PARTNER = "Only the business unit of a partnership that shares the review can sign it off"


# Reads -----------------------------------------------------------------------------------------


def shared_publication_list(*, partnership: Partnership) -> QuerySet[Publication]:
    """Publications of other partnerships' reviews that ``partnership`` signs off, newest
    first, each with whether ``partnership`` has signed it off (``signed_off``, in the same
    query, so a page of them is one query, empty or full: issue 16)."""
    return (
        Publication.objects.filter(signs_off_publications_q(partnership))
        .select_related("partnership")
        .only("id", "title", "partnership__id", "partnership__name")
        .annotate(
            signed_off=Exists(
                PartnerSignOff.objects.filter(publication=OuterRef("pk"), partnership=partnership)
            )
        )
        .order_by("-id")
    )


# The staff list of publications reads a page of them at a time: the SQL built once (issue 16).
SHARED_PUBLICATION_PAGES = CompiledList(
    lambda partnership_id: shared_publication_list(partnership=Partnership(pk=partnership_id)),
    {"partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk)},
)


def shared_publication_get_for_user(*, user, partnership: Partnership, pk: int) -> Publication:
    """A publication another partnership prepares of a review shared with ``partnership`` that
    it signs off, for its business unit and partner leads; 404 for anyone else, for a
    publication of a case not shared with it, and for its own publications (they have their
    own pages)."""
    if not permissions.can_view_publications(user, partnership):
        raise Http404("No such publication")
    publication = _SHARED_PUBLICATION.get(partnership=partnership, pk=pk)
    if publication is None:
        raise Http404("No such publication")
    return publication


# The sign-off pages read it first: the SQL built once (ADR 0038; issue 16).
_SHARED_PUBLICATION = RecordQuery(
    lambda: Publication.objects.select_related("partnership", "review", "review__case"),
    signs_off_publication_q,
)


def sign_off_of(*, publication: Publication, partnership: Partnership) -> PartnerSignOff | None:
    return (
        PartnerSignOff.objects.filter(publication=publication, partnership=partnership)
        .select_related("recorded_by")
        .first()
    )


# The sign-off ----------------------------------------------------------------------------------


def partner_sign_off_record(
    *,
    publication: Publication,
    partnership: Partnership,
    signed_off_on: datetime.date | None,
    signed_off_by: str,
    note: str,
    actor,
) -> PartnerSignOff:
    """The partner's business unit records that its partnership signed the publication off:
    who (name and role) and on which day. Once per partnership; audited in both partnerships'
    trails; the owner's business unit is told."""
    if not is_business_unit(actor, partnership):
        raise ServiceError(NOT_PARTNER)
    if partnership.pk not in {p.pk for p in sign_off_partners(case=publication.review.case)}:
        raise ServiceError(NOT_PARTNER)
    if publication.status not in (Publication.Status.DRAFT, Publication.Status.SCHEDULED):
        raise ServiceError("This publication has already been published or withdrawn")
    if publication.review.stage != "signed_off":
        raise ServiceError("The review must be signed off before its publication is")
    if signed_off_on is None:
        raise ServiceError("Enter the date of the sign-off", field="signed_off_on")
    if signed_off_on > timezone.localdate():
        raise ServiceError(
            "The date of the sign-off must be today or in the past", field="signed_off_on"
        )
    signed_off_by = (signed_off_by or "").strip()
    if not signed_off_by:
        raise ServiceError(
            "Enter who signed the publication off for your partnership, and their role",
            field="signed_off_by",
        )
    if PartnerSignOff.objects.filter(publication=publication, partnership=partnership).exists():
        raise ServiceError("Your partnership has already signed this publication off")
    owner = publication.partnership
    try:
        with transaction.atomic():
            sign_off = PartnerSignOff.objects.create(
                publication=publication,
                partnership=partnership,
                signed_off_on=signed_off_on,
                signed_off_by=signed_off_by,
                note=(note or "").strip(),
                recorded_by=actor,
            )
            payload = {
                "partner": partnership.slug,
                "owner": owner.slug,
                "signed_off_on": signed_off_on.isoformat(),
                "rule": "R46",
            }
            for trail in (owner, partnership):
                audit_record(
                    action="publication.partner_signed_off",
                    actor=actor,
                    target=publication,
                    partnership=trail,
                    payload=payload,
                )
            notify(
                kind="publication.partner_signed_off",
                recipients=user_list_with_role(partnership=owner, role=Role.BUSINESS_UNIT),
                partnership=owner,
                subject_object=publication,
                context={"publication": publication, "sign_off": sign_off, "partner": partnership},
                link=reverse("publication:detail", args=[owner.slug, publication.pk]),
                dedupe_key=f"publication:{publication.pk}:partner_signed_off:{partnership.pk}",
            )
    except IntegrityError:
        raise ServiceError("Your partnership has already signed this publication off") from None
    return sign_off
