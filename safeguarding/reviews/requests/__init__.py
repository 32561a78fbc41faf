"""Asking agencies for information and receiving their returns: requests with due dates (R9),
chasing, versioned returns with an attachment, the agency contributor's own list, and the
reminders before and after the due date (``reminders.py``, a source of the clock's reminder
engine)."""
