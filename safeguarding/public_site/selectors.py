from django.db.models import QuerySet
from django.http import Http404

from safeguarding.accounts.models import Partnership

from .models import ContentBlock, PublicDocument


def content_block_list(*, partnership: Partnership) -> QuerySet[ContentBlock]:
    return ContentBlock.objects.filter(partnership=partnership).order_by("position", "id")


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


def public_document_groups(*, partnership: Partnership) -> list[tuple[str, list[PublicDocument]]]:
    """Live documents grouped by category, in the category order, empty groups left out."""
    documents = list(public_document_list_live(partnership=partnership).order_by("title"))
    groups = []
    for category in PublicDocument.Category:
        members = [doc for doc in documents if doc.category == category.value]
        if members:
            groups.append((category.label, members))
    return groups
