"""The public referral forms under /<partnership>/refer/ (no account needed), the referrer's
private status page and the Word referral forms to download.

The answers of a referral in progress are kept in the session, one draft per partnership and
review type, as JSON-safe values (dates as ISO strings), each page's answers encrypted with the
identity keys (the session is stored in the database, and a page holds the person's name, date of
birth and address: docs/security.md, "Identities at rest"). Each draft carries a submission key
made when it starts, so sending the same draft twice creates one referral.
"""

import datetime
import json
import logging
import uuid

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from safeguarding.accounts import selectors as account_selectors
from safeguarding.accounts.models import Partnership, ReviewType
from safeguarding.core import encryption
from safeguarding.core.client_address import client_address
from safeguarding.core.errors import ServiceError
from safeguarding.core.files import file_response
from safeguarding.core.forms import GovukDateField, GovukForm
from safeguarding.core.uploads import DOCX

from . import services, word_forms
from .models import Harm, Referral, Status
from .public_forms import (
    FORM_DESCRIPTIONS,
    FORM_TITLES,
    YesNoField,
    answers_from_cleaned,
    data_from_answers,
    page_form,
    page_get,
    pages_check,
    pages_for,
    referral_arguments,
)

# What the referrer sees of each stage: never the decision, never case details.
STAGE_TEXT = {
    Status.NEW: (
        "Received",
        "The business unit has your referral and will look at it soon.",
    ),
    Status.IN_SCREENING: (
        "Being considered",
        "The business unit is checking the referral against the criteria for a review. It may "
        "contact you or your organisation for more information.",
    ),
    Status.AWAITING_DECISION: (
        "Awaiting a decision",
        "The partnership's decision makers are deciding whether a review should be held.",
    ),
    Status.DECIDED: (
        "Decided",
        "A decision has been made. The business unit will tell the people who need to know.",
    ),
}
logger = logging.getLogger(__name__)

STAGES = [Status.NEW, Status.IN_SCREENING, Status.AWAITING_DECISION, Status.DECIDED]


# Helpers ------------------------------------------------------------------------------------


def _partnership_running(slug: str, review_type: str) -> Partnership:
    """The partnership, if it runs this review type; otherwise 404."""
    partnership = account_selectors.partnership_get_public(slug=slug)
    if review_type not in {t.value for t in partnership.review_types}:
        raise Http404("This partnership does not run this kind of review")
    return partnership


def _draft_key(partnership: Partnership, review_type: str) -> str:
    return f"referral_draft:{partnership.pk}:{review_type}"


def _sent_key(partnership: Partnership) -> str:
    return f"referral_sent:{partnership.pk}"


def _draft(request, partnership: Partnership, review_type: str, *, create: bool) -> dict | None:
    key = _draft_key(partnership, review_type)
    draft = request.session.get(key)
    if draft is None and create:
        draft = {"submission_key": str(uuid.uuid4()), "pages": {}}
        request.session[key] = draft
    return draft


def _page_answers_store(draft: dict, slug: str, answers: dict) -> None:
    draft["pages"][slug] = encryption.encrypt_text(json.dumps(answers))


def _page_answers(draft: dict, slug: str) -> dict | None:
    """A page's stored answers, or None if not answered. A page sealed with a key that has since
    been removed (a draft left open across a key rotation) counts as not answered: the referrer
    answers it again."""
    stored = draft["pages"].get(slug)
    if stored is None or isinstance(stored, dict):  # a dict: a draft from before encryption
        return stored
    try:
        return json.loads(encryption.decrypt_text(stored, where="A referral draft page"))
    except encryption.IdentityDecryptionError:
        logger.warning("A referral draft page could not be decrypted; it is asked again")
        return None


def _check_draft(partnership: Partnership, review_type: str, draft: dict):
    """Every page of the draft, bound to its stored answers and checked again."""

    def data_for_page(page, blank_form):
        stored = _page_answers(draft, page.slug)
        return None if stored is None else data_from_answers(blank_form, stored)

    return pages_check(
        partnership=partnership, review_type=review_type, data_for_page=data_for_page
    )


def _type_label(review_type: str) -> str:
    return ReviewType(review_type).label


# Start ----------------------------------------------------------------------------------------


class ReviewTypeChoiceForm(GovukForm):
    review_type = forms.ChoiceField(
        label="What are you referring?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what you are referring",
            "invalid_choice": "Select what you are referring",
        },
    )

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review_type"].choices = [
            (t.value, FORM_TITLES[t.value]) for t in partnership.review_types
        ]
        self.fields["review_type"].govuk_label_classes = "govuk-fieldset__legend--m"


