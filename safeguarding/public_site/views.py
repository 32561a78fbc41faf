from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from safeguarding.accounts import selectors as account_selectors
from safeguarding.core.files import file_response
from safeguarding.core.links import row_link
from safeguarding.core.pagination import paginate
from safeguarding.publication import public_selectors
from safeguarding.publication.rows import published_rows_html
from safeguarding.publication.selectors import national_review_list_shown

from . import rows, selectors, services
from .forms import ContentBlockForm, DocumentFilterForm, DocumentUploadForm
from .models import PublicDocument
from .permissions import can_manage_public_page

# Public pages -------------------------------------------------------------------------------


@login_not_required
@require_safe
def home(request):
    partnerships = account_selectors.partnership_list_public_rows()
    return render(
        request,
        "public_site/home.html",
        {"partnerships": partnerships, "rows": rows.partnership_rows_html(partnerships)},
    )


@login_not_required
@require_safe
def reviews(request, slug: str):
    partnership = account_selectors.partnership_get_public(slug=slug)
    # Issue 5: published reviews per type, right on the day the page is viewed (R35: every one
    # published in the last 12 months).
    published_sections = public_selectors.published_by_type(
        partnership=partnership, today=timezone.localdate()
    )
    detail = row_link("published:detail", partnership.slug)
    for section in published_sections:
        section["rows"] = published_rows_html(section["items"], detail)
    document_groups = selectors.public_document_groups(partnership=partnership)
    download = row_link("public_site:document_download", partnership.slug)
    for group in document_groups:
        group.rows = rows.newest_document_rows_html(group.documents, download)
    national_reviews = national_review_list_shown(partnership=partnership)
    return render(
        request,
        "public_site/reviews.html",
        {
            "partnership": partnership,
            "sections": rows.section_rows_html(
                selectors.content_block_sections(partnership=partnership)
            ),
            "document_groups": document_groups,
            "national_reviews": national_reviews,
            "national_rows": rows.national_review_rows_html(national_reviews),
            "published_sections": published_sections,
        },
    )


@login_not_required
@require_safe
def documents(request, slug: str):
    """Every live document of the partnership's public page, by title, a page at a time, with a
    filter by category kept across the pages. The Reviews page shows each category's newest."""
    partnership = account_selectors.partnership_get_public(slug=slug)
    form = DocumentFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    category = filters.get("category") or None
    page, pagination = selectors.public_document_page(
        request, partnership=partnership, category=category
    )
    download = row_link("public_site:document_download", partnership.slug)
    return render(
        request,
        "public_site/documents.html",
        {
            "partnership": partnership,
            "form": form,
            "documents": page.object_list,
            "rows": rows.document_rows_html(page.object_list, download),
            "page": page,
            "pagination": pagination,
            "category_label": PublicDocument.Category(category).label if category else "",
        },
    )


@login_not_required
@require_safe
def document_download(request, slug: str, pk: int):
    partnership = account_selectors.partnership_get_public(slug=slug)
    document = selectors.public_document_get_live(partnership=partnership, pk=pk)
    return file_response(
        request,
        content=document.file,
        filename=document.original_name,
        content_type=document.kind.content_type,
        public=True,
    )


@login_not_required
@require_safe
def accessibility(request):
    return render(request, "public_site/accessibility.html")


@login_not_required
@require_safe
def privacy(request):
    return render(request, "public_site/privacy.html")


# Staff pages: editing the public page -------------------------------------------------------


def _partnership_for_editor(request, slug: str):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    if not can_manage_public_page(request.user, partnership):
        raise PermissionDenied("Only the business unit can change the public page")
    return partnership


@require_safe
def manage(request, slug: str):
    partnership = _partnership_for_editor(request, slug)
    page, pagination = paginate(
        request,
        selectors.public_document_list_live(partnership=partnership).order_by(
            "category", "title", "id"
        ),
    )
    return render(
        request,
        "public_site/manage.html",
        {
            "partnership": partnership,
            "blocks": selectors.content_block_list(partnership=partnership),
            "documents": page.object_list,
            "document_rows": rows.managed_document_rows_html(
                page.object_list, slug=partnership.slug
            ),
            "pagination": pagination,
        },
    )


@require_http_methods(["GET", "POST"])
def block_add(request, slug: str):
    partnership = _partnership_for_editor(request, slug)
    next_position = (
        max((b.position for b in selectors.content_block_list(partnership=partnership)), default=0)
        + 10
    )
    form = ContentBlockForm(
        request.POST or None, partnership=partnership, initial={"position": next_position}
    )
    if request.method == "POST" and form.is_valid():
        block = services.content_block_create(
            partnership=partnership, actor=request.user, **form.cleaned_data
        )
        messages.success(request, f"Section ‘{block.heading}’ added to the public page")
        return redirect("public_page:manage", slug=partnership.slug)
    return render(
        request,
        "public_site/block_form.html",
        {"partnership": partnership, "form": form, "adding": True},
    )


@require_http_methods(["GET", "POST"])
def block_edit(request, slug: str, pk: int):
    partnership = _partnership_for_editor(request, slug)
    block = selectors.content_block_get(partnership=partnership, pk=pk)
    initial = {f: getattr(block, f) for f in services.BLOCK_FIELDS}
    form = ContentBlockForm(request.POST or None, partnership=partnership, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.content_block_update(block=block, actor=request.user, **form.cleaned_data)
        messages.success(request, f"Section ‘{block.heading}’ saved")
        return redirect("public_page:manage", slug=partnership.slug)
    return render(
        request,
        "public_site/block_form.html",
        {"partnership": partnership, "form": form, "block": block},
    )


@require_http_methods(["GET", "POST"])
def document_upload(request, slug: str):
    partnership = _partnership_for_editor(request, slug)
    form = DocumentUploadForm(request.POST or None, request.FILES or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        document = services.public_document_upload(
            partnership=partnership,
            actor=request.user,
            title=form.cleaned_data["title"],
            category=form.cleaned_data["category"],
            review_type=form.cleaned_data["review_type"],
            uploaded=form.cleaned_data["file"],
            kind=form.kind,
        )
        messages.success(request, f"‘{document.title}’ is now on the public page")
        return redirect("public_page:manage", slug=partnership.slug)
    return render(
        request, "public_site/document_upload.html", {"partnership": partnership, "form": form}
    )


@require_http_methods(["GET", "POST"])
def document_archive(request, slug: str, pk: int):
    partnership = _partnership_for_editor(request, slug)
    document = selectors.public_document_get_live(partnership=partnership, pk=pk)
    if request.method == "POST":
        services.public_document_archive(document=document, actor=request.user)
        messages.success(request, f"‘{document.title}’ has been taken off the public page")
        return redirect("public_page:manage", slug=partnership.slug)
    return render(
        request,
        "public_site/document_archive.html",
        {"partnership": partnership, "document": document},
    )
