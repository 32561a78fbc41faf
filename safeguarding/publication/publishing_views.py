"""Staff pages for publishing a signed-off review, under /manage/<partnership>/publication/.

Each view: partnership (404 outside it) → publication through ``publication_get_for_user`` (404
for anyone who may not see publications: ADR 0010) → permission (403) → form → one service →
redirect with a success message.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from safeguarding.accounts import selectors as account_selectors
from safeguarding.core.compiled_sql import set_prefetched
from safeguarding.core.errors import ServiceError
from safeguarding.core.files import file_response
from safeguarding.core.forms import posted, show_service_error
from safeguarding.reviews.running.quality_markers import DHR_RESUBMISSION_REASONS
from safeguarding.reviews.selectors import review_get_for_user

from . import partner_sign_off, permissions, publishing, rules
from . import publishing_selectors as selectors
from .models import HomeOfficeSubmission, PrePublicationStep, Publication
from .publishing_forms import (
    CorrectForm,
    DecisionForm,
    FalseMatchesForm,
    FalseMatchForm,
    FileReplaceForm,
    FileUploadForm,
    HomeOfficeLetterForm,
    HomeOfficeSubmitForm,
    PartnerSignOffForm,
    PublishForm,
    StepForm,
    WithdrawForm,
)
from .rows import publication_rows_html, shared_publication_rows_html


def _for_readers(request, slug: str):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    if not permissions.can_view_publications(request.user, partnership):
        raise PermissionDenied("Only the business unit and partner leads see publications")
    return partnership


def _publication(request, slug: str, pk: int, *, manage: bool = True):
    """The publication: 404 for anyone who may not see publications, whether or not it exists
    (ADR 0010); then 403 for a partner lead when ``manage``."""
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    publication = selectors.publication_get_for_user(
        user=request.user, partnership=partnership, pk=pk
    )
    if manage and not permissions.can_manage_publications(request.user, partnership):
        raise PermissionDenied("Only the business unit can prepare publications")
    return partnership, publication


def _to_detail(publication):
    return redirect("publication:detail", slug=publication.partnership.slug, pk=publication.pk)


def _show_error(form, error: ServiceError) -> None:
    reasons = getattr(error, "reasons", None)
    if reasons:
        for reason in reasons:
            form.add_error(None, reason)
    else:
        show_service_error(form, error)


def _page(request, template, partnership, publication, **context):
    return render(
        request,
        f"publication/staff/{template}",
        {"partnership": partnership, "publication": publication, **context},
    )


# The list and the page of one publication ------------------------------------------------------


SHARED_PAGE = "shared_page"  # the page parameter of the list of shared reviews' publications


@require_safe
def publication_list(request, slug: str):
    partnership = _for_readers(request, slug)
    # Each list a page at a time in one query (the same queries empty or full), each under its
    # own page parameter: a list's links keep the other's page (issue 16).
    page, pagination = selectors.PUBLICATION_PAGES.page(request, partnership_id=partnership.pk)
    # Other partnerships' publications of reviews shared with this one (ADR 0022).
    shared_page, shared_pagination = partner_sign_off.SHARED_PUBLICATION_PAGES.page(
        request, param=SHARED_PAGE, partnership_id=partnership.pk
    )
    return render(
        request,
        "publication/staff/list.html",
        {
            "partnership": partnership,
            "publications": page.object_list,
            "rows": publication_rows_html(page.object_list, partnership.slug),
            "page": page,
            "pagination": pagination,
            "can_manage": permissions.can_manage_publications(request.user, partnership),
            "shared": shared_page.object_list,
            "shared_rows": shared_publication_rows_html(shared_page.object_list, partnership.slug),
            "shared_page": shared_page,
            "shared_pagination": shared_pagination,
        },
    )


@require_POST
def publication_start(request, slug: str, review_pk: int):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    review = review_get_for_user(user=request.user, partnership=partnership, pk=review_pk)
    if not permissions.can_manage_publications(request.user, partnership):
        raise PermissionDenied("Only the business unit can prepare publications")
    existing = Publication.objects.filter(review=review).first()
    if existing is not None:
        return _to_detail(existing)
    try:
        publication = publishing.publication_start(review=review, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("reviews:detail", slug=partnership.slug, pk=review.pk)
    messages.success(request, "You have started preparing the publication")
    return _to_detail(publication)


def _detail_context(publication, today):
    # The steps, settings, review types, files and partners' sign-offs are read once (the
    # rules below ask again), with SQL built once (issue 16).
    files = selectors.files_with_findings(publication=publication)
    rules.read_once_for_page(publication, [f for f in files if f.replaced_at is None])
    set_prefetched(
        publication, "steps", PrePublicationStep, selectors.steps_for(publication=publication)
    )
    steps_done = {step.kind: step for step in publication.steps.all()}
    steps = [
        {
            "kind": kind,
            "label": publication.steps.model.Kind(kind).label,
            "rule": rule,
            "done": steps_done.get(kind),
        }
        for kind, rule in publishing.allowed_steps(publication)
    ]
    earliest, why = rules.earliest_publish_on(publication, today)
    missing = [
        reason
        for reason in rules.missing_for_publication(publication, earliest, today)
        if publication.status in (Publication.Status.DRAFT, Publication.Status.SCHEDULED)
    ]
    return {
        "live_files": [f for f in files if f.replaced_at is None],
        "open_findings": sum(
            1
            for f in files
            if f.replaced_at is None
            for finding in f.findings.all()
            if not finding.resolution
        ),
        "replaced_files": [f for f in files if f.replaced_at is not None],
        "steps": steps,
        "partner_sign_offs": rules.partner_sign_offs(publication),
        "needs_home_office": publishing.needs_home_office(publication),
        "steps_to_record": any(step["done"] is None for step in steps),
        "earliest": earliest,
        "earliest_why": why,
        "missing": missing,
        "revisions": selectors.revisions_with_files(publication=publication),
        "today": today,
    }


@require_safe
def publication_detail(request, slug: str, pk: int):
    partnership, publication = _publication(request, slug, pk, manage=False)
    today = timezone.localdate()
    return _page(
        request,
        "detail.html",
        partnership,
        publication,
        can_manage=permissions.can_manage_publications(request.user, partnership),
        can_withdraw=permissions.can_open_withdraw_page(request.user, partnership),
        publish_form=PublishForm(initial={"publish_on": today}),
        **_detail_context(publication, today),
    )


# The decision ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def publication_decision(request, slug: str, pk: int):
    partnership, publication = _publication(request, slug, pk)
    initial = {name: getattr(publication, name) for name in publishing.DECISION_FIELDS}
    form = DecisionForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            publishing.publication_update(
                publication=publication, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, "The publication decision has been saved")
            return _to_detail(publication)
    return _page(request, "decision.html", partnership, publication, form=form)


# Files and findings ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def publication_file_upload(request, slug: str, pk: int):
    partnership, publication = _publication(request, slug, pk)
    form = FileUploadForm(posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = publishing.publication_file_upload(
                publication=publication,
                actor=request.user,
                uploaded=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            _report_check(request, saved)
            return _to_detail(publication)
    return _page(request, "file_upload.html", partnership, publication, form=form)


def _report_check(request, saved) -> None:
    count = saved.findings.count()
    if count:
        # Findings are work to do, not a success: an "Important" banner (messages.html).
        messages.warning(
            request,
            f"‘{saved.title}’ was uploaded and checked: {count} possible identifier"
            f"{'' if count == 1 else 's'} found. Resolve each one before publishing",
        )
    else:
        messages.success(request, f"‘{saved.title}’ was uploaded and checked: nothing was found")


@require_http_methods(["GET", "POST"])
def publication_file_replace(request, slug: str, pk: int, file_pk: int):
    partnership, publication = _publication(request, slug, pk)
    old = selectors.file_get(publication=publication, pk=file_pk)
    form = FileReplaceForm(posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = publishing.file_replace(
                old_file=old, actor=request.user, uploaded=form.cleaned_data["file"]
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            _report_check(request, saved)
            return _to_detail(publication)
    return _page(request, "file_replace.html", partnership, publication, form=form, file=old)


@require_http_methods(["GET", "POST"])
def publication_finding_resolve(request, slug: str, pk: int, finding_pk: int):
    partnership, publication = _publication(request, slug, pk)
    finding = selectors.finding_get(publication=publication, pk=finding_pk)
    form = FalseMatchForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            publishing.finding_mark_false_match(
                finding=finding, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.info(request, "The finding has been marked as a false match")
            return _to_detail(publication)
    return _page(
        request, "finding_resolve.html", partnership, publication, form=form, finding=finding
    )


# Steps -----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def publication_findings_false_match(request, slug: str, pk: int):
    """Several findings marked as false matches at once, with one reason."""
    partnership, publication = _publication(request, slug, pk)
    findings = selectors.findings_open(publication=publication)
    initial = {"findings": request.GET.getlist("finding")}
    form = FalseMatchesForm(posted(request), findings=findings, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            marked = publishing.findings_mark_false_match(
                publication=publication,
                findings=form.selected(),
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            count = len(marked)
            messages.info(
                request,
                f"{count} finding{'' if count == 1 else 's'} marked as a false match",
            )
            return _to_detail(publication)
    return _page(
        request, "findings_false_match.html", partnership, publication, form=form, findings=findings
    )


@require_http_methods(["GET", "POST"])
def publication_step_add(request, slug: str, pk: int):
    partnership, publication = _publication(request, slug, pk)
    done = set(publication.steps.values_list("kind", flat=True))
    steps = [(k, r) for k, r in publishing.allowed_steps(publication) if k not in done]
    form = StepForm(posted(request), steps=steps)
    if request.method == "POST" and form.is_valid():
        try:
            step = publishing.step_record(
                publication=publication, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"‘{step.get_kind_display()}’ has been recorded")
            return _to_detail(publication)
    return _page(request, "step_add.html", partnership, publication, form=form, steps=steps)


# The Home Office Quality Assurance Panel (R34, issue 14 §4) ------------------------------------


def _reason_labels(submission: HomeOfficeSubmission) -> list[str]:
    labels = dict(DHR_RESUBMISSION_REASONS)
    return [labels.get(code, code) for code in submission.reasons]


def _submission(publication: Publication, submission_pk: int) -> HomeOfficeSubmission:
    submission = publication.home_office_submissions.filter(pk=submission_pk).first()
    if submission is None:
        raise Http404("No such submission")
    return submission


@require_http_methods(["GET", "POST"])
def home_office(request, slug: str, pk: int):
    """The submissions to the Home Office panel, their letters and outcomes; a new submission."""
    partnership, publication = _publication(request, slug, pk, manage=request.method == "POST")
    if not publishing.needs_home_office(publication):
        raise Http404("Only a Domestic Homicide Review goes to the Home Office panel")
    can_manage = permissions.can_manage_publications(request.user, partnership)
    form = HomeOfficeSubmitForm(posted(request)) if can_manage else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            submission = publishing.home_office_submit(
                publication=publication, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"Submission {submission.number} has been recorded")
            return redirect("publication:home_office", slug=partnership.slug, pk=publication.pk)
    submissions = list(
        publication.home_office_submissions.select_related("submitted_by", "outcome_by")
    )
    last = submissions[-1] if submissions else None
    can_submit = can_manage and (
        last is None or last.outcome == HomeOfficeSubmission.Outcome.RESUBMIT
    )
    return _page(
        request,
        "home_office.html",
        partnership,
        publication,
        form=form if can_submit else None,
        can_manage=can_manage,
        rows=[{"submission": s, "reasons": _reason_labels(s)} for s in submissions],
    )


@require_http_methods(["GET", "POST"])
def home_office_letter(request, slug: str, pk: int, submission_pk: int):
    partnership, publication = _publication(request, slug, pk)
    submission = _submission(publication, submission_pk)
    if submission.outcome:
        raise Http404("The letter on this submission has already been recorded")
    form = HomeOfficeLetterForm(posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            publishing.home_office_letter_record(
                submission=submission,
                actor=request.user,
                uploaded=form.cleaned_data.pop("letter"),
                **form.cleaned_data,
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, "The panel's letter has been recorded")
            return redirect("publication:home_office", slug=partnership.slug, pk=publication.pk)
    return _page(
        request,
        "home_office_letter.html",
        partnership,
        publication,
        form=form,
        submission=submission,
    )


@require_safe
def home_office_letter_download(request, slug: str, pk: int, submission_pk: int):
    partnership, publication = _publication(request, slug, pk, manage=False)
    submission = _submission(publication, submission_pk)
    if not submission.letter:
        raise Http404("No letter")
    return file_response(
        request,
        content=submission.letter,
        filename=submission.letter_name,
        content_type=(
            "application/pdf"
            if submission.letter_kind == "pdf"
            else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        ),
        audit_action="publication.home_office_letter_downloaded",
        target=publication,
        partnership=partnership,
        payload={"number": submission.number},
    )


# Publishing, corrections, withdrawal -----------------------------------------------------------


@require_http_methods(["GET", "POST"])
def publication_publish(request, slug: str, pk: int):
    partnership, publication = _publication(request, slug, pk)
    today = timezone.localdate()
    form = PublishForm(posted(request), initial={"publish_on": today})
    if request.method == "POST" and form.is_valid():
        try:
            publishing.publication_publish(
                publication=publication,
                publish_on=form.cleaned_data["publish_on"],
                actor=request.user,
            )
        except ServiceError as error:
            _show_error(form, error)
        else:
            if publication.status == Publication.Status.SCHEDULED:
                messages.success(
                    request, f"Publication is scheduled for {publication.publish_on:%-d %B %Y}"
                )
            else:
                messages.success(request, "The review has been published")
            return _to_detail(publication)
    earliest, why = rules.earliest_publish_on(publication, today)
    return _page(
        request,
        "publish.html",
        partnership,
        publication,
        form=form,
        earliest=earliest,
        earliest_why=why,
    )


@require_http_methods(["GET", "POST"])
def publication_correct(request, slug: str, pk: int):
    partnership, publication = _publication(request, slug, pk)
    form = CorrectForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            revision = publishing.publication_correct(
                publication=publication, actor=request.user, note=form.cleaned_data["note"]
            )
        except ServiceError as error:
            _show_error(form, error)
        else:
            messages.success(request, f"Revision {revision.number} has been published")
            return _to_detail(publication)
    return _page(request, "correct.html", partnership, publication, form=form)


@require_http_methods(["GET", "POST"])
def publication_withdraw(request, slug: str, pk: int):
    partnership, publication = _publication(request, slug, pk, manage=False)
    if not permissions.can_open_withdraw_page(request.user, partnership):
        raise PermissionDenied("Only the business unit or a partner lead can withdraw")
    today = timezone.localdate()
    form = WithdrawForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            publishing.publication_withdraw(
                publication=publication, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"‘{publication.title}’ has been withdrawn")
            return _to_detail(publication)
    early = publication.earliest_removal_on is not None and today < publication.earliest_removal_on
    return _page(
        request,
        "withdraw.html",
        partnership,
        publication,
        form=form,
        early=early,
        allowed=permissions.can_withdraw(request.user, publication, today),
    )


# A partner's sign-off of a shared review's publication (ADR 0022, R46) -----------------------


@require_http_methods(["GET", "POST"])
def partner_sign_off_record(request, slug: str, pk: int):
    """Under the partner's own address: the publication another partnership prepares of a
    review shared with this one, and the form its business unit signs it off with. 404 outside
    the share; partner leads read it (403 on posting)."""
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    publication = partner_sign_off.shared_publication_get_for_user(
        user=request.user, partnership=partnership, pk=pk
    )
    can_sign = permissions.can_manage_publications(request.user, partnership)
    if request.method == "POST" and not can_sign:
        raise PermissionDenied("Only the business unit records the partnership's sign-off")
    signed = partner_sign_off.sign_off_of(publication=publication, partnership=partnership)
    form = PartnerSignOffForm(posted(request))
    if request.method == "POST" and signed is None and form.is_valid():
        try:
            partner_sign_off.partner_sign_off_record(
                publication=publication,
                partnership=partnership,
                actor=request.user,
                **form.cleaned_data,
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request,
                f"Your partnership's sign-off is recorded. {publication.partnership.name} "
                "has been told",
            )
            return redirect("publication:partner_sign_off", slug=partnership.slug, pk=pk)
    return render(
        request,
        "publication/staff/partner_sign_off.html",
        {
            "partnership": partnership,
            "publication": publication,
            "signed": signed,
            "can_sign": can_sign and signed is None,
            "sign_offs": rules.partner_sign_offs(publication),
            "form": form,
        },
    )
