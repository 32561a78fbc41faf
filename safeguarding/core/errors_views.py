"""GOV.UK error pages (403, 404, 500)."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.template.loader import get_template


@login_not_required
def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


@login_not_required
def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


@login_not_required
def server_error(request):
    # No context processors or database: the fault may be in either.
    from django.http import HttpResponseServerError

    return HttpResponseServerError(get_template("500.html").render())
