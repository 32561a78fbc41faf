"""Views: being written (the stubs answer 404 until then)."""

from django.http import Http404


def tracker(request, **kwargs):
    raise Http404


def tracker_xlsx(request, **kwargs):
    raise Http404


def agency_actions(request, **kwargs):
    raise Http404


def annual_figures(request, **kwargs):
    raise Http404


def annual_figures_xlsx(request, **kwargs):
    raise Http404


def plan_docx(request, **kwargs):
    raise Http404


def plan_xlsx(request, **kwargs):
    raise Http404

