"""The open-task projection's queries: what inboxes, queues and task actions read and change."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Integer, String, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session, defaultload, lazyload

from sote_flow.persistence.models import HumanTask, ProcessInstance, User

_TASKS = cast(Table, HumanTask.__table__)


@dataclass(frozen=True)
class OpenTask:
    """One row of the open-task projection, as a save wrote it."""

    id: str
    instance_id: int
    process_key: str
    element_id: str
    title: str
    group_name: str | None
    assignee_id: int | None
    form_file: str | None
    claimable: bool
    created_at: datetime
    due_at: datetime | None


# A task's assignee is joined for its username; the assignee's roles and groups (two more
# SELECTs each time) are not read where tasks are listed or locked, so they load only on demand.
_ASSIGNEE_ONLY = defaultload(HumanTask.assignee).options(
    lazyload(User.roles), lazyload(User.groups)
)


class TaskRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, task_id: str) -> HumanTask | None:
        """Return an open task by id, or None."""
        return self.session.get(HumanTask, task_id)

    def take_open(self, instance_id: int) -> dict[str, OpenTask]:
        """Delete an instance's open-task rows; return them by id (to write back those still
        open, with their claims, by `put_open`)."""
        rows = self.session.execute(
            delete(HumanTask).where(HumanTask.instance_id == instance_id).returning(*_TASKS.c),
            execution_options={"synchronize_session": False},
        )
        return {row.id: OpenTask(**row._mapping) for row in rows}

    def put_open(self, rows: Sequence[Mapping[str, Any]]) -> list[OpenTask]:
        """Write open-task rows in one statement; a row's `assignee_name` (a username) gives its
        assignee unless it has an `assignee_id` already. Returns the rows as written (in no set
        order)."""
        if not rows:
            return []
        named = select(User.id).where(User.username == bindparam("v_assignee_name", type_=String))
        assignee = func.coalesce(bindparam("v_assignee_id", type_=Integer), named.scalar_subquery())
        columns = [c.name for c in _TASKS.c if c.name != "assignee_id"]
        statement = (
            insert(_TASKS)
            .values({**{name: bindparam(f"v_{name}") for name in columns}, "assignee_id": assignee})
            .returning(*_TASKS.c)
        )
        params = [{f"v_{key}": value for key, value in row.items()} for row in rows]
        written = self.session.execute(statement, params)
        return [OpenTask(**row._mapping) for row in written]

    def lock_open(self, task_id: str) -> tuple[ProcessInstance, HumanTask] | None:
        """Return an open task and its instance, both locked until commit (None if closed).

        One statement: locking the task row too means that, after waiting for another
        transaction, PostgreSQL reads the task as that one left it (or finds it gone).
        """
        query = (
            select(ProcessInstance, HumanTask)
            .join(HumanTask, HumanTask.instance_id == ProcessInstance.id)
            .where(HumanTask.id == task_id)
            .options(lazyload(HumanTask.assignee))
            .with_for_update(of=(ProcessInstance, HumanTask))
            .execution_options(populate_existing=True)
        )
        row = self.session.execute(query).one_or_none()
        return (row[0], row[1]) if row is not None else None

    def for_instance(self, instance_id: int) -> Sequence[HumanTask]:
        """Return the open tasks of an instance, oldest first."""
        query = (
            select(HumanTask)
            .options(_ASSIGNEE_ONLY)
            .where(HumanTask.instance_id == instance_id)
            .order_by(HumanTask.created_at, HumanTask.id)
        )
        return self.session.scalars(query).all()

    def assigned_to(self, user_id: int, limit: int, offset: int = 0) -> Sequence[HumanTask]:
        """Return a page of the open tasks assigned to a user, oldest first."""
        query = (
            select(HumanTask)
            .options(_ASSIGNEE_ONLY)
            .where(HumanTask.assignee_id == user_id)
            .order_by(HumanTask.created_at, HumanTask.id)
            .limit(limit)
            .offset(offset)
        )
        return self.session.scalars(query).all()

    def unassigned_in_groups(
        self, group_names: Sequence[str], limit: int, offset: int = 0
    ) -> Sequence[HumanTask]:
        """Return a page of the unclaimed open tasks of the given groups, oldest first."""
        query = (
            select(HumanTask)
            .options(_ASSIGNEE_ONLY)
            .where(HumanTask.group_name.in_(group_names), HumanTask.assignee_id.is_(None))
            .order_by(HumanTask.created_at, HumanTask.id)
            .limit(limit)
            .offset(offset)
        )
        return self.session.scalars(query).all()

    def count_assigned_to(self, user_id: int) -> int:
        """Count the open tasks assigned to a user."""
        query = select(func.count()).select_from(HumanTask).where(HumanTask.assignee_id == user_id)
        return self.session.scalar(query) or 0

    def count_unassigned_in_groups(self, group_names: Sequence[str]) -> int:
        """Count the unclaimed open tasks of the given groups."""
        query = (
            select(func.count())
            .select_from(HumanTask)
            .where(HumanTask.group_name.in_(group_names), HumanTask.assignee_id.is_(None))
        )
        return self.session.scalar(query) or 0

    def set_assignee_if(self, task_id: str, expected: int | None, new: int | None) -> bool:
        """Atomically change the assignee when it is still `expected`; False if it was not."""
        query = update(HumanTask).where(HumanTask.id == task_id)
        if expected is None:
            query = query.where(HumanTask.assignee_id.is_(None))
        else:
            query = query.where(HumanTask.assignee_id == expected)
        result = self.session.execute(query.values(assignee_id=new))
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]
