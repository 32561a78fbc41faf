"""Views: being written (the stubs answer 404 until then)."""

from django.http import Http404


def themes(request, **kwargs):
    raise Http404


def plan(request, **kwargs):
    raise Http404


def learning_add(request, **kwargs):
    raise Http404


def finding_themes(request, **kwargs):
    raise Http404


def recommendation_add(request, **kwargs):
    raise Http404


def recommendation_edit(request, **kwargs):
    raise Http404


def impact(request, **kwargs):
    raise Http404


def action_add(request, **kwargs):
    raise Http404


def action_detail(request, **kwargs):
    raise Http404


def action_edit(request, **kwargs):
    raise Http404


def progress(request, **kwargs):
    raise Http404


def completion_request(request, **kwargs):
    raise Http404


def completion_decide(request, **kwargs):
    raise Http404


def not_implemented(request, **kwargs):
    raise Http404


def evidence_file(request, **kwargs):
    raise Http404

