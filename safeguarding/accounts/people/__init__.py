"""People management for a partnership, without the Django admin (issue 13 item 2, issue 12
item 2, ADR 0011): the list of people and invitations under ``/manage/<partnership>/people/``,
inviting by email, accepting an invitation (``/invitation/<token>/``), changing roles and
agency memberships, deactivating and reactivating. Every change goes through ``services.py``
(one transaction, audited); who may give which role is ``permissions.py``."""
