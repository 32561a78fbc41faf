from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "safeguarding.accounts"
    label = "accounts"
    verbose_name = "Partnerships, agencies and people"

    def ready(self) -> None:
        from safeguarding.audit.registry import register_actions

        register_actions(
            {
                "user.signed_in": "Signed in",
                "user.signed_out": "Signed out",
                "user.sign_in_failed": "Failed sign-in attempt",
                "user.locked_out": "Locked out after repeated failed sign-ins",
                "user.two_factor_set_up": "Set up two-factor sign-in",
                "user.two_factor_failed": "Entered a wrong security code",
                "user.two_factor_verified": "Entered a security code",
                "user.password_changed": "Changed their password",
                "user.password_reset": "Set a new password from a reset email",
                "user.password_reset_throttled": (
                    "Asked for a password reset email too many times in an hour: none sent"
                ),
                "user.lockout_cleared": "Sign-in lockout cleared by a password reset",
                "user.two_factor_email_sent": "Was emailed a code to set up two-factor sign-in",
                "user.two_factor_email_confirmed": (
                    "Entered the emailed code to set up two-factor sign-in"
                ),
                "user.session_ended": (
                    "Signed out: the session reached its longest allowed time since sign-in"
                ),
            }
        )
        from . import signals  # noqa: F401
