import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device

from safeguarding.audit.services import audit_record

from . import selectors, services
from .forms import GovukPasswordHints, SecurityCodeForm, SignInForm

WRONG_CODE = (
    "The security code is wrong or has expired. Wait for the next code in your app, then enter it"
)


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass


@login_not_required
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


@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Set up an authenticator app: scan the QR code or type the key, then enter a code."""
    if request.user.is_verified():
        messages.info(request, "Two-factor sign-in is already set up for your account")
        return redirect("accounts:account")
    if user_has_device(request.user, confirmed=True):
        return redirect("accounts:two_factor_verify")
    device = services.totp_device_get_or_create_unconfirmed(user=request.user)
    form = SecurityCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.totp_device_confirm(
            user=request.user, device=device, code=form.cleaned_data["code"]
        ):
            otp_login(request, device)
            messages.success(request, "Two-factor sign-in is set up")
            return redirect(_safe_next(request))
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


def account(request):
    return render(
        request,
        "accounts/account.html",
        {
            "memberships": selectors.membership_list_for_user(user=request.user),
            "has_two_factor": user_has_device(request.user, confirmed=True),
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


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(action="user.password_reset", actor=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
