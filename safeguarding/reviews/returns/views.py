"""National return pages (issue 17): a review's return, recorded by the business unit and read by
partner leads (/manage/<p>/reviews/<pk>/national-return/), and the partnership's returns for a
financial year with their spreadsheet (/manage/<p>/reviews/national-returns/).

Each view: partnership (404 outside it) → review through ``review_get_for_user`` (404 outside
its scope, ADR 0010) → permission (403) → form → one service → redirect."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from safeguarding.accounts import selectors as account_selectors
from safeguarding.accounts.permissions import is_business_unit, is_partner_lead
from safeguarding.core.errors import ServiceError
from safeguarding.core.files import file_response
from safeguarding.core.forms import posted, show_service_error
from safeguarding.core.uploads import XLSX

from ..selectors import review_get_for_user
from . import exports, selectors, services
from .categories import SCHEMES
from .forms import NationalReturnForm, ReturnYearForm
from .rows import return_rows_html


def can_read_returns(user, partnership) -> bool:
    return is_business_unit(user, partnership) or is_partner_lead(user, partnership)


@require_http_methods(["GET", "POST"])
def national_return(request, slug: str, pk: int):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    review = review_get_for_user(user=request.user, partnership=partnership, pk=pk)
    if not can_read_returns(request.user, partnership):
        raise PermissionDenied("Only the business unit and partner leads see national returns")
    codes = selectors.scheme_codes_for(review)
    if not codes:
        raise Http404("A rapid review has no national return")
    code = request.GET.get("scheme") or codes[0]
    if code not in codes:
        raise Http404("This review is not returned under that scheme")
    scheme = SCHEMES[code]
    record = selectors.national_return_get(review=review, scheme=code)
    can_record = is_business_unit(request.user, partnership)
    form = None
    if can_record or request.method == "POST":
        if not can_record:
            raise PermissionDenied("Only the business unit records national returns")
        initial = {**(record.answers if record else {}), "notes": record.notes if record else ""}
        form = NationalReturnForm(posted(request), scheme=scheme, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.national_return_save(
                    review=review,
                    scheme=code,
                    answers=form.answers(),
                    notes=form.cleaned_data["notes"],
                    actor=request.user,
                )
            except ServiceError as error:
                show_service_error(form, error)
            else:
                messages.success(request, "National return saved")
                url = reverse("reviews:national_return", args=[partnership.slug, review.pk])
                return redirect(f"{url}?scheme={code}")
    answers = record.answers if record else {}
    return render(
        request,
        "reviews/returns/review.html",
        {
            "partnership": partnership,
            "review": review,
            "scheme": scheme,
            "schemes": [SCHEMES[c] for c in codes],
            "record": record,
            "form": form,
            "answers": [(q.label, q.answer_text(answers.get(q.code))) for q in scheme.questions],
        },
    )


def _year_rows(request, slug: str):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    if not can_read_returns(request.user, partnership):
        raise PermissionDenied("Only the business unit and partner leads see national returns")
    today = timezone.localdate()
    form = ReturnYearForm(
        request.GET if "year" in request.GET else None,
        years=selectors.years_offered(partnership=partnership, today=today),
        default=selectors.Year.containing(today),
    )
    year = form.year_chosen()
    rows = selectors.national_return_rows(partnership=partnership, year=year)
    return partnership, form, year, rows, today


@require_safe
def national_returns(request, slug: str):
    partnership, form, year, rows, _today = _year_rows(request, slug)
    return render(
        request,
        "reviews/returns/list.html",
        {
            "partnership": partnership,
            "form": form,
            "year": year,
            "rows": rows,
            "row_html": return_rows_html(rows, slug=partnership.slug),
            "missing": sum(1 for row in rows if row.national_return is None),
            "year_query": f"year={year.start_year}",
        },
    )


@never_cache
@require_safe
def national_returns_xlsx(request, slug: str):
    partnership, _form, year, rows, today = _year_rows(request, slug)
    return file_response(
        request,
        content=exports.returns_xlsx(rows, partnership=partnership, year=year, today=today),
        filename=f"national-returns-{partnership.slug}-{year.start_year}-{year.end:%y}.xlsx",
        content_type=XLSX.content_type,
        audit_action="national_return.exported",
        target=partnership,
        partnership=partnership,
        payload={"year": year.start_year, "rows": len(rows)},
    )
