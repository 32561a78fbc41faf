from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device


class TwoFactorMiddleware:
    """Finish two-factor sign-in before anything else.

    A user who has a TOTP device must enter a code after their password; when
    TWO_FACTOR_REQUIRED is on (production), a user without one must set one up first.
    Until then only the two-factor pages, sign-out and static files are reachable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified():
            allowed = {
                reverse("accounts:two_factor_verify"),
                reverse("accounts:two_factor_setup"),
                reverse("accounts:sign_out"),
            }
            if request.path not in allowed and not request.path.startswith(settings.STATIC_URL):
                if user_has_device(user, confirmed=True):
                    return redirect(f"{reverse('accounts:two_factor_verify')}")
                if settings.TWO_FACTOR_REQUIRED:
                    return redirect(reverse("accounts:two_factor_setup"))
        return self.get_response(request)
