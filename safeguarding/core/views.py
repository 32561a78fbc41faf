from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe


@login_not_required
@require_safe
def healthz(request):
    """For the load balancer: the process answers. Public, no data."""
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
def csrf_failure(request, reason: str = ""):
    return render(request, "403_csrf.html", status=403)
