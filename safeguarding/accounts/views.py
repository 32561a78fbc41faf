import base64
import datetime
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_safe
from django_otp import login as otp_login
from django_otp import user_has_device

from safeguarding.audit.services import audit_record
from safeguarding.core.client_address import client_address
from safeguarding.core.errors import ServiceError

from . import selectors, services
from .forms import EmailedCodeForm, GovukPasswordHints, SecurityCodeForm, SignInForm
from .middleware import has_confirmed_device

WRONG_CODE = (
    "The security code is wrong or has expired. Wait for the next code in your app, then enter it"
)
WRONG_EMAILED_CODE = (
    "The code is wrong or has expired. Check it is from the newest email, or send a new code"
)
# Session keys of the set-up's email step: when a code was sent, when it was entered.
EMAIL_CODE_SENT_AT = "two_factor_email_sent_at"
EMAIL_CODE_CONFIRMED_AT = "two_factor_email_confirmed_at"


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass


@login_not_required
@require_safe
def signed_out(request):
    return render(request, "accounts/signed_out.html")


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("workspace:staff_home")


@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """Second step of sign-in: the code from the user's authenticator app."""
    if request.user.is_verified():
        return redirect(_safe_next(request))
    if not user_has_device(request.user, confirmed=True):
        return redirect("accounts:two_factor_setup")
    form = SecurityCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.totp_verify(user=request.user, code=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_safe_next(request))
        form.add_error("code", WRONG_CODE)
    return render(request, "accounts/two_factor_verify.html", {"form": form})


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def _email_confirmed_at(request) -> datetime.datetime | None:
    """When this session entered the emailed set-up code, if recently enough to count."""
    stamp = request.session.get(EMAIL_CODE_CONFIRMED_AT)
    if stamp is None:
        return None
    confirmed_at = datetime.datetime.fromtimestamp(stamp, tz=datetime.UTC)
    return confirmed_at if services.two_factor_email_confirmation_current(confirmed_at) else None


def _two_factor_email_step(request):
    """Set-up, first step: a code emailed to the user, so that a password alone cannot enrol
    an authenticator app."""
    action = request.POST.get("action") if request.method == "POST" else None
    form = EmailedCodeForm(request.POST if action == "confirm" else None)
    if action == "send":
        if services.two_factor_email_send(user=request.user):
            request.session[EMAIL_CODE_SENT_AT] = timezone.now().timestamp()
            messages.success(request, f"We have emailed a code to {request.user.email}")
        else:
            messages.info(
                request, "We sent a code less than a minute ago. Wait a minute to ask again"
            )
        return HttpResponseRedirect(request.get_full_path())
    if action == "confirm" and form.is_valid():
        if services.two_factor_email_confirm(user=request.user, code=form.cleaned_data["code"]):
            request.session[EMAIL_CODE_CONFIRMED_AT] = timezone.now().timestamp()
            request.session.pop(EMAIL_CODE_SENT_AT, None)
            return HttpResponseRedirect(request.get_full_path())
        form.add_error("code", WRONG_EMAILED_CODE)
    return render(
        request,
        "accounts/two_factor_email.html",
        {
            "form": form,
            "email": request.user.email,
            "code_sent": EMAIL_CODE_SENT_AT in request.session,
            "next": request.POST.get("next") or request.GET.get("next") or "",
        },
    )


@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Set up an authenticator app: first a code emailed to the user, then scan the QR code or
    type the key, then enter a code from the app."""
    if request.user.is_verified():
        messages.info(request, "Two-factor sign-in is already set up for your account")
        return redirect("accounts:account")
    if user_has_device(request.user, confirmed=True):
        return redirect("accounts:two_factor_verify")
    email_confirmed_at = _email_confirmed_at(request)
    if email_confirmed_at is None:
        return _two_factor_email_step(request)
    device = services.totp_device_get_or_create_unconfirmed(user=request.user)
    form = SecurityCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            confirmed = services.totp_device_confirm(
                user=request.user,
                device=device,
                code=form.cleaned_data["code"],
                email_confirmed_at=email_confirmed_at,
            )
        except ServiceError as error:
            form.add_error("code", error.message)
            confirmed = False
        if confirmed:
            request.session.pop(EMAIL_CODE_CONFIRMED_AT, None)
            otp_login(request, device)
            messages.success(request, "Two-factor sign-in is set up")
            return redirect(_safe_next(request))
        if not form.errors:
            form.add_error("code", WRONG_CODE)
    key = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "secret_key": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
            "qr_svg": _qr_svg(device.config_url),
        },
    )


@require_safe
def account(request):
    return render(
        request,
        "accounts/account.html",
        {
            "memberships": selectors.membership_list_for_user(user=request.user),
            "has_two_factor": has_confirmed_device(request.user),
        },
    )


class PasswordChangeForm(GovukPasswordHints, auth_forms.PasswordChangeForm):
    pass


class SetPasswordForm(GovukPasswordHints, auth_forms.SetPasswordForm):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(action="user.password_changed", actor=self.request.user)
        messages.success(self.request, "Your password has been changed")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_sent")

    def form_valid(self, form):
        # Over the limit, nothing is sent, and the page says the same as when an email is
        # sent or the address has no account: it reveals nothing about the address.
        if not services.password_reset_request_allowed(
            email=form.cleaned_data["email"],
            client_address=client_address(self.request),
        ):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_reset_completed(user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
