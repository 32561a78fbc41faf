from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm

from .email_addresses import email_normalise


class SignInForm(AuthenticationForm):
    """Email and password. The field is called "username" because Django and django-axes
    expect that name; the user sees "Email address"."""

    username = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )
    error_messages = {
        "invalid_login": "Enter a correct email address and password",
        "inactive": "This account has been switched off. Ask your business unit for help",
    }

    def clean_username(self) -> str:
        # Not case-sensitive: the account, the lockout count and the audit trail all see the
        # address in lower case.
        return email_normalise(self.cleaned_data["username"])


class SecurityCodeForm(forms.Form):
    code = forms.RegexField(
        label="Security code",
        regex=r"^\s*\d{6}\s*$",
        help_text="The 6-digit code shown in your authenticator app",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 8}
        ),
        error_messages={
            "required": "Enter the security code",
            "invalid": "The security code must be 6 digits",
        },
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


class EmailedCodeForm(forms.Form):
    code = forms.RegexField(
        label="Code from the email",
        regex=r"^\s*\d{6}\s*$",
        help_text="The 6-digit code we emailed to you",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 8}
        ),
        error_messages={
            "required": "Enter the code from the email",
            "invalid": "The code must be 6 digits",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        minutes = settings.OTP_EMAIL_TOKEN_VALIDITY // 60
        self.fields["code"].help_text += f". It works for {minutes} minutes"

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


STRONG_CHOICE_HINT = (
    "Use at least 12 characters. Do not use a common one, only numbers, "
    "or something like your name or email address"
)


class GovukPasswordHints:
    """Plain-text hints for Django's password forms (their default hint is HTML)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "new_password1" in self.fields:
            self.fields["new_password1"].help_text = STRONG_CHOICE_HINT
            self.fields["new_password2"].label = "Confirm new password"
