"""Public pages of learning digests, under /<partnership>/digests/ (no sign-in): the published
issues, each as a web page with its PDF and Word file, and subscribing by email.

Subscribing always answers "check your email", whether or not the address is known. The links
in emails only show a page with a button: confirming or unsubscribing happens on the POST, so a
mail scanner that follows links changes nothing. The unsubscribe address also takes the
one-click POST of RFC 8058 (``List-Unsubscribe-Post``), which carries no CSRF token.
"""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from safeguarding.accounts import selectors as account_selectors
from safeguarding.core.client_address import client_address
from safeguarding.core.errors import ServiceError
from safeguarding.core.files import file_response
from safeguarding.core.forms import posted, show_service_error

from . import rendering, selectors, services
from .forms import SubscribeForm
from .rows import published_issue_rows_html
from .views import base_url

FILE_KINDS = {
    "pdf": ("PDF", "application/pdf"),
    "docx": (
        "Word document",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
}


def _size(field_file) -> int | None:
    try:
        return field_file.size if field_file else None
    except OSError:
        return None


@login_not_required
@require_safe
def issue_list(request, slug: str):
    partnership = account_selectors.partnership_get_public(slug=slug)
    page, pagination = selectors.PUBLISHED_PAGES.page(request, partnership_id=partnership.pk)
    return render(
        request,
        "digests/public/list.html",
        {
            "partnership": partnership,
            "issues": page.object_list,
            "rows": published_issue_rows_html(page.object_list, partnership=partnership),
            "pagination": pagination,
        },
    )


@login_not_required
@require_safe
def issue_detail(request, slug: str, number: int):
    partnership = account_selectors.partnership_get_public(slug=slug)
    issue = selectors.issue_get_published(partnership=partnership, number=number)
    document = rendering.build_document(issue, selectors.item_list(issue=issue))
    files = []
    for kind in ("pdf", "docx"):
        size = _size(getattr(issue, kind))
        if size is not None:
            files.append({"kind": kind, "label": FILE_KINDS[kind][0], "size": size})
    return render(
        request,
        "digests/public/issue.html",
        {"partnership": partnership, "issue": issue, "document": document, "files": files},
    )


def _file(request, slug: str, number: int, kind: str):
    partnership = account_selectors.partnership_get_public(slug=slug)
    issue = selectors.issue_get_published(partnership=partnership, number=number)
    return file_response(
        request,
        content=getattr(issue, kind),
        filename=rendering.filename(issue, kind),
        content_type=FILE_KINDS[kind][1],
        public=True,
    )


@login_not_required
@require_safe
def issue_pdf(request, slug: str, number: int):
    return _file(request, slug, number, "pdf")


@login_not_required
@require_safe
def issue_docx(request, slug: str, number: int):
    return _file(request, slug, number, "docx")


# Subscribing ------------------------------------------------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def subscribe(request, slug: str):
    partnership = account_selectors.partnership_get_public(slug=slug)
    form = SubscribeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.subscriber_request(
                partnership=partnership,
                email=form.cleaned_data["email"],
                ip=client_address(request),
                base_url=base_url(request),
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            return redirect("digests_public:subscribe_sent", slug=partnership.slug)
    return render(
        request, "digests/public/subscribe.html", {"partnership": partnership, "form": form}
    )


@login_not_required
@require_safe
def subscribe_sent(request, slug: str):
    partnership = account_selectors.partnership_get_public(slug=slug)
    return render(request, "digests/public/subscribe_sent.html", {"partnership": partnership})


@login_not_required
@require_http_methods(["GET", "POST"])
def confirm(request, slug: str, token: str):
    partnership = account_selectors.partnership_get_public(slug=slug)
    subscriber = selectors.subscriber_get_by_token(partnership=partnership, token=token)
    if request.method == "POST":
        services.subscriber_confirm(subscriber=subscriber)
    subscribed = subscriber.confirmed_at is not None and subscriber.unsubscribed_at is None
    return render(
        request,
        "digests/public/confirm.html",
        {
            "partnership": partnership,
            "subscriber": subscriber,
            "subscribed": subscribed,
            "just_done": request.method == "POST",
        },
    )


@login_not_required
@csrf_exempt  # RFC 8058 one-click: the mail client POSTs without a token; the URL's token is
# the authority, and all it can do is stop emails
@require_http_methods(["GET", "POST"])
def unsubscribe(request, slug: str, token: str):
    partnership = account_selectors.partnership_get_public(slug=slug)
    subscriber = selectors.subscriber_get_by_token(partnership=partnership, token=token)
    if request.method == "POST":
        services.subscriber_unsubscribe(subscriber=subscriber)
    return render(
        request,
        "digests/public/unsubscribe.html",
        {
            "partnership": partnership,
            "subscriber": subscriber,
            "unsubscribed": subscriber.unsubscribed_at is not None,
            "just_done": request.method == "POST",
        },
    )
