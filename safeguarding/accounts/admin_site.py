"""The system administration site (/admin/) is for superusers only (ADR 0011).

Django's own site lets in any active ``is_staff`` user and shows them what their model
permissions allow: a staff account with "change user" could tick its own superuser box and
give itself a business unit membership in one POST. Here ``is_staff`` is not enough: only an
active superuser gets in, and superuser status is given only by ``manage.py createsuperuser``
or ``manage.py grant_system_admin`` (both audited). A signed-in person who is not a superuser is
refused with the 403 page (not sent round to the sign-in page, which would send them back), and
the refusal is audited.
"""

from functools import update_wrapper

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied


def is_system_admin(user) -> bool:
    return bool(user is not None and user.is_active and user.is_superuser)


class SystemAdminSite(AdminSite):
    site_header = "Manage safeguarding reviews: system administration"
    site_title = "System administration"

    def has_permission(self, request) -> bool:
        return is_system_admin(request.user)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def refuse_signed_in_non_superusers(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                from safeguarding.audit.services import audit_record

                audit_record(
                    action="system_admin.refused",
                    actor=request.user,
                    payload={"method": request.method, "path": request.path[:200]},
                )
                raise PermissionDenied("Only system administrators may use this site")
            return inner(request, *args, **kwargs)

        return update_wrapper(refuse_signed_in_non_superusers, view)


class SystemAdminConfig(AdminConfig):
    """Used in INSTALLED_APPS instead of "django.contrib.admin"."""

    default_site = "safeguarding.accounts.admin_site.SystemAdminSite"
