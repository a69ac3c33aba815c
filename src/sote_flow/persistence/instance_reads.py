"""Reads of one instance that stay the same size however long its life: the newest rows only."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sote_flow.persistence.models import CaseStateChange


class InstanceReads:
    def __init__(self, session: Session) -> None:
        self.session = session

    def newest_state_changes(self, instance_id: int, limit: int) -> list[CaseStateChange]:
        """Return a case's newest `limit` state changes, oldest of them first.

        Changes are appended in time order under the instance's lock, so the id orders them; the
        instance_id index (which ends in the row id on SQLite) serves the newest without a sort.
        """
        query = (
            select(CaseStateChange)
            .where(CaseStateChange.instance_id == instance_id)
            .order_by(CaseStateChange.id.desc())
            .limit(limit)
        )
        rows = list(self.session.scalars(query).all())
        return sorted(rows, key=lambda change: (change.at, change.id))
