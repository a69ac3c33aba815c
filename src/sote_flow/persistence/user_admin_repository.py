"""Queries for the administration of users and groups."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, func, or_, select, true
from sqlalchemy.orm import Session, undefer

from sote_flow.persistence.models import (
    Group,
    HumanTask,
    ProcessInstance,
    ProcessVersion,
    User,
    UserGroup,
)


class UserAdminQueries:
    def __init__(self, session: Session) -> None:
        self.session = session

    def search(self, text: str, limit: int, offset: int) -> Sequence[User]:
        """Return a page of users whose username or display name contains `text`, by username."""
        query = select(User).where(_matching(text)).order_by(User.username)
        return self.session.scalars(query.limit(limit).offset(offset)).all()

    def count(self, text: str) -> int:
        """Count the users whose username or display name contains `text`."""
        query = select(func.count()).select_from(User).where(_matching(text))
        return self.session.scalar(query) or 0

    def by_usernames(self, usernames: Iterable[str]) -> Sequence[User]:
        """Return the users with these usernames, by username (unknown names are left out)."""
        names = list(usernames)
        query = select(User).where(User.username.in_(names)).order_by(User.username)
        return self.session.scalars(query).all() if names else []

    def members(self, group_id: int) -> Sequence[User]:
        """Return the members of a group, by username."""
        query = (
            select(User)
            .join(UserGroup, UserGroup.user_id == User.id)
            .where(UserGroup.group_id == group_id)
            .order_by(User.username)
        )
        return self.session.scalars(query).all()

    def groups_with_members(self) -> Sequence[tuple[Group, Sequence[User]]]:
        """Return every group, by name, with its members."""
        groups = self.session.scalars(select(Group).order_by(Group.name)).all()
        pairs = self.session.execute(
            select(UserGroup.group_id, User).join(User, User.id == UserGroup.user_id)
        ).all()
        members: dict[int, list[User]] = {}
        for group_id, user in pairs:
            members.setdefault(group_id, []).append(user)
        return [
            (group, sorted(members.get(group.id, []), key=lambda u: u.username)) for group in groups
        ]

    def empty_group_names(self) -> Sequence[str]:
        """Return the names of the groups that have no active member."""
        active = (
            select(UserGroup.group_id)
            .join(User, User.id == UserGroup.user_id)
            .where(User.active.is_(True))
        )
        query = select(Group.name).where(Group.id.not_in(active)).order_by(Group.name)
        return self.session.scalars(query).all()

    def tasks_of(self, user_id: int) -> Sequence[HumanTask]:
        """Return every open task assigned to a user, oldest first."""
        query = (
            select(HumanTask)
            .where(HumanTask.assignee_id == user_id)
            .order_by(HumanTask.created_at, HumanTask.id)
        )
        return self.session.scalars(query).all()

    def instances(self, instance_ids: Iterable[int]) -> Sequence[ProcessInstance]:
        """Return these instances, by id."""
        ids = sorted(set(instance_ids))
        query = select(ProcessInstance).where(ProcessInstance.id.in_(ids))
        return self.session.scalars(query.order_by(ProcessInstance.id)).all() if ids else []

    def versions_with_files(self) -> Sequence[ProcessVersion]:
        """Return every deployed version with its files, by key and version."""
        query = (
            select(ProcessVersion)
            .options(undefer(ProcessVersion.files))
            .order_by(ProcessVersion.key, ProcessVersion.version)
        )
        return self.session.scalars(query).all()


def _matching(text: str) -> ColumnElement[bool]:
    # A plain substring search: % and _ typed by the user match themselves, not patterns.
    needle = text.strip().lower()
    if not needle:
        return true()
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(
        func.lower(User.username).like(pattern, escape="\\"),
        func.lower(User.display_name).like(pattern, escape="\\"),
    )
