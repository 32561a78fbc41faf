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
        # Who may do what (ADR 0011): the people pages, the system administration site and the
        # safety net that audits changes made anywhere else.
        register_actions(
            {
                "user.access_changed": (
                    "Changed an account's superuser, staff or active flag "
                    "(outside the people pages)"
                ),
                "user.system_admin_granted": "Made a system administrator (manage.py)",
                "user.system_admin_removed": "Stopped being a system administrator (manage.py)",
                "system_admin.refused": (
                    "Was refused the system administration site (not a superuser)"
                ),
                "membership.added": "Was given a role (outside the people pages)",
                "membership.changed": "Had a role changed (outside the people pages)",
                "membership.removed": "Had a role removed (outside the people pages)",
                "person.invited": "Invited a person to the partnership",
                "person.invitation_resent": "Sent an invitation again",
                "person.invitation_cancelled": "Cancelled an invitation",
                "person.invitation_accepted": "Accepted an invitation and joined the partnership",
                "person.roles_changed": "Changed a person's roles or agency",
                "person.deactivated": "Deactivated a person in the partnership",
                "person.reactivated": "Reactivated a person in the partnership",
                "person.change_refused": "Was refused a change to who may do what",
            }
        )
        # Working Together 2023 roles (docs/rules.md §partnership-roles).
        register_actions(
            {
                "partnership_role.recorded": (
                    "Recorded a Lead or Delegated Safeguarding Partner or the partnership chair"
                ),
                "partnership_role.changed": "Changed the details of a partnership role",
                "partnership_role.ended": "Ended a partnership role",
            }
        )
        from . import access_audit, signals  # noqa: F401
