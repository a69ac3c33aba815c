"""Flask-Login glue: the logged-in user wraps the Actor the use cases work with."""

from __future__ import annotations

from flask_login import UserMixin

from sote_flow.services.accounts import actor_for_user_id
from sote_flow.services.actors import Actor
from sote_flow.web.deps import unit_of_work
from sote_flow.web.extensions import login_manager


class SessionUser(UserMixin):  # type: ignore[misc]
    """A logged-in user."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.id = str(actor.user_id)


@login_manager.user_loader  # type: ignore[untyped-decorator]
def load_user(user_id: str) -> SessionUser | None:
    """Reload the actor for a session on every request (roles may have changed)."""
    if not user_id.isdigit():
        return None
    with unit_of_work() as uow:
        actor = actor_for_user_id(uow, int(user_id))
    return SessionUser(actor) if actor else None
