"""Staff pages of the learning library, under /manage/<partnership>/library/.

Every member of the partnership reads the library; only the business unit changes it. Each
view: partnership (404 outside it) → permission (403) → form → one service → redirect with a
success message.
"""

from __future__ import annotations

import math

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeData, mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_safe

from safeguarding.accounts import selectors as account_selectors
from safeguarding.actions.models import Theme
from safeguarding.actions.services import themes_available
from safeguarding.core.errors import ServiceError
from safeguarding.core.files import file_response
from safeguarding.core.forms import posted, show_service_error
from safeguarding.core.pagination import pagination
from safeguarding.publication import selectors as publication_selectors
from safeguarding.publication.models import Publication

from . import national_libraries, permissions, selectors, services, themes_chart
from .forms import (
    FACETS,
    ArchiveForm,
    ImportForm,
    NationalReviewForm,
    RecordForm,
    SearchForm,
    SearchTermForm,
    SentForm,
    ThemesFilterForm,
)
from .models import LibraryRecord
from .rows import result_rows_html

PAGE_SIZE = 20
MAX_PAGE = 500


def _reader(request, slug: str):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    if not permissions.can_read_library(request.user, partnership):
        raise PermissionDenied("Only members of the partnership can read its library")
    return partnership


def _manager(request, slug: str):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    if not permissions.can_manage_library(request.user, partnership):
        raise PermissionDenied("Only the business unit can change the library")
    return partnership


def _record(request, slug: str, pk: int, *, manage: bool = False):
    """The record (404 for anyone who may not see it: ADR 0010), then 403 for a member who may
    not change it when ``manage``."""
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    record = selectors.record_get_for_user(user=request.user, partnership=partnership, pk=pk)
    if manage and not permissions.can_manage_library(request.user, partnership):
        raise PermissionDenied("Only the business unit can change the library")
    return partnership, record


def _to_record(record: LibraryRecord):
    return redirect("library:record", slug=record.partnership.slug, pk=record.pk)


# Search (shared with the public page) ----------------------------------------------------------


def _page_number(request) -> int:
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def _safe_snippet(snippet) -> str:
    """The engine's snippet is HTML-safe (escaped, with <mark> around matches)."""
    if not snippet:
        return ""
    return snippet if isinstance(snippet, SafeData) else mark_safe(str(snippet))


def run_search(request, partnership, *, public_only: bool) -> dict:
    """Read the query, filters and page from the GET form, search (or, with no query, list the
    records newest first), and return the context of a search page (staff or public)."""
    from . import search

    form = SearchForm(request.GET or None)
    chosen = form.filters()
    years = form.year_range()
    query = (request.GET.get("q") or "").strip()
    page = _page_number(request)
    offset = (page - 1) * PAGE_SIZE
    corrected = ""
    confident, query_years = None, ""
    if len(query) > 200:
        records, total, facets = [], 0, {}
    elif query:
        result = search.search_records(
            partnership,
            query,
            public_only=public_only,
            filters={**chosen, **years} or None,
            limit=PAGE_SIZE,
            offset=offset,
        )
        by_id = {hit.record_id: hit for hit in result.hits}
        records = selectors.records_in_order(
            partnership=partnership, ids=list(by_id), public_only=public_only
        )
        for record in records:
            record.snippet = _safe_snippet(by_id[record.pk].snippet)
            record.grouped = by_id[record.pk].grouped
        total, facets = result.total, result.facets
        corrected = result.corrected_query or ""
        if result.confident < total:
            confident = result.confident
        query_years = _years_text(result.year_from, result.year_to)
    else:
        records, total, facets = selectors.record_browse(
            partnership=partnership,
            filters={**chosen, **years},
            public_only=public_only,
            offset=offset,
            limit=PAGE_SIZE,
        )
    form.set_facets(facets, chosen)
    form.is_valid()
    pages = min(math.ceil(total / PAGE_SIZE), MAX_PAGE)
    labels = {name: label for name, label, _kind in FACETS}
    filter_tags = [
        {"facet": labels[name], "value": form.label_for(name, value)}
        for name, values in chosen.items()
        if name in labels
        for value in values
    ]
    if years:
        if "year_from" not in years:
            span = f"up to {years['year_to']}"
        elif "year_to" not in years:
            span = f"{years['year_from']} or later"
        else:
            span = f"{years['year_from']} to {years['year_to']}"
        filter_tags.append({"facet": "Years published", "value": span})
    return {
        "form": form,
        "query": query,
        "searched": bool(query or chosen),
        "records": records,
        "total": total,
        "page": page,
        "first_shown": offset + 1,
        "last_shown": offset + len(records),
        "pagination": pagination(request, page, pages),
        "corrected_query": corrected if corrected and corrected != query else "",
        "filter_tags": filter_tags,
        "confident": confident,
        "loose": total - confident if confident is not None else 0,
        "query_years": query_years,
    }


