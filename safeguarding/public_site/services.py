"""Every change to a public Reviews page: validated, in one transaction, audited."""

from django.db import transaction
from django.utils import timezone

from safeguarding.accounts.models import Partnership
from safeguarding.audit.services import audit_record
from safeguarding.core.models import apply_changes
from safeguarding.core.uploads import FileKind

from .models import ContentBlock, PublicDocument

BLOCK_FIELDS = ("heading", "body", "review_type", "position")


def content_block_create(*, partnership: Partnership, actor, **values) -> ContentBlock:
    with transaction.atomic():
        block = ContentBlock(
            partnership=partnership,
            created_by=actor,
            modified_by=actor,
            **{field: values[field] for field in BLOCK_FIELDS},
        )
        block.full_clean()
        block.save()
        audit_record(action="public_page.block_added", actor=actor, target=block)
    return block


def content_block_update(*, block: ContentBlock, actor, **values) -> ContentBlock:
    with transaction.atomic():
        changed = apply_changes(block, values, fields=BLOCK_FIELDS)
        if not changed:
            return block
        block.modified_by = actor
        block.full_clean()
        block.save(update_fields=[*changed, "modified_by", "modified_at"])
        audit_record(
            action="public_page.block_changed",
            actor=actor,
            target=block,
            payload={"fields": changed},
        )
    return block


def public_document_upload(
    *,
    partnership: Partnership,
    actor,
    title: str,
    category: str,
    review_type: str,
    uploaded,
    kind: FileKind,
) -> PublicDocument:
    """Store a checked upload. If the database write fails, the stored file is removed."""
    document = PublicDocument(
        partnership=partnership,
        title=title,
        category=category,
        review_type=review_type,
        original_name=uploaded.name[:255],
        file_kind=kind.code,
        size_bytes=uploaded.size,
        created_by=actor,
        modified_by=actor,
    )
    document.file.save(uploaded.name, uploaded, save=False)
    try:
        with transaction.atomic():
            document.full_clean()
            document.save()
            audit_record(
                action="public_page.document_uploaded",
                actor=actor,
                target=document,
                payload={"kind": kind.code, "size_bytes": uploaded.size},
            )
    except BaseException:  # a signal turned into SystemExit too (fault drills)
        document.file.delete(save=False)
        raise
    return document


def public_document_archive(*, document: PublicDocument, actor) -> PublicDocument:
    with transaction.atomic():
        if document.archived_at is None:
            document.archived_at = timezone.now()
            document.archived_by = actor
            document.modified_by = actor
            document.save(
                update_fields=["archived_at", "archived_by", "modified_by", "modified_at"]
            )
            audit_record(action="public_page.document_archived", actor=actor, target=document)
    return document
