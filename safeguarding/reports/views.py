"""The partnership's reports, under /manage/<partnership>/reports/: today the figures for the
annual report (R24), as a page and a spreadsheet.

Each view: partnership (404 outside it) → permission (403) → the year chosen → selectors → page
or file. Reports read the other apps and write nothing but the audit event of an export.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from safeguarding.accounts import selectors as account_selectors
from safeguarding.actions.exports import XLSX
from safeguarding.core.files import file_response

from . import exports, selectors
from .forms import AnnualYearForm
from .permissions import can_view_reports


def _for_readers(request, slug: str):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    if not can_view_reports(request.user, partnership):
        raise PermissionDenied("Only the business unit and partner leads see these figures")
    return partnership


def _annual(request, slug: str):
    partnership = _for_readers(request, slug)
    today = timezone.localdate()
    years = selectors.annual_years(partnership=partnership, today=today)
    form = AnnualYearForm(
        request.GET if "year" in request.GET else None,
        years=years,
        default=selectors.default_annual_year(today),
    )
    year = form.year_chosen()
    figures = selectors.annual_figures(partnership=partnership, year=year, today=today)
    return partnership, form, figures, today


@require_GET
def annual_figures(request, slug: str):
    partnership, form, figures, _today = _annual(request, slug)
    return render(
        request,
        "reports/annual.html",
        {
            "partnership": partnership,
            "form": form,
            "figures": figures,
            "lines": exports.figure_lines(figures),
            "year_query": f"year={figures.year.start_year}",
        },
    )


@never_cache
@require_GET
def annual_figures_xlsx(request, slug: str):
    partnership, _form, figures, today = _annual(request, slug)
    name = f"annual-figures-{partnership.slug}-{figures.year.start_year}-{figures.year.end:%y}"
    return file_response(
        request,
        content=exports.annual_xlsx(figures, partnership=partnership, today=today),
        filename=f"{name}.xlsx",
        content_type=XLSX,
        audit_action="action_plan.exported",
        target=partnership,
        partnership=partnership,
        payload={
            "kind": "annual_xlsx",
            "rows": len(figures.not_implemented),
            "filters": {"year": figures.year.short_label},
        },
    )
