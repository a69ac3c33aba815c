"""The acting user, as every use case sees it, and the permission checks on it."""

from __future__ import annotations

from dataclasses import dataclass

from sote_flow.domain.errors import PermissionDenied
from sote_flow.domain.roles import READ_ONLY_ROLES, Role
from sote_flow.domain.text import t
from sote_flow.persistence.models import User

# Roles that may read every instance (oversight); auditors read with purpose "valvonta".
OVERSIGHT_ROLES = frozenset({Role.AUDITOR, Role.SERVICE_MANAGER, Role.ADMINISTRATOR})


@dataclass(frozen=True)
class Actor:
    """An authenticated user with roles and group memberships."""

    user_id: int
    username: str
    display_name: str
    roles: frozenset[Role]
    groups: frozenset[str]

    @property
    def read_only(self) -> bool:
        """True when every role the user holds only reads (an auditor changes nothing)."""
        return bool(self.roles) and self.roles <= READ_ONLY_ROLES

    @property
    def oversees(self) -> bool:
        """True when the user may read every instance."""
        return bool(self.roles & OVERSIGHT_ROLES)

    def has_role(self, *roles: Role) -> bool:
        """True when the user holds any of `roles`."""
        return bool(self.roles & set(roles))

    @property
    def purpose(self) -> str:
        """The default reason this user reads client data, for the access log."""
        return "valvonta" if Role.AUDITOR in self.roles else "asiakasasian käsittely"


def actor_from_user(user: User) -> Actor:
    """Build the actor for a loaded user."""
    roles = frozenset(Role(r.role) for r in user.roles)
    groups = frozenset(g.name for g in user.groups)
    return Actor(user.id, user.username, user.display_name, roles, groups)


def require_writer(actor: Actor) -> None:
    """Refuse any change by a read-only user."""
    if actor.read_only:
        raise PermissionDenied(t("Tarkastajan rooli ei voi muuttaa tietoja."))


def require_role(actor: Actor, *roles: Role) -> None:
    """Refuse unless the actor holds one of `roles`."""
    if not actor.has_role(*roles):
        raise PermissionDenied(t("Sinulla ei ole tähän tarvittavaa roolia."))
