"""The staff directory: family workers and what handlers may know of them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sote_flow.persistence.models import FamilyWorker, User


class StaffRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def active_family_workers(self) -> list[tuple[str, str, FamilyWorker]]:
        """Return (username, display name, worker) of active family workers, by username."""
        query = (
            select(User.username, User.display_name, FamilyWorker)
            .join(FamilyWorker, FamilyWorker.user_id == User.id)
            .where(FamilyWorker.active.is_(True), User.active.is_(True))
            .order_by(User.username)
        )
        return [(username, name, worker) for username, name, worker in self.session.execute(query)]
