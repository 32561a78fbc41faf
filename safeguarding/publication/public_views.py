"""Public pages of published reviews: the archive, a page per review, its files, an Atom feed.
Every view reads the day from ``timezone.localdate()`` so the lists are right on the day."""

from datetime import datetime, time

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from safeguarding.accounts import selectors as account_selectors
from safeguarding.core.files import file_response
from safeguarding.core.forms import GovukForm
from safeguarding.core.links import row_link
from safeguarding.core.text import printable

from . import atom, public_selectors
from .rows import archive_rows_html

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class ArchiveFilterForm(GovukForm):
    type = forms.ChoiceField(label="Review type", required=False)
    year = forms.IntegerField(
        label="Year published",
        required=False,
        min_value=2000,
        error_messages={"invalid": "Enter the year as 4 digits, for example 2024"},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "class": "govuk-input govuk-input--width-4"}
        ),
    )

    def __init__(self, *args, partnership, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["type"].choices = [("", "All types")] + [
            (t.value, public_selectors.review_type_label(partnership, t.value, today))
            for t in partnership.review_types
        ]

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year is not None and year > self.today.year:
            raise forms.ValidationError(f"The year must be {self.today.year} or earlier")
        return year


@login_not_required
@require_safe
def archive(request, slug: str):
    partnership = account_selectors.partnership_get_public(slug=slug)
    today = timezone.localdate()
    form = ArchiveFilterForm(request.GET or None, partnership=partnership, today=today)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    # One query for the page and the count, so an empty archive makes the same queries; the
    # count apart, so the page is read newest first through an index (issue 16).
    page, pagination = public_selectors.archive_page(
        request,
        partnership=partnership,
        today=today,
        type=filters.get("type") or None,
        year=filters.get("year") or None,
    )
    items = list(page.object_list)
    dardr_from = public_selectors.dardr_name_from(partnership)
    detail = row_link("published:detail", partnership.slug)
    for item in items:
        item.type_label = public_selectors.review_type_label(
            partnership, item.review_type, today, dardr_from=dardr_from
        )
        item.url = detail(item.pk)
    return render(
        request,
        "publication/public/archive.html",
        {
            "partnership": partnership,
            "form": form,
            "items": items,
            "rows": archive_rows_html(items),
            "page": page,
            "pagination": pagination,
            "filtered": bool(filters.get("type") or filters.get("year")),
        },
    )


@login_not_required
@require_safe
def detail(request, slug: str, pk: int):
    partnership = account_selectors.partnership_get_public(slug=slug)
    today = timezone.localdate()
    item = public_selectors.publication_get_public(partnership=partnership, pk=pk, today=today)
    return render(
        request,
        "publication/public/detail.html",
        {
            "partnership": partnership,
            "item": item,
            "type_label": public_selectors.review_type_label(
                partnership, item.publication.review_type, today
            ),
        },
    )


@login_not_required
@require_safe
def file_download(request, slug: str, pk: int, file_pk: int):
    partnership = account_selectors.partnership_get_public(slug=slug)
    published_file = public_selectors.publication_file_get_public(
        partnership=partnership, pk=pk, file_pk=file_pk, today=timezone.localdate()
    )
    return file_response(
        request,
        content=published_file.file,
        filename=published_file.original_name,
        content_type=CONTENT_TYPES.get(published_file.file_kind, "application/octet-stream"),
        public=True,
    )


@login_not_required
@require_safe
def feed(request, slug: str):
    partnership = account_selectors.partnership_get_public(slug=slug)
    today = timezone.localdate()
    dardr_from = public_selectors.dardr_name_from(partnership)
    detail = row_link("published:detail", partnership.slug)
    origin = request.build_absolute_uri("/").removesuffix("/")  # scheme and host
    entries = []
    for item in public_selectors.feed_items(partnership=partnership, today=today):
        revised = item.latest_at is not None
        published = item.published_at
        if published is None or timezone.localdate(published) != item.publish_on:
            published = timezone.make_aware(datetime.combine(item.publish_on, time(9)))
        updated = item.latest_at if revised else published
        label = public_selectors.review_type_label(
            partnership, item.review_type, today, dardr_from=dardr_from
        )
        # XML 1.0 cannot hold control characters: every text goes through ``printable``.
        entries.append(
            atom.Entry(
                title=printable(item.latest_title if revised else item.title),
                link=origin + detail(item.pk),
                summary=printable((item.latest_summary if revised else item.summary) or label),
                published=published,
                updated=max(updated, published),
                category=printable(label),
            )
        )
    # Written in one pass (publication/atom.py): the characters Django's Atom1Feed wrote.
    document = atom.atom_feed(
        title=printable(f"{partnership.name}: published reviews"),
        link=request.build_absolute_uri(reverse("public_site:reviews", args=[partnership.slug])),
        feed_url=request.build_absolute_uri(),
        language="en-gb",
        entries=entries,
    )
    return HttpResponse(document.encode(), content_type="application/atom+xml; charset=utf-8")
