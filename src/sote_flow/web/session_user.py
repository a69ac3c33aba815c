"""Flask-Login glue: the logged-in user wraps the Actor the use cases work with.

The cookie holds the user id and the secret of a session kept on the server: signing out ends
that session, and a session idle longer than the setting ends by itself, so a copied or saved
cookie stops working.
"""

from __future__ import annotations

from datetime import timedelta

from flask_login import UserMixin

from sote_flow.services.accounts import resume_session
from sote_flow.services.actors import Actor
from sote_flow.web.deps import clock, platform, unit_of_work
from sote_flow.web.extensions import login_manager


class SessionUser(UserMixin):  # type: ignore[misc]
    """A logged-in user and the secret of their server-side session."""

    def __init__(self, actor: Actor, session_token: str) -> None:
        self.actor = actor
        self.session_token = session_token
        self.id = f"{actor.user_id}.{session_token}"


@login_manager.user_loader  # type: ignore[untyped-decorator]
def load_user(session_id: str) -> SessionUser | None:
    """Reload the actor of a live session on every request (roles may have changed)."""
    user_id, _, token = session_id.partition(".")
    if not user_id.isdigit() or not token:
        return None
    idle = timedelta(minutes=platform().settings.session_idle_minutes)
    with unit_of_work() as uow:
        actor = resume_session(uow, clock(), int(user_id), token, idle)
    return SessionUser(actor, token) if actor else None
