"""The open-task projection's queries: what inboxes, queues and task actions read and change."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, defaultload, lazyload

from sote_flow.persistence.models import HumanTask, User

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

    def open_ids(self, instance_id: int) -> Sequence[str]:
        """Return the ids of an instance's open tasks."""
        return self.session.scalars(
            select(HumanTask.id).where(HumanTask.instance_id == instance_id)
        ).all()

    def delete_ids(self, task_ids: Iterable[str]) -> None:
        """Remove tasks that are no longer open."""
        ids = list(task_ids)
        if ids:
            self.session.execute(
                delete(HumanTask).where(HumanTask.id.in_(ids)),
                execution_options={"synchronize_session": False},
            )

    def get_fresh(self, task_id: str) -> HumanTask | None:
        """Re-read a task from the database, bypassing what this session already holds."""
        query = (
            select(HumanTask)
            .options(_ASSIGNEE_ONLY)
            .where(HumanTask.id == task_id)
            .execution_options(populate_existing=True)
        )
        return self.session.scalar(query)

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

    def add(self, task: HumanTask) -> None:
        """Stage a new open task."""
        self.session.add(task)
