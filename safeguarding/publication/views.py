from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from safeguarding.accounts import selectors as account_selectors
from safeguarding.core.errors import ServiceError
from safeguarding.core.forms import posted, show_service_error
from safeguarding.public_site.permissions import can_manage_public_page

from . import selectors, services
from .forms import NationalReviewForm


def _partnership(request, slug: str):
    partnership = account_selectors.partnership_get_for_member(user=request.user, slug=slug)
    if not can_manage_public_page(request.user, partnership):
        raise PermissionDenied("Only the business unit can change the public page")
    return partnership


@require_http_methods(["GET", "POST"])
def national_reviews(request, slug: str):
    partnership = _partnership(request, slug)
    form = NationalReviewForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            review = services.national_review_add(
                partnership=partnership, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"‘{review.title}’ is now on the public page")
            return redirect("publication:national_reviews", slug=partnership.slug)
    return render(
        request,
        "publication/national_reviews.html",
        {
            "partnership": partnership,
            "form": form,
            "reviews": selectors.national_review_list_live(partnership=partnership),
        },
    )


@require_http_methods(["GET", "POST"])
def national_review_remove(request, slug: str, pk: int):
    partnership = _partnership(request, slug)
    review = selectors.national_review_get_live(partnership=partnership, pk=pk)
    if request.method == "POST":
        services.national_review_remove(review=review, actor=request.user)
        messages.success(request, f"‘{review.title}’ has been taken off the public page")
        return redirect("publication:national_reviews", slug=partnership.slug)
    return render(
        request,
        "publication/national_review_remove.html",
        {"partnership": partnership, "review": review},
    )
