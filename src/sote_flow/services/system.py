"""The system actor: who deploys and seeds when no person is logged in (CLI, demo)."""

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
