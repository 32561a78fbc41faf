"""GOV.UK error pages (403, 404, 500, and 503 when the database is busy)."""

import sys

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.template.loader import get_template

from .middleware import busy_response, database_is_busy


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

    # "database is locked" raised outside a view (e.g. saving the session after it), which
    # DatabaseBusyMiddleware does not see: the same "busy" page as for a view.
    if database_is_busy(sys.exc_info()[1]):
        return busy_response()
    return HttpResponseServerError(get_template("500.html").render())
