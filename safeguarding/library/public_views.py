"""Public pages of the learning library (no sign-in): search over the partnership's public
records, a page per public record, and a read-only JSON list of the public records in the
documented schema (docs/library-schema.md), for national libraries to collect."""

from __future__ import annotations

import math

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from safeguarding.accounts import selectors as account_selectors
from safeguarding.core.text import printable

from . import selectors
from .importing import FIELDS
from .rows import result_rows_html
from .views import published_page, run_search, similar_to

SCHEMA = "library-record/1"


@login_not_required
@require_safe
def search_page(request, slug: str):
    partnership = account_selectors.partnership_get_public(slug=slug)
    context = run_search(request, partnership, public_only=True)
    context["rows"] = result_rows_html(
        context["records"],
        record_url="library_public:record",
        partnership=partnership,
        show_visibility=False,
    )
    return render(request, "library/public/search.html", {"partnership": partnership, **context})


@login_not_required
@require_safe
def record_detail(request, slug: str, pk: int):
    partnership = account_selectors.partnership_get_public(slug=slug)
    record = selectors.record_get_public(partnership=partnership, pk=pk)
    return render(
        request,
        "library/public/record.html",
        {
            "partnership": partnership,
            "record": record,
            "themes": list(record.themes.all()),
            "similar": similar_to(record, partnership, public_only=True),
            "published_url": published_page(record),
        },
    )


def record_document(request, record) -> dict:
    """One record in the library schema (the fields an import reads, in the same order)."""
    url = record.url
    if not url and record.publication_id is not None:
        url = request.build_absolute_uri(
            reverse("published:detail", args=[record.partnership.slug, record.publication_id])
        )
    values = {
        "external_id": record.external_id,
        "title": record.title,
        "review_type": record.review_type,
        "publisher": record.publisher,
        "year": record.year,
        "published_on": record.published_on.isoformat() if record.published_on else None,
        "age_group": record.age_group,
        "themes": record.theme_names,  # read with the page (selectors.record_list_public_page)
        "summary": record.summary,
        "learning": record.learning,
        "recommendations": record.recommendations,
        "full_text": record.full_text,
        "url": url,
        "is_public": record.is_public,
    }
    return {name: printable(values[name]) for name in FIELDS}


@login_not_required
@require_safe
def records_json(request, slug: str):
    partnership = account_selectors.partnership_get_public(slug=slug)
    raw_page = request.GET.get("page", "1")
    if (
        not (raw_page.isascii() and raw_page.isdecimal() and len(raw_page) <= 6)
        or int(raw_page) < 1
    ):
        return JsonResponse({"error": "page must be a whole number, 1 or more"}, status=400)
    page = int(raw_page)
    records, count = selectors.record_list_public_page(partnership=partnership, page=page)
    size = selectors.JSON_PAGE_SIZE
    pages = max(1, math.ceil(count / size))
    if page > pages:
        return JsonResponse({"error": f"There are {pages} pages"}, status=404)
    base = printable(
        request.build_absolute_uri(reverse("library_public:json", args=[partnership.slug]))
    )
    for record in records:
        record.partnership = partnership
    # Open data is read by other systems: no control characters, whatever was stored (the
    # values cleaned, not the schema's own names).
    document = {
        "schema": SCHEMA,
        "documentation": "docs/library-schema.md",
        "partnership": printable({"name": partnership.name, "slug": partnership.slug}),
        "count": count,
        "page": page,
        "pages": pages,
        "page_size": size,
        "next": f"{base}?page={page + 1}" if page < pages else None,
        "previous": f"{base}?page={page - 1}" if page > 1 else None,
        "records": [record_document(request, record) for record in records],
    }
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False})
