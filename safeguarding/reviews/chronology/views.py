"""The merged chronology pages, under /manage/<partnership>/reviews/<pk>/chronology/.

- Merged view (with the timeline) and export: the business unit, partner leads, appointed
  reviewers and panel members see every agency's rows; an agency contributor whose agency was
  asked for a chronology sees only their own agency's rows. Anyone else gets 404, whether or not
  the review exists (ADR 0010).
- Real names instead of pseudonyms: business unit and partner leads only (?names=real), and
  every page shown with them is recorded in the audit trail.
- Adding rows (one at a time, or a file): the business unit for any agency on the review, an
  agency contributor for their own agency. The pseudonyms allowed are shown on the page and in
  the templates; a file that repeats rows or was uploaded before is held aside (``staging``)
  while the user chooses to replace the earlier rows, add only the new ones, or cancel.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from safeguarding.accounts import selectors as account_selectors
from safeguarding.core.errors import ServiceError
from safeguarding.core.files import file_response
from safeguarding.core.pagination import pagination

from ..models import ChronologyEntry, ChronologyUpload
from ..permissions import can_view_identities, can_view_review
from . import exports, parser, selectors, services, staging
from . import timeline as timeline_svg
from .forms import DuplicateChoiceForm, EntryForm, FilterForm, UploadForm
from .rows import chronology_rows_html

ERRORS_IN_SUMMARY = 25
REPEATED_ROWS_SHOWN = 25


def _chronology(request, slug: str, pk: int):
    """(partnership, review, scope): 404 for anyone who may not read the chronology, whether
    or not the review exists (ADR 0010); ``scope`` as ``selectors.Chronology``."""
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    chronology = selectors.chronology_get_for_user(
        user=request.user, partnership=partnership, pk=pk
    )
    return partnership, chronology.review, chronology.scope


def _review_url(review, partnership=None) -> str | None:
    """The review's page under ``partnership`` (the address the user came by: a partnership
    the case is shared with reads the chronology under its own, ADR 0022)."""
    try:
        return reverse("reviews:detail", args=[(partnership or review.partnership).slug, review.pk])
    except NoReverseMatch:
        return None


def _chronology_url(review, partnership=None) -> str:
    return reverse("reviews:chronology", args=[(partnership or review.partnership).slug, review.pk])


def _base_context(request, partnership, review) -> dict:
    return {
        "partnership": partnership,
        "review": review,
        "review_url": _review_url(review, partnership),
        "own_agency_only": not can_view_review(request.user, review, partnership),
    }


def _filters(request, review, kept: selectors.KeptMonths):
    agencies = kept.agencies
    people = selectors.people_in_case(review=review)
    bound = FilterForm.is_submitted(request.GET)
    form = FilterForm(request.GET if bound else None, agencies=agencies, people=people)
    return form, form.filters(), agencies, people


def _wants_real_names(request, review) -> bool:
    # The identities stay with the partnership that holds the case (ADR 0022).
    return request.GET.get("names") == "real" and can_view_identities(
        request.user, review.partnership
    )


def _filters_text(filters: selectors.Filters, agencies, people) -> str:
    parts = []
    if filters.agency_id:
        parts.append("agency " + next((a.name for a in agencies if a.pk == filters.agency_id), "?"))
    if filters.person_id:
        parts.append(
            "person " + next((p.pseudonym for p in people if p.pk == filters.person_id), "?")
        )
    if filters.date_from:
        parts.append(f"from {filters.date_from:%d/%m/%Y}")
    if filters.date_to:
        parts.append(f"to {filters.date_to:%d/%m/%Y}")
    if filters.significance:
        parts.append(
            "significance " + ChronologyEntry.Significance(filters.significance).label.lower()
        )
    return ", ".join(parts)


@never_cache
@require_safe
def merged(request, slug: str, pk: int):
    partnership, review, scope = _chronology(request, slug, pk)
    kept = selectors.kept_months(review=review, scope=scope)
    form, filters, agencies, _people = _filters(request, review, kept)
    personalised = _wants_real_names(request, review)
    if personalised:
        services.chronology_identities_shown(review=review, actor=request.user)

    qs = selectors.entries(review=review, scope=scope, filters=filters)
    summary = selectors.kept_summary(kept, filters=filters)
    if summary is None:
        summary = selectors.summary(qs, gap_days=filters.gap_days)
    # The whole chronology (no scope, no filter, pseudonyms): its page with the SQL built once.
    paginator = Paginator(
        selectors.EntryPage(
            qs,
            review=review,
            personalised=personalised,
            compiled=scope is None and not filters.active,
        ),
        selectors.PAGE_SIZE,
    )
    paginator.count = summary.total  # known from the summary: no second COUNT
    page = paginator.get_page(request.GET.get("page"))
    # The GOV.UK pagination component; its links keep the filters and the names chosen.
    page_links = pagination(request, page.number, paginator.num_pages)

    gaps_before = {gap.before: gap for gap in summary.gaps}
    show_proposed = selectors.shows_proposed_names(request.user, review, scope)
    rows, seen_days = [], set()
    for entry in page.object_list:
        day = entry.occurred_on
        if day in gaps_before and day not in seen_days:
            rows.append({"gap": gaps_before[day]})
        seen_days.add(day)
        rows.append(
            {
                "entry": entry,
                "people": [
                    selectors.person_label(person, personalised=personalised)
                    for person in entry.people.all()
                ]
                + [
                    selectors.proposed_label(proposal, shown=show_proposed)
                    for proposal in entry.pending_proposals
                ],
                "multi": day in summary.multi_agency_days,
            }
        )
    lane_agencies = [
        (agency.pk, agency.name)
        for agency in agencies
        if not filters.agency_id or agency.pk == filters.agency_id
    ]
    drawing = timeline_svg.draw(
        agencies=lane_agencies,
        groups=summary.groups,
        months=summary.months,
        gaps=summary.gaps,
        multi_agency_days=summary.multi_agency_days,
        gap_days=filters.gap_days,
    )
    query = request.GET.copy()
    query.pop("page", None)
    names_query = query.copy()
    names_query.pop("names", None)
    real_query = names_query.copy()
    real_query["names"] = "real"
    return render(
        request,
        "reviews/chronology/merged.html",
        {
            **_base_context(request, partnership, review),
            "form": form,
            "filters": filters,
            "page": page,
            "pagination": page_links,
            "rows": rows,
            "rows_html": chronology_rows_html(rows),
            "summary": summary,
            "timeline": drawing,
            "query": query.urlencode(),
            "pseudonym_query": names_query.urlencode(),
            "real_query": real_query.urlencode(),
            "personalised": personalised,
            "own_agency_only": scope is not None,
            "can_view_identities": can_view_identities(request.user, review.partnership),
            "can_add": services.can_add_chronology(request.user, review),
            "agency_count": len(agencies),
            "export_formats": [
                ("xlsx", "Excel workbook"),
                ("docx", "Word document"),
                ("pdf", "PDF"),
            ],
        },
    )


@never_cache
@require_safe
def export(request, slug: str, pk: int):
    partnership, review, scope = _chronology(request, slug, pk)
    fmt = request.GET.get("format", "xlsx")  # Excel unless another format is asked for
    if fmt not in exports.FORMATS:
        raise Http404("Choose a format: xlsx, docx or pdf")
    kept = selectors.kept_months(review=review, scope=scope)
    _form, filters, agencies, people = _filters(request, review, kept)
    personalised = _wants_real_names(request, review)
    qs = selectors.entries(review=review, scope=scope, filters=filters)
    summary = selectors.kept_summary(kept, filters=filters)
    if summary is None:
        summary = selectors.summary(qs, gap_days=filters.gap_days)
    limit = exports.MAX_ROWS.get(fmt)
    if limit is not None and summary.total > limit:
        label = "Word" if fmt == "docx" else "PDF"
        messages.error(
            request,
            f"A {label} export can have at most {limit:,} entries and these filters give "
            f"{summary.total:,}. Narrow the filters, or export to Excel",
        )
        query = request.GET.copy()
        query.pop("format", None)
        return redirect(f"{_chronology_url(review, partnership)}?{query.urlencode()}")
    rows = selectors.export_rows(
        qs,
        personalised=personalised,
        show_proposed=selectors.shows_proposed_names(request.user, review, scope),
    )
    context = exports.ExportContext(
        title=str(review),
        partnership=partnership.name,
        personalised=personalised,
        filters_text=_filters_text(filters, agencies, people),
        multi_agency_days=summary.multi_agency_days,
    )
    content_type, extension = exports.FORMATS[fmt]
    name = f"chronology-{slugify(review.reference)}-{datetime.date.today():%Y%m%d}"
    if personalised:
        name += "-real-names"
    return file_response(
        request,
        content=exports.render(fmt, rows, context),
        filename=f"{name}.{extension}",
        content_type=content_type,
        audit_action="chronology.exported",
        target=review,
        payload={
            "format": fmt,
            "rows": summary.total,
            "names": "real" if personalised else "pseudonyms",
            "filters": filters.as_payload(),
        },
    )


@require_safe
def template(request, slug: str, pk: int):
    _partnership, review, _scope = _chronology(request, slug, pk)
    fmt = request.GET.get("format", "csv")
    pseudonyms = selectors.allowed_pseudonyms(review=review)
    if fmt == "csv":
        content, content_type = parser.template_csv(pseudonyms), "text/csv"
    elif fmt == "xlsx":
        content, content_type = parser.template_xlsx(pseudonyms), exports.FORMATS["xlsx"][0]
    else:
        raise Http404("Choose a format: csv or xlsx")
    return file_response(
        request,
        content=content,
        filename=f"chronology-template-{slugify(review.reference)}.{fmt}",
        content_type=content_type,
        audit_action="chronology.template_downloaded",
        target=review,
        payload={"format": fmt},
    )


def _agencies_for_adding(request, review):
    agencies = services.agencies_user_may_add_for(request.user, review)
    if not agencies:
        if review.is_read_only:
            raise PermissionDenied("The review is signed off: its chronology cannot change")
        raise PermissionDenied("You cannot add to this review's chronology")
    return agencies


@require_http_methods(["GET", "POST"])
def add(request, slug: str, pk: int):
    partnership, review, _scope = _chronology(request, slug, pk)
    agencies = _agencies_for_adding(request, review)
    allowed = selectors.allowed_pseudonyms(review=review)
    posted = request.POST if request.method == "POST" else None
    form = EntryForm(posted, agencies=agencies, people=allowed)
    if posted is not None and form.is_valid():
        try:
            services.chronology_entry_add(
                review=review,
                agency=form.chosen_agency,
                row=form.row(),
                actor=request.user,
                allow_duplicate=form.duplicate_confirmed,
            )
        except services.DuplicateEntry as error:
            form.warn_duplicate(error.message)
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"Chronology entry added for {form.chosen_agency}")
            if "add_another" in request.POST:
                return redirect(reverse("reviews:chronology_add", args=[slug, pk]))
            return redirect(_chronology_url(review))
    return render(
        request,
        "reviews/chronology/add.html",
        {**_base_context(request, partnership, review), "form": form},
    )


def _imported_message(upload: ChronologyUpload, parsed: parser.Parsed) -> str:
    added, agency = upload.rows_added, upload.agency
    entries = f"entr{'ies' if added != 1 else 'y'}"
    if upload.outcome == ChronologyUpload.Outcome.NEW_ROWS_ONLY:
        skipped = upload.rows_not_added
        text = (
            f"{added:,} new chronology {entries} imported for {agency}. {skipped:,} "
            f"row{'s' if skipped != 1 else ''} already in the chronology "
            f"{'was' if skipped == 1 else 'were'} not added again"
        )
    elif upload.outcome == ChronologyUpload.Outcome.REPLACED_EARLIER:
        archived = upload.rows_archived
        text = (
            f"{added:,} chronology {entries} imported for {agency}. {archived:,} earlier "
            f"row{'s' if archived != 1 else ''} {'was' if archived == 1 else 'were'} replaced "
            "and archived"
        )
    else:
        text = f"{added:,} chronology {entries} imported for {agency}"
    names = parsed.proposed_names
    if names:
        listed = ", ".join(f"“{name}”" for name in names)
        text += (
            f". {listed} {'is' if len(names) == 1 else 'are'} not yet "
            f"{'a person' if len(names) == 1 else 'people'} in the case: the business unit "
            "will confirm"
        )
    return text


def _upload_page(request, partnership, review, form, allowed, row_errors=(), extra_errors=()):
    summary_items = [{"text": message, "href": "#id_file"} for message in extra_errors]
    for name in ("agency", "file"):
        anchor = "id_agency_0" if name == "agency" else "id_file"
        summary_items += [
            {"text": message, "href": f"#{anchor}"} for message in form.errors.get(name, [])
        ]
    summary_items += [
        {"text": str(error), "href": f"#row-error-{index}"}
        for index, error in enumerate(row_errors[:ERRORS_IN_SUMMARY], start=1)
    ]
    return render(
        request,
        "reviews/chronology/upload.html",
        {
            **_base_context(request, partnership, review),
            "form": form,
            "row_errors": row_errors,
            "summary_items": summary_items,
            "more_errors": max(0, len(row_errors) - ERRORS_IN_SUMMARY),
            "columns": parser.COLUMNS,
            "max_rows": parser.MAX_ROWS,
            "allowed_pseudonyms": allowed,
            "max_pseudonym_chars": parser.MAX_PSEUDONYM_CHARS,
        },
    )


def _row_errors_message(row_errors) -> str:
    count = len(row_errors)
    rows = len({error.row for error in row_errors})
    return (
        f"{count:,} problem{'s' if count != 1 else ''} in {rows:,} "
        f"row{'s' if rows != 1 else ''}: nothing was imported. Correct the file "
        "and upload it again"
    )


def _choice_page(request, partnership, review, *, agency, staged, duplicates, form):
    """The GOV.UK page shown before anything is saved when a file repeats the chronology."""
    return render(
        request,
        "reviews/chronology/upload_duplicates.html",
        {
            **_base_context(request, partnership, review),
            "agency": agency,
            "staged": staged,
            "duplicates": duplicates,
            "repeated_rows": duplicates.repeated_rows[:REPEATED_ROWS_SHOWN],
            "more_repeated": max(0, len(duplicates.repeated_rows) - REPEATED_ROWS_SHOWN),
            "form": form,
        },
    )


@require_http_methods(["GET", "POST"])
def upload(request, slug: str, pk: int):
    partnership, review, _scope = _chronology(request, slug, pk)
    agencies = _agencies_for_adding(request, review)
    allowed = selectors.allowed_pseudonyms(review=review)
    known = [item.pseudonym for item in allowed]
    if request.method == "POST" and request.POST.get("staged"):
        return _upload_choice(request, partnership, review, agencies, allowed)
    posted = request.method == "POST"
    form = UploadForm(
        request.POST if posted else None, request.FILES if posted else None, agencies=agencies
    )
    row_errors: list[parser.RowError] = []
    if posted and form.is_valid():
        uploaded = form.cleaned_data["file"]
        agency = form.chosen_agency
        try:
            parsed = parser.parse_upload(uploaded, known_people=known)
        except parser.ChronologyFileError as error:
            form.add_error("file", error.message)
        else:
            if parsed.errors:
                row_errors = parsed.errors
                form.add_error("file", _row_errors_message(row_errors))
            else:
                content_hash = staging.file_sha256(uploaded)
                try:
                    imported = services.chronology_import(
                        review=review,
                        agency=agency,
                        rows=parsed.rows,
                        actor=request.user,
                        file=uploaded,
                        file_name=uploaded.name or "",
                        content_hash=content_hash,
                    )
                except services.DuplicatesFound as found:
                    staged = staging.stage(
                        uploaded=uploaded,
                        review=review,
                        agency=agency,
                        user=request.user,
                        content_hash=content_hash,
                    )
                    return _choice_page(
                        request,
                        partnership,
                        review,
                        agency=agency,
                        staged=staged,
                        duplicates=found.duplicates,
                        form=DuplicateChoiceForm(duplicates=found.duplicates),
                    )
                except ServiceError as error:
                    field = error.field if error.field in form.fields else "file"
                    form.add_error(field, error.message)
                else:
                    messages.success(request, _imported_message(imported, parsed))
                    return redirect(_chronology_url(review))
    return _upload_page(request, partnership, review, form, allowed, row_errors)


def _upload_choice(request, partnership, review, agencies, allowed):
    """The user's choice for a file held aside because it repeats the chronology. Everything
    is checked again (the chronology may have changed meanwhile); nothing changes unless they
    choose to import."""
    staged = staging.staged_get(token=request.POST["staged"], review=review, user=request.user)
    agency = next((a for a in agencies if staged and a.pk == staged.agency_id), None)
    if staged is None or agency is None:
        return _upload_page(
            request,
            partnership,
            review,
            UploadForm(agencies=agencies),
            allowed,
            extra_errors=["The file you uploaded is no longer available: upload it again"],
        )
    with staged.open() as handle:
        try:
            parsed = parser.parse_upload(handle, known_people=[a.pseudonym for a in allowed])
        except parser.ChronologyFileError as error:
            parsed, file_error = None, error.message
        else:
            file_error = _row_errors_message(parsed.errors) if parsed.errors else ""
        if file_error:  # checked before it was held aside; read again, as it is imported
            staging.discard(staged)
            return _upload_page(
                request,
                partnership,
                review,
                UploadForm(agencies=agencies),
                allowed,
                row_errors=parsed.errors if parsed else [],
                extra_errors=[file_error],
            )
        duplicates = selectors.duplicates_find(
            review=review, agency=agency, rows=parsed.rows, content_hash=staged.content_hash
        )
        form = DuplicateChoiceForm(request.POST, duplicates=duplicates)
        if form.is_valid():
            choice = form.cleaned_data["choice"]
            if choice == DuplicateChoiceForm.CANCEL:
                services.chronology_import_cancel(
                    review=review,
                    agency=agency,
                    actor=request.user,
                    file_name=staged.name,
                    duplicates=duplicates,
                )
                handle.close()
                staging.discard(staged)
                messages.success(request, f"Nothing was imported from {staged.name}")
                return redirect(_chronology_url(review))
            try:
                imported = services.chronology_import(
                    review=review,
                    agency=agency,
                    rows=parsed.rows,
                    actor=request.user,
                    file=handle,
                    file_name=staged.name,
                    content_hash=staged.content_hash,
                    on_duplicates=(
                        services.REPLACE
                        if choice == DuplicateChoiceForm.REPLACE
                        else services.NEW_ONLY
                    ),
                )
            except ServiceError as error:
                form.add_error("choice", error.message)
            else:
                handle.close()
                staging.discard(staged)
                messages.success(request, _imported_message(imported, parsed))
                return redirect(_chronology_url(review))
    return _choice_page(
        request,
        partnership,
        review,
        agency=agency,
        staged=staged,
        duplicates=duplicates,
        form=form,
    )


@require_safe
def upload_file(request, slug: str, pk: int, upload_pk: int):
    """An imported chronology file as it was uploaded (audited like every staff download)."""
    partnership, review, scope = _chronology(request, slug, pk)
    upload = selectors.upload_get(review=review, scope=scope, pk=upload_pk)
    content_type = (
        exports.FORMATS["xlsx"][0]
        if upload.file_kind == ChronologyUpload.Kind.XLSX
        else "text/csv; charset=utf-8"
    )
    return file_response(
        request,
        content=upload.file,
        filename=upload.file_name or f"chronology.{upload.file_kind or 'csv'}",
        content_type=content_type,
        audit_action="chronology.file_downloaded",
        target=upload,
        partnership=partnership,
        payload={"review": review.pk, "agency": upload.agency_id},
    )