def _years_text(year_from: int | None, year_to: int | None) -> str:
    """The year range that the query's own words asked for, in words ("" if none)."""
    if year_from is not None and year_to is not None:
        if year_from == year_to:
            return f"published in {year_from}"
        return f"published from {year_from} to {year_to}"
    if year_from is not None:
        return f"published in {year_from} or later"
    if year_to is not None:
        return f"published in {year_to} or earlier"
    return ""


@require_safe
def search_page(request, slug: str):
    partnership = _reader(request, slug)
    public_only = not permissions.sees_non_public_records(request.user, partnership)
    context = run_search(request, partnership, public_only=public_only)
    context["rows"] = result_rows_html(
        context["records"],
        record_url="library:record",
        partnership=partnership,
        show_visibility=True,
    )
    return render(
        request,
        "library/search.html",
        {
            "partnership": partnership,
            "can_manage": permissions.can_manage_library(request.user, partnership),
            **context,
        },
    )


# One record ------------------------------------------------------------------------------------


def similar_to(record: LibraryRecord, partnership, *, public_only: bool) -> list[LibraryRecord]:
    """Similar reviews in the same library (public ones only on the public page)."""
    from . import similar

    # The ids only: the records are read here as the page shows them (one query, not two).
    ids = [
        pk
        for pk in similar.similar_record_ids(record, limit=5, public_only=public_only)
        if pk != record.pk
    ]
    return selectors.records_in_order(partnership=partnership, ids=ids, public_only=public_only)


def published_page(record: LibraryRecord) -> str:
    """The public page of an own record's publication, while it is published."""
    publication = record.publication
    if publication is None or publication.status != Publication.Status.PUBLISHED:
        return ""
    return reverse("published:detail", args=[record.partnership.slug, publication.pk])


@require_safe
def record_detail(request, slug: str, pk: int):
    partnership, record = _record(request, slug, pk)
    public_only = not permissions.sees_non_public_records(request.user, partnership)
    can_manage = permissions.can_manage_library(request.user, partnership)
    library = None
    if can_manage:
        try:
            library = services.submission_library(record)
        except ServiceError:
            library = None
    return render(
        request,
        "library/record.html",
        {
            "partnership": partnership,
            "record": record,
            "themes": list(record.themes.all()),
            "similar": similar_to(record, partnership, public_only=public_only),
            "published_url": published_page(record),
            "can_manage": can_manage,
            "library": library,
            "submission": getattr(record, "national_submission", None),
        },
    )


