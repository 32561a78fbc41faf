"""The partnership's reports, under /manage/<partnership>/reports/: the figures for the annual
report (R24), as a page and a spreadsheet; each board's report pack for a period (its figures,
charts and the records behind each figure, as a page, a workbook and a Word document) and the
timeliness of every milestone rule across the years (issue 17).

Each view: partnership (404 outside it) → permission (403) → the year chosen → selectors → page
or file. Reports read the other apps and write nothing but the audit event of an export.
"""

import hashlib
from urllib.parse import quote

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from safeguarding.accounts import selectors as account_selectors
from safeguarding.actions.exports import XLSX
from safeguarding.core import documents
from safeguarding.core.files import file_response
from safeguarding.core.pagination import paginate

from . import charts, exports, pack_exports, rows, selectors, trends
from . import figures as figures_selectors
from .forms import AnnualYearForm
from .period import PeriodForm
from .permissions import can_view_reports


def _for_readers(request, slug: str):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    if not can_view_reports(request.user, partnership):
        raise PermissionDenied("Only the business unit and partner leads see these figures")
    return partnership


def _annual(request, slug: str, shown: int | None = None):
    partnership = _for_readers(request, slug)
    today = timezone.localdate()
    years = selectors.annual_years(partnership=partnership, today=today)
    form = AnnualYearForm(
        request.GET if "year" in request.GET else None,
        years=years,
        default=selectors.default_annual_year(today),
    )
    year = form.year_chosen()
    figures = selectors.annual_figures(partnership=partnership, year=year, today=today, shown=shown)
    return partnership, form, figures, today


@require_safe
def annual_figures(request, slug: str):
    """The year's figures and the first rows of each list, each list's rest one link away (the
    records behind the figure) and every row in the spreadsheet (issue 16, ADR 0029)."""
    partnership, form, figures, _today = _annual(request, slug, shown=selectors.ANNUAL_SHOWN)
    return render(
        request,
        "reports/annual.html",
        {
            "partnership": partnership,
            "form": form,
            "figures": figures,
            "lines": exports.figure_lines(figures),
            "year_query": f"year={figures.year.start_year}",
            "shown": selectors.ANNUAL_SHOWN,
            "rows": rows.annual_rows_html(figures, partnership.slug),
        },
    )


@never_cache
@require_safe
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


# A board's report pack (issue 17) -----------------------------------------------------------------


def _pack_period(request, slug: str):
    partnership = _for_readers(request, slug)
    today = timezone.localdate()
    years = selectors.annual_years(partnership=partnership, today=today)
    form = PeriodForm(
        request.GET if "year" in request.GET else None,
        years=years,
        default=selectors.default_annual_year(today),
    )
    return partnership, form, form.period(), today


def _records_link(request, partnership, period):
    base = reverse("reports:figure_records", args=[partnership.slug, "KEY"])
    period_query = period.query()  # once, not for each of the pack's hundred-odd figures

    def link(figure, absolute: bool = True) -> str:
        query = period_query + (f"&group={quote(figure.group)}" if figure.group else "")
        url = base.replace("KEY", figure.key) + "?" + query
        return request.build_absolute_uri(url) if absolute else url

    return link


@require_safe
def figures(request, slug: str):
    partnership, form, period, today = _pack_period(request, slug)
    pack = figures_selectors.board_pack(partnership=partnership, period=period, today=today)
    link = _records_link(request, partnership, period)
    sections = [
        {
            "section": section,
            "chart": charts.bar_chart_svg(
                title=section.chart.title,
                description=section.chart.description,
                bars=[(bar.label, bar.value) for bar in section.chart.bars],
            )
            if section.chart and section.chart.bars
            else None,
            "rows": rows.figure_rows_html(section.figures, link),
        }
        for section in pack.sections
    ]
    return render(
        request,
        "reports/figures.html",
        {
            "partnership": partnership,
            "form": form,
            "pack": pack,
            "sections": sections,
            "period_query": period.query(),
        },
    )


@require_safe
def figure_records(request, slug: str, key: str):
    partnership, form, period, today = _pack_period(request, slug)
    if form.is_bound and not form.is_valid():
        raise Http404("No such period")  # a list never silently shows another period
    group = request.GET.get("group", "")[:200]
    found = figures_selectors.records(
        partnership=partnership, period=period, key=key, group=group, today=today
    )
    if found is None:
        raise Http404("No such figure")
    # 25 rows a page, the period and group kept in the links (issue 16, ADR 0029).
    page, links = paginate(request, found.rows)
    return render(
        request,
        "reports/figure_records.html",
        {
            "partnership": partnership,
            "period": period,
            "records": found,
            "rows": page.object_list,
            "total": page.paginator.count,
            "page": page,
            "pagination": links,
            "period_query": period.query(),
        },
    )


