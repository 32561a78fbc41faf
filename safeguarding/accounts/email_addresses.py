"""Email addresses are the sign-in names and are not case-sensitive: Sam.Smith@x and
sam.smith@x are one person. One rule, used by the user model, the sign-in form, the lockout
(django-axes) and the password reset limits."""


def email_normalise(value: str) -> str:
    return value.strip().lower()


def axes_username(request, credentials: dict | None = None) -> str:
    """The name django-axes counts failed sign-ins against (AXES_USERNAME_CALLABLE)."""
    source = credentials if credentials else getattr(request, "POST", {})
    return email_normalise(str(source.get("username") or ""))