@require_http_methods(["GET", "POST"])
def record_add(request, slug: str):
    partnership = _manager(request, slug)
    form = RecordForm(
        posted(request),
        themes=themes_available(partnership),
        initial={"publisher": "", "is_public": "yes"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            record = services.record_add(
                partnership=partnership, actor=request.user, **form.record_values()
            )
        except ServiceError as error:
            _show_record_error(form, error)
        else:
            messages.success(request, f"‘{record.title}’ has been added to the library")
            return _to_record(record)
    return render(request, "library/record_form.html", {"partnership": partnership, "form": form})


def _show_record_error(form, error: ServiceError) -> None:
    if error.field == "themes":
        form.show_themes_error(error.message)
    else:
        show_service_error(form, error)


@require_http_methods(["GET", "POST"])
def record_edit(request, slug: str, pk: int):
    partnership, record = _record(request, slug, pk, manage=True)
    form = RecordForm(
        posted(request),
        themes=themes_available(partnership),
        chosen=list(record.themes.all()),
        initial=RecordForm.initial_for(record),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_update(record=record, actor=request.user, **form.record_values())
        except ServiceError as error:
            _show_record_error(form, error)
        else:
            messages.success(request, f"‘{record.title}’ has been changed")
            return _to_record(record)
    return render(
        request,
        "library/record_form.html",
        {"partnership": partnership, "form": form, "record": record},
    )


@require_http_methods(["GET", "POST"])
def record_archive(request, slug: str, pk: int):
    partnership, record = _record(request, slug, pk, manage=True)
    form = ArchiveForm(posted(request))
    if request.method == "POST" and form.is_valid():
        services.record_archive(record=record, actor=request.user)
        messages.success(request, f"‘{record.title}’ has been taken out of the library")
        return redirect("library:search", slug=partnership.slug)
    return render(
        request,
        "library/record_archive.html",
        {"partnership": partnership, "record": record, "form": form},
    )


# Import ----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def import_page(request, slug: str):
    partnership = _manager(request, slug)
    form = ImportForm(posted(request), request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            result = services.library_import(
                partnership=partnership, actor=request.user, source=uploaded, name=uploaded.name
            )
        except services.ImportRefused as refused:
            errors = refused.errors
            for error in errors:
                form.add_error(None, str(error))
            form.add_error("file", refused.message)
        else:
            messages.success(
                request,
                f"{result.total:,} record{'' if result.total == 1 else 's'} imported: "
                f"{result.created:,} new, {result.updated:,} updated",
            )
            return redirect("library:search", slug=partnership.slug)
    return render(
        request,
        "library/import.html",
        {"partnership": partnership, "form": form, "errors": errors},
    )


# National reviews ------------------------------------------------------------------------------


@require_safe
def national_reviews(request, slug: str):
    partnership = _reader(request, slug)
    return render(
        request,
        "library/national_reviews.html",
        {
            "partnership": partnership,
            "records": selectors.national_record_list(partnership=partnership),
            "can_manage": permissions.can_manage_library(request.user, partnership),
        },
    )


@require_http_methods(["GET", "POST"])
def national_review_add(request, slug: str):
    partnership = _manager(request, slug)
    form = NationalReviewForm(posted(request), themes=themes_available(partnership))
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k in form.base_fields}
        try:
            record = services.national_review_add(
                partnership=partnership,
                actor=request.user,
                themes=form.selected_themes(),
                **values,
            )
        except ServiceError as error:
            _show_record_error(form, error)
        else:
            messages.success(
                request,
                f"‘{record.title}’ is now in the library and on the public Reviews page",
            )
            return redirect("library:national_reviews", slug=partnership.slug)
    return render(
        request, "library/national_review_add.html", {"partnership": partnership, "form": form}
    )


@require_http_methods(["GET", "POST"])
def national_review_remove(request, slug: str, pk: int):
    """Take a national review off the public Reviews page; its library record leaves too."""
    partnership = _manager(request, slug)
    review = publication_selectors.national_review_get_live(partnership=partnership, pk=pk)
    if request.method == "POST":
        services.national_review_remove(review=review, actor=request.user)
        messages.success(
            request, f"‘{review.title}’ has been taken off the public page and out of the library"
        )
        return redirect("library:national_reviews", slug=partnership.slug)
    return render(
        request,
        "library/national_review_remove.html",
        {"partnership": partnership, "review": review},
    )


# Search terms ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def search_terms(request, slug: str):
    partnership = _manager(request, slug)
    form = SearchTermForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            term = services.search_term_add(
                partnership=partnership, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"Searches for ‘{term.term}’ now also find {term.expansion}")
            return redirect("library:search_terms", slug=partnership.slug)
    return render(
        request,
        "library/search_terms.html",
        {
            "partnership": partnership,
            "form": form,
            "own_terms": selectors.search_terms_own(partnership=partnership),
            "shared_terms": selectors.search_terms_shared(),
        },
    )


@require_http_methods(["GET", "POST"])
def search_term_remove(request, slug: str, pk: int):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    term = selectors.search_term_get_for_user(user=request.user, partnership=partnership, pk=pk)
    form = ArchiveForm(posted(request))
    if request.method == "POST" and form.is_valid():
        services.search_term_remove(search_term=term, actor=request.user)
        messages.success(request, f"‘{term.term}’ has been removed from your search terms")
        return redirect("library:search_terms", slug=partnership.slug)
    return render(
        request,
        "library/search_term_remove.html",
        {"partnership": partnership, "term": term, "form": form},
    )


# Themes by year --------------------------------------------------------------------------------


@require_safe
def themes_by_year(request, slug: str):
    partnership = _reader(request, slug)
    form = ThemesFilterForm(request.GET or None)
    facet = form.cleaned_data.get("facet", "") if form.is_bound and form.is_valid() else ""
    figures = selectors.themes_by_year(
        partnership=partnership,
        facet=facet,
        years_shown=selectors.THEME_YEARS_SHOWN,
        page=_page_number(request),
    )
    return render(
        request,
        "library/themes.html",
        {
            "partnership": partnership,
            "form": form,
            # Page 1 is the newest years; the links keep the group chosen (issue 16, ADR 0029).
            "pagination": pagination(request, figures.page, figures.pages),
            "facet_label": dict(Theme.Facet.choices).get(facet, ""),
            "figures": figures,
            "chart": themes_chart.draw(figures),
            "table_rows": themes_chart.table_rows(figures),
            "recurring": [row for row in figures.rows if row.recurring],
            "years_shown": selectors.THEME_YEARS_SHOWN,
        },
    )


# National library submissions ------------------------------------------------------------------


def _own_published(request, slug: str, pk: int):
    partnership, record = _record(request, slug, pk, manage=True)
    try:
        library = services.submission_library(record)
    except ServiceError as error:
        raise Http404(error.message) from None
    return partnership, record, library


@require_http_methods(["GET", "POST"])
def submission(request, slug: str, pk: int):
    partnership, record, library = _own_published(request, slug, pk)
    if request.method == "POST":
        page_url = request.build_absolute_uri(published_page(record))
        try:
            services.submission_prepare(record=record, actor=request.user, page_url=page_url)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"The submission to the {library.name} is ready to send")
        return redirect("library:submission", slug=partnership.slug, pk=record.pk)
    prepared = selectors.submission_for(record=record)
    return render(
        request,
        "library/submission.html",
        {
            "partnership": partnership,
            "record": record,
            "library": library,
            "submission": prepared,
            "rows": national_libraries.labelled(library, prepared.metadata) if prepared else [],
            "files": selectors.record_files(record=record),
        },
    )


@require_safe
def submission_download(request, slug: str, pk: int):
    _partnership, record, library = _own_published(request, slug, pk)
    prepared = selectors.submission_for(record=record)
    if prepared is None:
        raise Http404("Prepare the submission first")
    name = slugify(f"{library.code} {record.title}")[:80] or "submission"
    return file_response(
        request,
        content=national_libraries.submission_zip(prepared, selectors.record_files(record=record)),
        filename=f"{name}.zip",
        content_type="application/zip",
        audit_action="library.submission_downloaded",
        target=record,
        payload={"library": library.code},
    )


@require_http_methods(["GET", "POST"])
def submission_sent(request, slug: str, pk: int):
    partnership, record, library = _own_published(request, slug, pk)
    prepared = selectors.submission_for(record=record)
    if prepared is None:
        raise Http404("Prepare the submission first")
    form = SentForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.submission_record_sent(
                submission=prepared, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"Recorded as sent to the {library.name}")
            return redirect("library:submission", slug=partnership.slug, pk=record.pk)
    return render(
        request,
        "library/submission_sent.html",
        {
            "partnership": partnership,
            "record": record,
            "library": library,
            "submission": prepared,
            "form": form,
        },
    )
