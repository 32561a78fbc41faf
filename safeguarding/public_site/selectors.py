from dataclasses import dataclass

from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404

from safeguarding.accounts.models import Partnership
from safeguarding.core.compiled_sql import PARTNERSHIP_PLACEHOLDER, CompiledQuery
from safeguarding.core.pagination import CompiledList
from safeguarding.core.uploads import KINDS

from .models import ContentBlock, PublicDocument


def content_block_list(*, partnership: Partnership) -> QuerySet[ContentBlock]:
    return ContentBlock.objects.filter(partnership=partnership).order_by("position", "id")


# The Reviews page's reads, with their SQL built once (issue 16, core.compiled_sql).
_PARTNERSHIP_ID = {"partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk)}
_SECTIONS = CompiledQuery(
    lambda partnership_id: content_block_list(
        partnership=Partnership(pk=partnership_id)
    ).values_list("pk", "heading", "body"),
    _PARTNERSHIP_ID,
)


def content_block_sections(*, partnership: Partnership) -> list[tuple[int, str, str]]:
    """(key, heading, body) of each section of the public page, in order: what the Reviews
    page shows of them (``rows.section_rows_html``), without making a model of each."""
    return _SECTIONS.read_rows(partnership_id=partnership.pk)


def content_block_get(*, partnership: Partnership, pk: int) -> ContentBlock:
    try:
        return ContentBlock.objects.get(partnership=partnership, pk=pk)
    except ContentBlock.DoesNotExist:
        raise Http404("No such section") from None


def public_document_list_live(*, partnership: Partnership) -> QuerySet[PublicDocument]:
    """Documents shown on the public page: not archived."""
    return PublicDocument.objects.filter(partnership=partnership, archived_at__isnull=True)


def public_document_get_live(*, partnership: Partnership, pk: int) -> PublicDocument:
    try:
        return public_document_list_live(partnership=partnership).get(pk=pk)
    except PublicDocument.DoesNotExist:
        raise Http404("No such document") from None


# The Reviews page shows each category's newest documents, up to this many, and links to the
# category's page of every live document (issue 16: the page stays the same size whatever the
# years of documents a partnership keeps live).
DOCUMENTS_SHOWN = 5


@dataclass(slots=True)
class ListedDocument:
    """A live document as the Reviews page lists it: the columns shown, no model made."""

    pk: int
    title: str
    file_kind: str
    size_bytes: int

    @property
    def kind(self):
        return KINDS[self.file_kind]


@dataclass
class DocumentGroup:
    category: str
    label: str
    documents: list[ListedDocument]  # the newest DOCUMENTS_SHOWN, newest first
    live: int  # how many of the category are live

    @property
    def more(self) -> bool:
        return self.live > len(self.documents)


def _newest_by_category(partnership: Partnership) -> QuerySet[PublicDocument]:
    newest_first = (F("created_at").desc(), F("id").desc())
    return (
        public_document_list_live(partnership=partnership)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("category")], order_by=newest_first),
            live_in_category=Window(Count("pk"), partition_by=[F("category")]),
        )
        .filter(rank__lte=DOCUMENTS_SHOWN)
        .order_by("category", "rank")
    )


_GROUP_COLUMNS = ("id", "title", "category", "file_kind", "size_bytes", "live_in_category")
_GROUPS = CompiledQuery(
    lambda partnership_id: _newest_by_category(Partnership(pk=partnership_id)).values_list(
        *_GROUP_COLUMNS
    ),
    _PARTNERSHIP_ID,
)


def public_document_groups(*, partnership: Partnership) -> list[DocumentGroup]:
    """For each category, in the category order (empty ones left out): its newest live
    documents, up to ``DOCUMENTS_SHOWN``, and how many are live. One query: each category's
    rows numbered and counted by window functions, only the first ``DOCUMENTS_SHOWN`` read
    (SQL built once; each row made a document with the columns shown)."""
    by_category: dict[str, list[ListedDocument]] = {}
    live: dict[str, int] = {}
    for pk, title, category, file_kind, size_bytes, live_in_category in _GROUPS.read_rows(
        partnership_id=partnership.pk
    ):
        document = ListedDocument(pk, title, file_kind, size_bytes)
        by_category.setdefault(category, []).append(document)
        live[category] = live_in_category
    return [
        DocumentGroup(
            category=category.value,
            label=category.label,
            documents=by_category[category.value],
            live=live[category.value],
        )
        for category in PublicDocument.Category
        if category.value in by_category
    ]


def public_document_list_page(
    *, partnership: Partnership, category: str | None = None
) -> QuerySet[PublicDocument]:
    """Every live document (of ``category``, if given), by title: the documents page."""
    documents = public_document_list_live(partnership=partnership)
    if category:
        documents = documents.filter(category=category)
    return documents.only(
        "id", "partnership_id", "title", "category", "file_kind", "size_bytes"
    ).order_by("title", "id")


# The documents page's pages: SQL built once for each filter and each of the first pages (issue
# 16, core.pagination.CompiledList).
DOCUMENT_PAGES = CompiledList(
    lambda partnership_id, **filters: public_document_list_page(
        partnership=Partnership(pk=partnership_id), **filters
    ),
    {
        **_PARTNERSHIP_ID,
        "category": (
            "compiled-sql-category-placeholder",
            PublicDocument._meta.get_field("category"),
        ),
    },
)


def public_document_page(request, *, partnership: Partnership, category: str | None = None):
    """The requested page of ``public_document_list_page`` and its pagination links (one
    query)."""
    filters = {"category": category} if category else {}
    return DOCUMENT_PAGES.page(request, partnership_id=partnership.pk, **filters)