def _start_context(partnership: Partnership, review_types: list[str]) -> dict:
    return {
        "partnership": partnership,
        "forms": [
            {
                "review_type": value,
                "title": FORM_TITLES[value],
                "description": FORM_DESCRIPTIONS[value],
                "label": _type_label(value),
            }
            for value in review_types
        ],
        "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
    }


@login_not_required
@require_http_methods(["GET", "POST"])
def start(request, slug: str):
    partnership = account_selectors.partnership_get_public(slug=slug)
    review_types = [t.value for t in partnership.review_types]
    form = ReviewTypeChoiceForm(
        request.POST if request.method == "POST" else None, partnership=partnership
    )
    if request.method == "POST" and form.is_valid():
        review_type = form.cleaned_data["review_type"]
        return redirect("refer:page", slug, review_type, pages_for(review_type)[0].slug)
    context = _start_context(partnership, review_types)
    context["form"] = form if len(review_types) > 1 else None
    return render(request, "referrals/public/start.html", context)


@login_not_required
@require_safe
def type_start(request, slug: str, review_type: str):
    partnership = _partnership_running(slug, review_type)
    context = _start_context(partnership, [review_type])
    context["form"] = None
    return render(request, "referrals/public/start.html", context)


# Question pages --------------------------------------------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def question_page(request, slug: str, review_type: str, page: str):
    partnership = _partnership_running(slug, review_type)
    current = page_get(review_type, page)
    if current is None:
        raise Http404("No such question page")
    draft = _draft(request, partnership, review_type, create=True)
    pages = pages_for(review_type)
    index = pages.index(current)

    # Checks that span pages need the earlier pages' answers (a death is not before a birth).
    previous: dict = {}
    for item in _check_draft(partnership, review_type, draft)[:index]:
        if item.complete:
            previous.update(item.form.cleaned_data)

    returning_to_check = request.GET.get("return") == "check"
    if request.method == "POST":
        form = page_form(
            current,
            partnership=partnership,
            review_type=review_type,
            data=request.POST,
            previous=previous,
        )
        if form.is_valid():
            _page_answers_store(draft, current.slug, answers_from_cleaned(form))
            request.session.modified = True
            if returning_to_check or index + 1 == len(pages):
                return redirect("refer:check", slug, review_type)
            return redirect("refer:page", slug, review_type, pages[index + 1].slug)
    else:
        stored = _page_answers(draft, current.slug)
        blank = page_form(current, partnership=partnership, review_type=review_type)
        form = (
            blank
            if stored is None
            else page_form(
                current,
                partnership=partnership,
                review_type=review_type,
                data=data_from_answers(blank, stored),
                previous=previous,
            )
        )

    if returning_to_check:
        back_url = reverse("refer:check", args=[slug, review_type])
    elif index == 0:
        back_url = reverse("refer:type_start", args=[slug, review_type])
    else:
        back_url = reverse("refer:page", args=[slug, review_type, pages[index - 1].slug])
    return render(
        request,
        "referrals/public/question.html",
        {
            "partnership": partnership,
            "form": form,
            "heading": current.title(review_type),
            "caption": FORM_TITLES[review_type],
            "step": index + 1,
            "steps": len(pages),
            "back_url": back_url,
            "returning_to_check": returning_to_check,
        },
    )


# Check your answers and send ------------------------------------------------------------------


def _display(form, name: str) -> str | list[str]:
    field = form.fields[name]
    value = form.cleaned_data.get(name)
    if isinstance(field, YesNoField):
        return {True: "Yes", False: "No"}.get(value, "Not known")
    if isinstance(field, GovukDateField):
        return f"{value.day} {value:%B %Y}" if isinstance(value, datetime.date) else "Not given"
    if isinstance(field, forms.ModelMultipleChoiceField):
        return [agency.name for agency in value] or "None selected"
    if isinstance(field, forms.ChoiceField):
        return dict(field.choices).get(value, "Not given")
    if value in (None, ""):
        return "Not given"
    return str(value)


