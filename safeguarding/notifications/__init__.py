"""Who is told what at each hand-off (DESIGN §5): one ``notify()`` (services.py) writes a
notification per person in the caller's transaction, shows it on their "Your notifications"
page, and emails it after the commit, through GOV.UK Notify when configured or Django's mail
otherwise (the one email transport, ``core/email_transport.py``). Calendar invitations (.ics)
are built by calendar.py. ADR 0009.
"""
