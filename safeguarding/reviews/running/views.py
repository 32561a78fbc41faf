"""Staff pages for running a review, under /manage/<partnership>/reviews/
(docs/rules.md §local-reviews, §family-involvement, §quality-markers, §terms-of-reference,
§panel-membership).

Each view: partnership (404 outside it) → review through ``review_get_for_user`` (404 outside the
partnership and for anyone who may not read it: reviewers or panel members not appointed to it,
agency contributors, administrators) → permission (403) → form → one service → redirect with a
success message. A signed-off review is read-only: every write is refused
except reopening.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from safeguarding.accounts import selectors as account_selectors
from safeguarding.accounts.permissions import (
    is_business_unit,
    is_panel_member,
    is_partner_lead,
    is_reviewer,
)
from safeguarding.clock import selectors as clock_selectors
from safeguarding.core.errors import ServiceError
from safeguarding.core.files import file_response
from safeguarding.core.forms import posted as _posted
from safeguarding.core.forms import show_service_error as _show_service_error
from safeguarding.core.uploads import KINDS
from safeguarding.referrals import selectors as referral_selectors

from .. import permissions, workflow
from .. import services as stages
from ..models import Appointment, FamilyContact, QualityRating, Review, ReviewDisagreement
from ..rows import review_rows_html
from ..selectors import review_get_for_user
from . import selectors, services, terms_document
from .forms import (
    AppointmentForm,
    CommissionForm,
    DocumentUploadForm,
    FamilyContactForm,
    FindingForm,
    IdentityForm,
    MeetingForm,
    PersonForm,
    ProgressCheckForm,
    ProposalDecisionForm,
    QualityForm,
    ReopenForm,
    SignOffDisagreementForm,
    SignOffDisagreementResolveForm,
    TermsForm,
)
from .invitations import review_meeting_invitees
from .quality_markers import local_sets_for, set_for

READ_ONLY = "This review has been signed off: its content is read-only. Reopen it to change it"


def _partnership(request, slug: str):
    return account_selectors.partnership_get_for_user(user=request.user, slug=slug)


def _review(request, slug: str, pk: int):
    """The review, if the user may read it; 404 for anyone else, whether or not it exists
    (ADR 0010)."""
    partnership = _partnership(request, slug)
    return partnership, review_get_for_user(
        user=request.user, partnership=partnership, pk=pk, shared=True
    )


def _require(allowed: bool, review: Review, message: str = "Only the business unit can do this"):
    if review.is_read_only:
        raise PermissionDenied(READ_ONLY)
    if not allowed:
        raise PermissionDenied(message)


def _can_manage(request, review: Review) -> bool:
    return permissions.can_manage_review(request.user, review) and not review.is_read_only


def _context(request, partnership, review: Review, **extra) -> dict:
    return {
        "partnership": partnership,
        "review": review,
        # Read under a partnership the case is shared with (ADR 0022).
        "shared_view": partnership.pk != review.partnership_id,
        "can_manage": _can_manage(request, review),
        "can_edit_content": permissions.can_edit_review_content(request.user, review),
        **extra,
    }


def _to(name: str, review: Review, anchor: str = ""):
    return redirect(reverse(name, args=[review.partnership.slug, review.pk]) + anchor)


# The list and the task list --------------------------------------------------------------------


@require_safe
def review_list(request, slug: str):
    partnership = _partnership(request, slug)
    user = request.user
    if not (
        is_business_unit(user, partnership)
        or is_partner_lead(user, partnership)
        or is_reviewer(user, partnership)
        or is_panel_member(user, partnership)
    ):
        raise PermissionDenied("You cannot see reviews")
    page, pagination = selectors.review_page_for_user(
        request=request, user=user, partnership=partnership
    )
    return render(
        request,
        "reviews/review/list.html",
        {
            "partnership": partnership,
            "reviews": page.object_list,
            "rows": review_rows_html(page.object_list, partnership.slug),
            "page": page,
            "pagination": pagination,
            "sees_all": is_business_unit(user, partnership) or is_partner_lead(user, partnership),
        },
    )


# The task list's pages a partnership the case is shared with may read (ADR 0022): the running
# pages. Agency requests, the rapid review's pages, the action plan and the publication stay
# the owner's.
SHARED_TASK_PAGES = frozenset(
    {
        "reviews:terms",
        "reviews:appointments",
        "reviews:meetings",
        "reviews:people",
        "reviews:family",
        "reviews:documents",
        "reviews:quality",
        "reviews:findings",
    }
)


def _task_groups(review: Review, user, partnership) -> list[dict]:
    """The task list; a task links to its page only if ``user`` may open it (under
    ``partnership``, the address the user came by)."""
    groups = []
    counter = 0
    manages = permissions.can_manage_review(user, review)
    shared_view = partnership.pk != review.partnership_id
    for heading, tasks in workflow.task_list(review):
        rows = []
        for task in tasks:
            counter += 1
            try:
                url = reverse(task.url_name, args=[partnership.slug, review.pk])
            except NoReverseMatch:
                url = ""
            if task.status == "Cannot start yet" or (task.managers_only and not manages):
                url = ""
            if shared_view and task.url_name not in SHARED_TASK_PAGES:
                url = ""
            rows.append({"task": task, "url": url, "id": f"task-{counter}"})
        groups.append({"heading": heading, "tasks": rows})
    return groups


def _detail(request, partnership, review: Review, move_errors=None):
    target = workflow.next_stage(review)
    return render(
        request,
        "reviews/review/detail.html",
        _context(
            request,
            partnership,
            review,
            groups=_task_groups(review, request.user, partnership),
            next_stage=Review.Stage(target).label if target else "",
            milestones=clock_selectors.milestone_rows_for_subject(subject=review.case),
            tracks=selectors.review_tracks(review=review),
            move_errors=[{"text": reason, "href": ""} for reason in (move_errors or [])],
            can_reopen=permissions.can_manage_review(request.user, review)
            and review.stage in (Review.Stage.SIGN_OFF, Review.Stage.SIGNED_OFF),
            # The review's national return (issue 17): the owner's business unit and leads.
            shows_national_return=not review.is_rapid_review
            and partnership.pk == review.partnership_id
            and (
                is_business_unit(request.user, partnership)
                or is_partner_lead(request.user, partnership)
            ),
        ),
    )


@require_safe
def review_detail(request, slug: str, pk: int):
    partnership, review = _review(request, slug, pk)
    return _detail(request, partnership, review)


@require_POST
def review_move(request, slug: str, pk: int):
    partnership, review = _review(request, slug, pk)
    _require(permissions.can_manage_review(request.user, review), review)
    target = workflow.next_stage(review)
    if target is None:
        return _detail(
            request,
            partnership,
            review,
            ["The decision makers sign the review off on the sign-off page"]
            if review.stage == Review.Stage.SIGN_OFF
            else ["There is no next stage"],
        )
    try:
        stages.review_move(review=review, target=target, actor=request.user)
    except workflow.StageError as error:
        return _detail(request, partnership, review, error.reasons)
    messages.success(request, f"The review moved to ‘{review.get_stage_display()}’")
    return _to("reviews:detail", review)


@require_http_methods(["GET", "POST"])
def review_commission(request, slug: str, case_pk: int):
    partnership = _partnership(request, slug)
    case = referral_selectors.case_get_for_user(
        user=request.user, partnership=partnership, pk=case_pk
    )
    if not is_business_unit(request.user, partnership):
        raise PermissionDenied("Only the business unit can commission a review")
    if case.partnership_id != partnership.pk:
        # A partner reaching the case through a share does not run its reviews (ADR 0022).
        raise PermissionDenied(
            f"Only {case.partnership.name}, which holds the case, can commission a review"
        )
    tracks = selectors.commissionable_tracks(case=case)
    form = CommissionForm(_posted(request), tracks=tracks)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_commission(
                case=case, tracks=form.selected(), actor=request.user
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(request, f"Review {review.reference} commissioned")
            return _to("reviews:detail", review)
    return render(
        request,
        "reviews/review/commission.html",
        {"partnership": partnership, "case": case, "form": form, "tracks": tracks},
    )


# Terms of reference ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def review_terms(request, slug: str, pk: int):
    partnership, review = _review(request, slug, pk)
    form = None
    # The page shows the agencies in scope; the rest of ``terms_facts`` is the document's. Read
    # once, for the form's initial value too (issue 16: 4 queries fewer).
    agencies = list(review.agencies.all())
    if _can_manage(request, review) or request.method == "POST":
        _require(permissions.can_manage_review(request.user, review), review)
        initial = {f: getattr(review, f) for f in services.TERMS_FIELDS}
        initial["agencies"] = agencies
        form = TermsForm(_posted(request), partnership=partnership, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            agencies = list(data.pop("agencies"))
            try:
                services.terms_update(review=review, actor=request.user, agencies=agencies, **data)
            except ServiceError as error:
                _show_service_error(form, error)
            else:
                messages.success(request, "Terms of reference saved")
                return _to("reviews:detail", review)
    return render(
        request,
        "reviews/review/terms.html",
        _context(request, partnership, review, form=form, agencies=agencies),
    )


@require_safe
def review_terms_document(request, slug: str, pk: int):
    _, review = _review(request, slug, pk)
    fmt = request.GET.get("format", "docx")
    if fmt not in terms_document.CONTENT_TYPES:
        raise Http404("Choose docx or pdf")
    return file_response(
        request,
        content=terms_document.terms_document_build(review=review, fmt=fmt),
        filename=f"terms-of-reference-{review.reference}.{fmt}",
        content_type=terms_document.CONTENT_TYPES[fmt],
        audit_action="review.report_downloaded",
        target=review,
        payload={"document": "terms_of_reference", "format": fmt},
    )


# Appointments and meetings ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def review_appointments(request, slug: str, pk: int):
    partnership, review = _review(request, slug, pk)
    form = None
    if _can_manage(request, review) or request.method == "POST":
        _require(permissions.can_manage_review(request.user, review), review)
        form = AppointmentForm(_posted(request), partnership=partnership)
        if request.method == "POST" and form.is_valid():
            try:
                appointment = services.appointment_add(
                    review=review, actor=request.user, **form.cleaned_data
                )
            except ServiceError as error:
                _show_service_error(form, error)
            else:
                messages.success(request, f"{appointment} appointed")
                return _to("reviews:appointments", review)
    appointments = list(review.appointments.active().select_related("agency", "user"))
    return render(
        request,
        "reviews/review/appointments.html",
        _context(
            request,
            partnership,
            review,
            form=form,
            appointments=appointments,
            ended=list(review.appointments.archived().select_related("agency", "archived_by")),
            has_chair=any(a.role == Appointment.Role.CHAIR for a in appointments),
        ),
    )


@require_http_methods(["GET", "POST"])
def review_meetings(request, slug: str, pk: int):
    partnership, review = _review(request, slug, pk)
    can_edit = permissions.can_edit_review_content(request.user, review)
    form = None
    if can_edit or request.method == "POST":
        _require(can_edit, review, "Only the business unit and the reviewer can record meetings")
        form = MeetingForm(_posted(request))
        if request.method == "POST" and form.is_valid():
            try:
                meeting = services.meeting_record(
                    review=review, actor=request.user, **form.cleaned_data
                )
            except ServiceError as error:
                _show_service_error(form, error)
            else:
                messages.success(request, f"Meeting ‘{meeting.title}’ recorded")
                return _to("reviews:meetings", review)
    return render(
        request,
        "reviews/review/meetings.html",
        _context(
            request,
            partnership,
            review,
            form=form,
            meetings=list(review.meetings.active().select_related("recorded_by")),
            removed=list(review.meetings.archived().select_related("archived_by")),
            invitees=review_meeting_invitees(review) if form is not None else [],
        ),
    )


# People and identities -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def review_people(request, slug: str, pk: int):
    partnership, review = _review(request, slug, pk)
    form = None
    if _can_manage(request, review) or request.method == "POST":
        _require(permissions.can_manage_review(request.user, review), review)
        form = PersonForm(_posted(request))
        if request.method == "POST" and form.is_valid():
            try:
                person = services.person_add(review=review, actor=request.user, **form.cleaned_data)
            except ServiceError as error:
                _show_service_error(form, error)
            else:
                messages.success(request, f"{person.pseudonym} added to the case")
                return _to("reviews:people", review)
    everyone = list(selectors.people_for_review(review=review, archived=None))
    return render(
        request,
        "reviews/review/people.html",
        _context(
            request,
            partnership,
            review,
            form=form,
            people=[person for person in everyone if not person.is_archived],
            removed=[person for person in everyone if person.is_archived],
            can_view_identities=permissions.can_view_identities(request.user, review.partnership),
            **_proposals_context(request, partnership, review),
        ),
    )


def _proposals_context(request, partnership, review: Review) -> dict:
    """People proposed by agencies' chronologies (issue 13): shown to the business unit and
    partner leads only (a proposed name is as an agency wrote it); decided by the business
    unit."""
    if not permissions.can_view_identities(request.user, review.partnership):
        return {"proposals_shown": False}
    proposals = selectors.proposals_for_review(review=review)
    return {
        "proposals_shown": True,
        "proposals_waiting": [p for p in proposals if p.is_pending],
        "proposals_decided": [p for p in proposals if not p.is_pending],
    }


@require_http_methods(["GET", "POST"])
def review_person_proposal(request, slug: str, pk: int, proposal_pk: int):
    partnership, review = _review(request, slug, pk)
    _require(permissions.can_manage_review(request.user, review), review)
    proposal = selectors.proposal_get(review=review, pk=proposal_pk)
    if not proposal.is_pending:
        messages.success(
            request,
            f"‘{proposal.pseudonym}’ has already been decided: "
            f"{proposal.get_state_display().lower()}",
        )
        return _to("reviews:people", review, "#proposed-people")
    people = list(selectors.people_for_review(review=review))
    form = ProposalDecisionForm(_posted(request), proposal=proposal, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decided = services.person_proposal_decide(
                proposal=proposal,
                actor=request.user,
                decision=data["decision"],
                role_in_case=data["role_in_case"],
                relationship=data["relationship"],
                person=form.chosen_person,
                reason=data["reason"],
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            if decided.state == decided.State.REJECTED:
                text = f"‘{decided.pseudonym}’ rejected: the rows stay without the name"
            elif decided.state == decided.State.CONFIRMED:
                text = f"{decided.pseudonym} added to the case and linked to their rows"
            else:
                text = f"‘{decided.pseudonym}’ is {decided.person.pseudonym}: their rows are linked"
            messages.success(request, text)
            return _to("reviews:people", review, "#proposed-people")
    return render(
        request,
        "reviews/review/person_proposal.html",
        _context(
            request,
            partnership,
            review,
            proposal=proposal,
            form=form,
            rows=selectors.proposal_rows(proposal=proposal),
        ),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def review_person_identity(request, slug: str, pk: int, person_pk: int):
    """GET asks to confirm; POST records the view in the audit trail and shows the identity
    (only ever in a POST response). The business unit may then correct it there: the form is
    filled from the identity just shown, and saving it is audited too (field names only)."""
    partnership, review = _review(request, slug, pk)
    # The identities stay with the partnership that holds the case (ADR 0022).
    if not permissions.can_view_identities(request.user, review.partnership):
        raise PermissionDenied("Only the business unit and partner leads can see real identities")
    person = selectors.person_get(review=review, pk=person_pk)
    can_change = _can_manage(request, review) and not person.is_archived
    identity = None
    shown = False
    form = None
    if request.method == "POST" and "save" in request.POST:
        _require(permissions.can_manage_review(request.user, review), review)
        if person.is_archived:
            raise PermissionDenied("This person has been removed from the case")
        form = IdentityForm(request.POST)
        if form.is_valid():
            try:
                services.person_identity_update(
                    person=person, review=review, actor=request.user, **form.cleaned_data
                )
            except ServiceError as error:
                _show_service_error(form, error)
            else:
                messages.success(request, f"The real identity of {person.pseudonym} is saved")
                return redirect(
                    reverse("reviews:person", args=[partnership.slug, review.pk, person.pk])
                )
        shown = True
    elif request.method == "POST":
        identity = selectors.person_identity_get(person=person)
        services.person_identity_viewed(person=person, actor=request.user, review=review)
        shown = True
        if can_change:
            initial = {}
            if identity is not None:
                initial = {
                    "full_name": identity.full_name,
                    "date_of_birth": identity.date_of_birth,
                    "address": identity.address,
                }
            form = IdentityForm(initial=initial)
    return render(
        request,
        "reviews/review/person_identity.html",
        _context(
            request,
            partnership,
            review,
            person=person,
            identity=identity,
            shown=shown,
            form=form,
        ),
    )


# Family involvement ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def review_family(request, slug: str, pk: int):
    partnership, review = _review(request, slug, pk)
    form = None
    people = review.case.people.active()
    if _can_manage(request, review) or request.method == "POST":
        _require(permissions.can_manage_review(request.user, review), review)
        form = FamilyContactForm(_posted(request), people=people)
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            data["consent_to_quote"] = form.consent()
            try:
                contact = services.family_contact_record(review=review, actor=request.user, **data)
            except ServiceError as error:
                _show_service_error(form, error)
            else:
                messages.success(request, f"{contact} recorded")
                return _to("reviews:family", review)
    return render(
        request,
        "reviews/review/family.html",
        _context(
            request,
            partnership,
            review,
            form=form,
            contacts=list(review.family_contacts.active().select_related("person", "recorded_by")),
            removed=list(review.family_contacts.archived().select_related("person", "archived_by")),
            advocacy_warning=services.advocacy_not_signposted(review),
            kinds=FamilyContact.Kind,
        ),
    )


# Documents -------------------------------------------------------------------------------------


@require_safe
def review_documents(request, slug: str, pk: int):
    partnership, review = _review(request, slug, pk)
    return render(
        request,
        "reviews/review/documents.html",
        _context(
            request,
            partnership,
            review,
            documents=selectors.documents_for_review(review=review),
        ),
    )


@require_http_methods(["GET", "POST"])
def review_document_upload(request, slug: str, pk: int):
    partnership, review = _review(request, slug, pk)
    _require(
        permissions.can_edit_review_content(request.user, review),
        review,
        "Only the business unit and the reviewer can upload documents",
    )
    documents = list(review.documents.all())
    initial = {"document": request.GET.get("document", "new")}
    form = DocumentUploadForm(
        _posted(request), request.FILES or None, documents=documents, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            version = services.document_version_upload(
                review=review,
                actor=request.user,
                uploaded=form.cleaned_data["file"],
                kind=form.kind,
                document=form.existing(),
                title=form.cleaned_data["title"],
                document_kind=form.cleaned_data["document_kind"],
                note=form.cleaned_data["note"],
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(
                request, f"Version {version.version} of ‘{version.document.title}’ uploaded"
            )
            return _to("reviews:documents", review)
    return render(
        request,
        "reviews/review/document_upload.html",
        _context(request, partnership, review, form=form),
    )


@require_safe
def review_document_download(request, slug: str, pk: int, version_pk: int):
    review = _review(request, slug, pk)[1]
    version = selectors.document_version_get(review=review, pk=version_pk)
    return file_response(
        request,
        content=version.file,
        filename=version.original_name,
        content_type=KINDS[version.file_kind].content_type,
        audit_action="review.report_downloaded",
        target=version.document,
        partnership=review.partnership,
        payload={"version": version.version},
    )


# Quality markers -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def review_quality(request, slug: str, pk: int):
    partnership, review = _review(request, slug, pk)
    assessment = getattr(review, "quality", None) if hasattr(review, "quality") else None
    # The partnership's own marker sets (ADR 0024), offered before the first assessment; an
    # assessment keeps the set it was made against.
    local_sets = []
    chosen = None
    choice = request.POST.get("marker_set") or request.GET.get("marker_set") or ""
    if assessment is None and _can_manage(request, review):
        local_sets = local_sets_for(review)
        if choice and choice != "national":
            chosen = next((s for s in local_sets if str(s.pk) == choice), None)
            if chosen is None:
                raise Http404("No such marker set for this review")
    marker_set = set_for(review, chosen)
    ratings = {r.marker: r for r in assessment.ratings.all()} if assessment else {}
    form = None
    if local_sets and not choice and request.method == "GET":
        return render(
            request,
            "reviews/review/quality_choose.html",
            _context(request, partnership, review, national=marker_set, local_sets=local_sets),
        )
    if _can_manage(request, review) or request.method == "POST":
        _require(permissions.can_manage_review(request.user, review), review)
        initial = {"summary": assessment.summary if assessment else ""}
        for number, rating in ratings.items():
            initial[f"rating_{number}"] = rating.rating
            initial[f"evidence_{number}"] = rating.evidence
            initial[f"comments_{number}"] = rating.comments
        form = QualityForm(_posted(request), marker_set=marker_set, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.quality_assessment_save(
                    review=review,
                    actor=request.user,
                    ratings=form.ratings(),
                    summary=form.cleaned_data["summary"],
                    local_set=chosen,
                )
            except ServiceError as error:
                _show_service_error(form, error)
            else:
                messages.success(request, "Quality assessment saved")
                return _to("reviews:quality", review)
    rows = [
        {"marker": m, "rating": ratings.get(m.number), "fields": _marker_fields(form, m.number)}
        for m in marker_set.markers
    ]
    counts = {
        label: sum(1 for r in ratings.values() if r.rating == value)
        for value, label in QualityRating.Rating.choices
    }
    return render(
        request,
        "reviews/review/quality.html",
        _context(
            request,
            partnership,
            review,
            form=form,
            marker_set=marker_set,
            assessment=assessment,
            rows=rows,
            counts=counts,
            marker_set_choice=choice if assessment is None else "",
        ),
    )


def _marker_fields(form, number: int) -> list:
    if form is None:
        return []
    return [form[f"rating_{number}"], form[f"evidence_{number}"], form[f"comments_{number}"]]


# Findings --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def review_findings(request, slug: str, pk: int):
    partnership, review = _review(request, slug, pk)
    can_edit = permissions.can_edit_review_content(request.user, review)
    form = None
    if can_edit or request.method == "POST":
        _require(can_edit, review, "Only the business unit and the reviewer can write findings")
        form = FindingForm(_posted(request))
        if request.method == "POST" and form.is_valid():
            try:
                finding = services.finding_add(
                    review=review, actor=request.user, **form.cleaned_data
                )
            except ServiceError as error:
                _show_service_error(form, error)
            else:
                messages.success(request, f"Finding {finding.number} added")
                return _to("reviews:findings", review)
    return render(
        request,
        "reviews/review/findings.html",
        _context(request, partnership, review, form=form, findings=list(review.findings.all())),
    )


@require_http_methods(["GET", "POST"])
def review_finding_edit(request, slug: str, pk: int, finding_pk: int):
    partnership, review = _review(request, slug, pk)
    _require(
        permissions.can_edit_review_content(request.user, review),
        review,
        "Only the business unit and the reviewer can change findings",
    )
    finding = review.findings.filter(pk=finding_pk).first()
    if finding is None:
        raise Http404("No such finding")
    form = FindingForm(_posted(request), initial={"title": finding.title, "text": finding.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.finding_update(finding=finding, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(request, f"Finding {finding.number} saved")
            return _to("reviews:findings", review)
    return render(
        request,
        "reviews/review/finding_edit.html",
        _context(request, partnership, review, form=form, finding=finding),
    )


# Sign-off and reopening ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def review_sign_off(request, slug: str, pk: int):
    partnership, review = _review(request, slug, pk)
    errors = []
    if request.method == "POST":
        try:
            services.review_sign(review=review, user=request.user)
        except ServiceError as error:
            errors.append({"text": error.message, "href": ""})
        else:
            review.refresh_from_db()
            messages.success(
                request,
                "You have signed. The review is signed off"
                if review.is_read_only
                else "You have signed. Others still need to sign",
            )
            # Under the address the signatory came by: a partner's decision maker signs a joint
            # review of a shared case under its own partnership (ADR 0022).
            return redirect(reverse("reviews:sign_off", args=[partnership.slug, review.pk]))
    round_ = services.signature_round(review)
    makers = services.decision_makers_for(review)
    signatures = {
        s.decision_maker_id: s
        for s in review.signatures.filter(round=round_).select_related(
            "user", "decision_maker__user"
        )
    }
    disagreements = selectors.review_disagreements(review=review)
    standing = {
        d.user_id: d
        for d in disagreements
        if d.round == round_
        and (d.is_open or d.resolution == ReviewDisagreement.Resolution.WITHOUT_SIGNATURE)
    }
    rows = [
        {
            "maker": m,
            "signature": signature,
            "disagreement": None if signature else standing.get(m.user_id),
        }
        for m in makers
        for signature in [signatures.pop(m.pk, None)]
    ]
    # A signature by someone no longer named (changed or removed since, ADR 0017) still counts
    # in the record: show it too.
    rows += [{"maker": s.decision_maker, "signature": s} for s in signatures.values()]
    mine_unsigned = [
        r for r in rows if r["maker"].user_id == request.user.pk and r["signature"] is None
    ]
    my_open = any(r.get("disagreement") and r["disagreement"].is_open for r in mine_unsigned)
    can_sign = review.stage == Review.Stage.SIGN_OFF and bool(mine_unsigned) and not my_open
    return render(
        request,
        "reviews/review/sign_off.html",
        _context(
            request,
            partnership,
            review,
            rows=rows,
            round=round_,
            can_sign=can_sign,
            can_decline=can_sign
            and not any(
                r.get("disagreement") for r in mine_unsigned
            ),  # resolved "without signature": nothing more to say
            can_resolve=permissions.can_manage_review(request.user, review),
            disagreements=disagreements,
            errors=errors,
            reopenings=list(review.reopenings.select_related("reopened_by")),
        ),
    )


def _signatory_of(request, review: Review) -> None:
    if not any(m.user_id == request.user.pk for m in services.decision_makers_for(review)):
        raise PermissionDenied("Only the decision makers named for this review sign it off")


@require_http_methods(["GET", "POST"])
def review_sign_off_decline(request, slug: str, pk: int):
    """A decision maker declines to sign the review off, or disagrees, with a reason: it goes
    back to the business unit, which records how it was resolved (ADR 0012)."""
    partnership, review = _review(request, slug, pk)
    _signatory_of(request, review)
    form = SignOffDisagreementForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            disagreement = services.review_sign_off_decline(
                review=review, user=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(
                request,
                f"You {disagreement.get_kind_display().lower()}. The business unit has been "
                "told, and will tell you how it is resolved",
            )
            return _to("reviews:sign_off", review)
    return render(
        request,
        "reviews/review/sign_off_decline.html",
        _context(request, partnership, review, form=form),
    )


@require_http_methods(["GET", "POST"])
def review_sign_off_disagreement_resolve(request, slug: str, pk: int, disagreement_pk: int):
    """The business unit records how a disagreement with the sign-off was resolved."""
    partnership, review = _review(request, slug, pk)
    disagreement = selectors.review_disagreement_get(review=review, pk=disagreement_pk)
    if not permissions.can_manage_review(request.user, review):
        raise PermissionDenied("Only the business unit can do this")
    form = SignOffDisagreementResolveForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.review_disagreement_resolve(
                disagreement=disagreement, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(request, "Resolution recorded. The decision makers have been told")
            return _to("reviews:sign_off", review)
    return render(
        request,
        "reviews/review/sign_off_disagreement_resolve.html",
        _context(request, partnership, review, disagreement=disagreement, form=form),
    )


@require_http_methods(["GET", "POST"])
def review_reopen(request, slug: str, pk: int):
    partnership, review = _review(request, slug, pk)
    if not permissions.can_manage_review(request.user, review):
        raise PermissionDenied("Only the business unit can reopen a review")
    form = ReopenForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.review_reopen(
                review=review, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(request, "The review is reopened and back at drafting")
            return _to("reviews:detail", review)
    return render(
        request,
        "reviews/review/reopen.html",
        _context(
            request,
            partnership,
            review,
            form=form,
            can_be_reopened=review.stage in (Review.Stage.SIGN_OFF, Review.Stage.SIGNED_OFF),
        ),
    )


# Progress checks (R13) ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def progress_check(request, slug: str, pk: int):
    partnership, review = _review(request, slug, pk)
    _require(permissions.can_manage_review(request.user, review), review)
    form = ProgressCheckForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            milestone = services.progress_check_record(
                review=review, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(
                request,
                f"Progress check recorded. The next one is due {milestone.due_on:%-d %B %Y}",
            )
            return redirect(reverse("reviews:detail", args=[slug, review.pk]) + "#milestones")
    return render(
        request,
        "reviews/review/progress_check.html",
        {
            "partnership": partnership,
            "review": review,
            "form": form,
            "milestone": selectors.progress_check_open(review=review),
        },
    )
