"""Staff page: create a referral from a completed Word referral form."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods

from safeguarding.accounts import selectors as account_selectors
from safeguarding.accounts.models import ReviewType
from safeguarding.core.errors import ServiceError

from . import services
from .models import Referral
from .permissions import can_triage_referrals
from .public_forms import pages_check, referral_arguments
from .word_forms import ReferralWordUploadForm, problems_in


def _referral_url(slug: str, referral: Referral) -> str:
    """The referral's staff page; the triage list or the partnership home if that page is not
    there."""
    for name, args in (
        ("referrals:detail", [slug, referral.pk]),
        ("referrals:triage", [slug]),
        ("workspace:partnership_home", [slug]),
    ):
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return "/"  # pragma: no cover - the partnership home always exists


@require_http_methods(["GET", "POST"])
def upload(request, slug: str):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    if not can_triage_referrals(request.user, partnership):
        raise PermissionDenied("Only the business unit can upload referral forms")
    posted = request.method == "POST"
    form = ReferralWordUploadForm(
        request.POST if posted else None, request.FILES if posted else None, partnership=partnership
    )
    problems = []
    if posted and form.is_valid():
        word = form.referral
        checked = pages_check(
            partnership=partnership,
            review_type=word.review_type,
            data_for_page=lambda page, blank_form: word.data,
        )
        problems = problems_in(checked)
        if problems:
            count = len(problems)
            form.add_error(
                "file",
                f"{count} answer{'s' if count != 1 else ''} in the form "
                f"{'need' if count != 1 else 'needs'} correcting. Correct the Word document "
                "and upload it again",
            )
        else:
            try:
                referral, token = services.referral_submit(
                    partnership=partnership,
                    review_type=word.review_type,
                    submission_key=word.submission_key,
                    source=Referral.Source.WORD_FORM,
                    actor=request.user,
                    **referral_arguments(checked=checked),
                )
            except ServiceError as error:
                form.add_error("file", error.message)
            else:
                if token is None:
                    messages.success(
                        request, f"This form was uploaded before, as referral {referral.reference}"
                    )
                else:
                    messages.success(
                        request, f"Referral {referral.reference} created from the Word form"
                    )
                return redirect(_referral_url(slug, referral))
    summary = [{"text": message, "href": "#id_file"} for message in form.errors.get("file", [])]
    summary += [
        {"text": f"{p.question}: {p.message}", "href": f"#problem-{index}"}
        for index, p in enumerate(problems, start=1)
    ]
    return render(
        request,
        "referrals/word_upload.html",
        {
            "partnership": partnership,
            "form": form,
            "problems": problems,
            "summary_items": summary,
            "review_types": [
                {"value": t.value, "label": ReviewType(t).label} for t in partnership.review_types
            ],
        },
    )