#: Rendered sections of the timeliness page, each kept under a digest of everything it shows.
FRAGMENT_CACHE = "report_fragments"
#: Part of every key: change it when _timeliness_rule.html or the chart changes shape.
_TIMELINESS_FRAGMENT = "timeliness-rule-1"


def _timeliness_key(partnership, trend) -> str:
    """The key of a rule's rendered section: a digest of the partnership's slug (its links),
    every column of the rule and its guidance version, and every figure of every year. Any
    change to what the section shows is a new key, so a kept section is never stale (issue 16:
    the figures themselves are read on every request; only the drawing is reused)."""
    rule = trend.rule
    shown = (
        _TIMELINESS_FRAGMENT,
        partnership.slug,
        [(f.attname, getattr(rule, f.attname)) for f in rule._meta.concrete_fields],
        [(f.attname, getattr(rule.version, f.attname)) for f in rule.version._meta.concrete_fields],
        [
            (
                line.year.start_year,
                line.done,
                line.on_time,
                line.within_extension,
                line.median_working_days,
            )
            for line in trend.years
        ],
    )
    digest = hashlib.sha256(repr(shown).encode()).hexdigest()
    return f"reports:timeliness:{partnership.pk}:{rule.pk}:{digest}"


def _timeliness_sections(partnership, rule_trends) -> list[SafeString]:
    """Each rule's chart and table, rendered once per content (issue 16: 21 rules of eleven
    years drawn on every request were nearly all of the page's time) and then read from the
    cache in one lookup."""
    records = {
        kind: reverse("reports:figure_records", args=[partnership.slug, f"milestones_{kind}"])
        for kind in ("done", "on_time", "within_extension")
    }
    keys = {trend.rule.pk: _timeliness_key(partnership, trend) for trend in rule_trends}
    cache = caches[FRAGMENT_CACHE]
    kept = cache.get_many(list(keys.values()))
    rendered = {}
    sections = []
    for trend in rule_trends:
        key = keys[trend.rule.pk]
        html = kept.get(key)
        if html is None:
            chart = charts.bar_chart_svg(
                title=f"{trend.rule.name}: % on time against the first due date, by financial year",
                description="A bar for each financial year, its length the share of "
                "milestones done on time against the due date the rule first set",
                bars=[(line.year.short_label, line.percent_on_time or 0) for line in trend.years],
                unit="%",
                number=f"rule-{trend.rule.pk}",
            )
            html = render_to_string(
                "reports/_timeliness_rule.html",
                {"rule": trend.rule, "trend": trend, "chart": chart, "records": records},
            )
            rendered[key] = str(html)
        sections.append(mark_safe(html))  # our own template's output, kept as rendered
    if rendered:
        cache.set_many(rendered, timeout=settings.REPORT_FRAGMENT_CACHE_SECONDS)
    return sections


@require_safe
def timeliness(request, slug: str):
    partnership = _for_readers(request, slug)
    today = timezone.localdate()
    rule_trends = trends.timeliness_trends(partnership=partnership, today=today)
    return render(
        request,
        "reports/timeliness.html",
        {
            "partnership": partnership,
            "sections": _timeliness_sections(
                partnership, [trend for trend in rule_trends if trend.done]
            ),
            "without": [trend for trend in rule_trends if not trend.done],
        },
    )


def _pack_file(request, slug: str, fmt: str):
    partnership, _form, period, today = _pack_period(request, slug)
    # The trends first: they keep every financial year's timeliness, which the pack of a
    # financial year then reads kept (figures._kept_timeliness), counting no year twice.
    rule_trends = trends.timeliness_trends(partnership=partnership, today=today)
    pack = figures_selectors.board_pack(partnership=partnership, period=period, today=today)
    link = _records_link(request, partnership, period)
    name = f"figures-{partnership.slug}-{period.slug}.{fmt}"
    if fmt == "xlsx":
        content = pack_exports.pack_xlsx(pack, trends=rule_trends, today=today, link=link)
        content_type = XLSX
    else:
        content = documents.docx_bytes(
            pack_exports.pack_document(pack, trends=rule_trends, today=today, link=link)
        )
        content_type = documents.DOCX
    return file_response(
        request,
        content=content,
        filename=name,
        content_type=content_type,
        audit_action="report_figures.exported",
        target=partnership,
        partnership=partnership,
        payload={"format": fmt, "period": period.short_label},
    )


@never_cache
@require_safe
def figures_xlsx(request, slug: str):
    return _pack_file(request, slug, "xlsx")


@never_cache
@require_safe
def figures_docx(request, slug: str):
    return _pack_file(request, slug, "docx")
