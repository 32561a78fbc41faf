"""The demo's people pages: one invitation still waiting to be accepted (fictional).

Made through the people service like a real one; the demo loader keeps emails in memory, so the
invitation's link is neither printed nor stored (only a hash of its token is kept)."""

from safeguarding.accounts.models import Partnership, Role, User
from safeguarding.accounts.people import services as people_services

# (partnership slug, email, full name, roles, invited by)
INVITATIONS = [
    (
        "riverton-safeguarding",
        "jordan.ellis@riverton.example",
        "Jordan Ellis",
        [Role.PANEL_MEMBER],
        "business.unit@riverton.example",
    ),
]


def load_demo_invitations(*, partnerships: dict[str, Partnership], users: dict[str, User]) -> None:
    for slug, email, full_name, roles, inviter in INVITATIONS:
        people_services.invitation_create(
            partnership=partnerships[slug],
            actor=users[inviter],
            email=email,
            full_name=full_name,
            roles=roles,
            agency=None,
        )
