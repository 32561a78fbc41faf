"""URL map. Every page needs sign-in (LoginRequiredMiddleware) unless its view is marked
@login_not_required; tests/test_access_matrix.py lists who may open each one."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, reverse_lazy
from django.views.generic import RedirectView

from safeguarding.core import views as core_views

admin.site.site_header = "Manage safeguarding reviews: system administration"
admin.site.site_title = "System administration"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    # One way in: the admin's own sign-in page sends people to ours (lockout, two-factor).
    path(
        "admin/login/",
        login_not_required(
            RedirectView.as_view(url=reverse_lazy("accounts:sign_in"), query_string=True)
        ),
        name="admin_sign_in",
    ),
    path("admin/", admin.site.urls),
    path("", include("safeguarding.accounts.urls")),
    path("manage/notifications/", include("safeguarding.notifications.urls")),
    path("manage/", include("safeguarding.workspace.urls")),
    path("manage/<slug:slug>/public-page/", include("safeguarding.public_site.manage_urls")),
    path("manage/<slug:slug>/audit/", include("safeguarding.accounts.audit_trail.urls")),
    path("manage/<slug:slug>/people/", include("safeguarding.accounts.people.urls")),
    path(
        "manage/<slug:slug>/setup/roles/", include("safeguarding.accounts.partnership_roles.urls")
    ),
    path("manage/<slug:slug>/setup/", include("safeguarding.workspace.setup.urls")),
    path("manage/<slug:slug>/milestones/", include("safeguarding.clock.urls")),
    path("manage/<slug:slug>/reviews/", include("safeguarding.reviews.urls")),
    path("manage/<slug:slug>/publication/", include("safeguarding.publication.urls")),
    path("manage/<slug:slug>/actions/", include("safeguarding.actions.urls")),
    path(
        "manage/<slug:slug>/information-requests/",
        include("safeguarding.information_requests.urls"),
    ),
    path("manage/<slug:slug>/library/", include("safeguarding.library.urls")),
    path("manage/<slug:slug>/digests/", include("safeguarding.digests.urls")),
    path("manage/<slug:slug>/reports/", include("safeguarding.reports.urls")),
    path("manage/<slug:slug>/records/", include("safeguarding.records.urls")),
    path("manage/<slug:slug>/", include("safeguarding.referrals.staff_urls")),
    path("<slug:slug>/refer/", include("safeguarding.referrals.public_urls")),
    path("<slug:slug>/published/", include("safeguarding.publication.public_urls")),
    path("<slug:slug>/", include("safeguarding.library.public_urls")),
    path("<slug:slug>/digests/", include("safeguarding.digests.public_urls")),
    path("", include("safeguarding.public_site.urls")),
]

handler403 = "safeguarding.core.errors_views.permission_denied"
handler404 = "safeguarding.core.errors_views.page_not_found"
handler500 = "safeguarding.core.errors_views.server_error"
