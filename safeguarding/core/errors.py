"""Errors that services raise. Views turn them into GOV.UK error messages."""


class ServiceError(Exception):
    """A domain rule refused an operation; the message is safe to show to the user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