def _summary_rows(form) -> list[dict]:
    cleaned = form.cleaned_data
    rows = []
    for name, field in form.fields.items():
        if name == "date_of_death" and cleaned.get("harm") != Harm.DIED:
            continue
        if (
            name == "concerns_working_together"
            and cleaned.get("agency_working_concern") is not True
        ):
            continue
        if name == "age_years" and cleaned.get("date_of_birth") and cleaned.get(name) is None:
            continue
        value = _display(form, name)
        rows.append(
            {
                "label": field.label,
                "value": value,
                "is_list": isinstance(value, list),
            }
        )
    return rows


class ConfirmForm(GovukForm):
    """No questions: carries the error the service gives (the hourly limit) to the summary."""


@login_not_required
@require_http_methods(["GET", "POST"])
def check(request, slug: str, review_type: str):
    partnership = _partnership_running(slug, review_type)
    draft = _draft(request, partnership, review_type, create=False)
    if draft is None:
        sent = request.session.get(_sent_key(partnership))
        if request.method == "POST" and sent and sent.get("review_type") == review_type:
            # The same form sent again (a double click, the back button): it was sent once.
            return redirect("refer:sent", slug)
        return redirect("refer:page", slug, review_type, pages_for(review_type)[0].slug)

    checked = _check_draft(partnership, review_type, draft)
    first_incomplete = next((item for item in checked if not item.complete), None)
    if first_incomplete is not None:
        return redirect("refer:page", slug, review_type, first_incomplete.page.slug)

    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            referral, _token = services.referral_submit(
                partnership=partnership,
                review_type=review_type,
                submission_key=uuid.UUID(draft["submission_key"]),
                ip=client_address(request),
                status_url_builder=lambda token: request.build_absolute_uri(
                    reverse("refer:status", args=[slug, token])
                ),
                **referral_arguments(checked=checked),
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            request.session[_sent_key(partnership)] = {
                "reference": referral.reference,
                "review_type": review_type,
            }
            # The answers are not kept once sent (a shared computer, a later referral).
            request.session.pop(_draft_key(partnership, review_type), None)
            return redirect("refer:sent", slug)

    return render(
        request,
        "referrals/public/check.html",
        {
            "partnership": partnership,
            "form": form,
            "caption": FORM_TITLES[review_type],
            "review_type": review_type,
            "sections": [
                {
                    "title": item.page.title(review_type),
                    "page": item.page.slug,
                    "rows": _summary_rows(item.form),
                }
                for item in checked
            ],
        },
    )


@login_not_required
@require_safe
def sent(request, slug: str):
    partnership = account_selectors.partnership_get_public(slug=slug)
    record = request.session.get(_sent_key(partnership))
    if not record:
        return redirect("refer:start", slug)
    return render(
        request,
        "referrals/public/sent.html",
        {
            "partnership": partnership,
            "reference": record["reference"],
            "type_label": _type_label(record["review_type"]),
        },
    )


# The referrer's private status page --------------------------------------------------------


def _referral_for_status_token(*, partnership: Partnership, token: str) -> Referral:
    if not token or len(token) > 100:
        raise Http404("No such referral")
    referral = (
        Referral.objects.filter(
            partnership=partnership, status_token_hash=services.token_hash(token)
        )
        .only("reference", "review_type", "received_on", "status")
        .first()
    )
    if referral is None:
        raise Http404("No such referral")
    return referral


@login_not_required
@require_safe
def status(request, slug: str, token: str):
    partnership = account_selectors.partnership_get_public(slug=slug)
    referral = _referral_for_status_token(partnership=partnership, token=token)
    current = STAGES.index(referral.status) if referral.status in STAGES else 0
    response = render(
        request,
        "referrals/public/status.html",
        {
            "partnership": partnership,
            "referral": referral,
            "stage_name": STAGE_TEXT[STAGES[current]][0],
            "stage_text": STAGE_TEXT[STAGES[current]][1],
            "stages": [
                {"name": STAGE_TEXT[stage][0], "done": i < current, "current": i == current}
                for i, stage in enumerate(STAGES)
            ],
        },
    )
    # The link is the key: do not leak it to other sites, caches or search engines.
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# Word forms -----------------------------------------------------------------------------------


@login_not_required
@require_safe
def word_form(request, slug: str, review_type: str):
    partnership = _partnership_running(slug, review_type)
    content = word_forms.referral_form_docx(
        partnership=partnership,
        review_type=review_type,
        online_url=request.build_absolute_uri(
            reverse("refer:type_start", args=[slug, review_type])
        ),
    )
    return file_response(
        request,
        content=content,
        filename=f"{partnership.slug}-{review_type}-referral-form.docx",
        content_type=DOCX.content_type,
        public=True,
    )
