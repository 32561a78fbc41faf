"""The staff home's counts, read in one query with its SQL built once (issue 16).

Every sign-in lands on the home. Its small counts (new referrals; for the business unit also
the cases offered by other partnerships, and the public page's sections and live documents)
were one query each, each built by the ORM on every request: building cost several times
running. Each count is still its app's own queryset (``referrals_new``, ``case_shares_waiting``,
``content_block_list``, ``public_document_list_live``), here counted as a subquery of one
statement, the partnership's id its parameter (core.compiled_sql).
"""

from __future__ import annotations

from django.db.models import F, Func, IntegerField, QuerySet, Subquery

from safeguarding.accounts.models import Partnership
from safeguarding.core.compiled_sql import PARTNERSHIP_PLACEHOLDER, CompiledQuery
from safeguarding.public_site import selectors as public_selectors
from safeguarding.referrals import selectors as referral_selectors
from safeguarding.referrals import share_selectors


def _counted(records: QuerySet) -> Subquery:
    """``records.count()`` as a column of another query."""
    return Subquery(
        records.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"),
        output_field=IntegerField(),
    )


def _count_reads(partnership: Partnership) -> dict[str, QuerySet]:
    return {
        "open_referrals": referral_selectors.referrals_new(partnership=partnership),
        "shares_waiting": share_selectors.case_shares_waiting(partnership=partnership),
        "block_count": public_selectors.content_block_list(partnership=partnership),
        "document_count": public_selectors.public_document_list_live(partnership=partnership),
    }


#: What each reader of the home sees counted: those who see referrals, and the business unit.
REFERRAL_COUNTS: tuple[str, ...] = ("open_referrals",)
BUSINESS_UNIT_COUNTS: tuple[str, ...] = (
    "open_referrals",
    "shares_waiting",
    "block_count",
    "document_count",
)


def _counts_query(names: tuple[str, ...]) -> CompiledQuery:
    def build(partnership_id: int) -> QuerySet:
        reads = _count_reads(Partnership(pk=partnership_id))
        return (
            Partnership.objects.filter(pk=partnership_id)
            .order_by()
            .annotate(**{name: _counted(reads[name]) for name in names})
            .values_list(*names)
        )

    return CompiledQuery(build, {"partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk)})


_COUNTS: dict[tuple[str, ...], CompiledQuery] = {
    names: _counts_query(names) for names in (REFERRAL_COUNTS, BUSINESS_UNIT_COUNTS)
}


def home_counts(*, partnership: Partnership, names: tuple[str, ...]) -> dict[str, int]:
    """The counts ``names`` (``REFERRAL_COUNTS`` or ``BUSINESS_UNIT_COUNTS``) of the
    partnership's records, as each app's ``count()`` gives them. One query."""
    (row,) = _COUNTS[names].read_values(partnership_id=partnership.pk)
    return dict(zip(names, row, strict=True))
