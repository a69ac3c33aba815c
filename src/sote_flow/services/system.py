"""The system actors: who deploys and seeds when no person is logged in (CLI, demo), and
who acts for the public pages."""

from __future__ import annotations

from sote_flow.domain.roles import Role
from sote_flow.services.actors import Actor

SYSTEM_ACTOR = Actor(
    user_id=0,
    username="system",
    display_name="sote-flow",
    roles=frozenset({Role.ADMINISTRATOR}),
    groups=frozenset(),
)

# The public pages (no sign-in) act for the client advisory, which answers what comes in: the
# actor may start the cases a public form starts and nothing else (it belongs to no group and
# owns no task).
PUBLIC_WEB_ACTOR = Actor(
    user_id=0,
    username="verkkosivu",
    display_name="Julkinen verkkosivu",
    roles=frozenset({Role.CLIENT_ADVISOR}),
    groups=frozenset(),
)
