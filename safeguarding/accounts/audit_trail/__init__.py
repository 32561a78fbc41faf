"""The business unit's audit trail page (``/manage/<partnership>/audit/``, URL name
``audit:trail``): its view, selector, filter form and permission. It sits above ``accounts``
because it reads memberships and roles; ``safeguarding.audit`` itself is only the recorder
(the table, the vocabulary and ``audit_record``) and imports nothing from accounts. Its
templates are still ``audit/trail.html`` and ``audit/_event_rows_table.html`` in the audit app."""
