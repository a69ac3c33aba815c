"""Repositories: the queries each use case needs, in one place per aggregate."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, joinedload

# Re-exported so the unit of work imports every repository from here.
from sote_flow.persistence.access_log import AccessLog
from sote_flow.persistence.history import HistoryLog
from sote_flow.persistence.models import (
    ApiToken,
    DueTimer,
    Group,
    HumanTask,
    ProcessInstance,
    ProcessVersion,
    User,
    UserGroup,
    UserRole,
)
from sote_flow.persistence.outbox_repository import MessageRepository, OutboxRepository
from sote_flow.persistence.staff_repository import StaffRepository
from sote_flow.persistence.task_repository import TaskRepository

__all__ = [
    "AccessLog",
    "HistoryLog",
    "InstanceRepository",
    "MessageRepository",
    "OutboxRepository",
    "ProcessRepository",
    "StaffRepository",
    "TaskRepository",
    "UserRepository",
]


@dataclass(frozen=True)
class Member:
    """A user's id, names, role names and group names."""

    user_id: int
    username: str
    display_name: str
    roles: frozenset[str]
    groups: frozenset[str]


# A user's roles and groups joined into the user's own SELECT: the model loads them with two
# more SELECTs otherwise, and every caller of these queries reads them.
_WITH_MEMBERSHIPS = (joinedload(User.roles), joinedload(User.groups))


class UserRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, user_id: int) -> User | None:
        """Return the user with `user_id`, or None."""
        return self.session.get(User, user_id)

    def by_username(self, username: str) -> User | None:
        """Return the user called `username` (roles and groups in the same SELECT), or None."""
        query = select(User).options(*_WITH_MEMBERSHIPS).where(User.username == username)
        return self.session.scalars(query).unique().one_or_none()

    def display_names(self, usernames: Iterable[object]) -> dict[str, str]:
        """Return username -> display name for the given usernames (unknown ones left out)."""
        wanted = {str(name) for name in usernames if name}
        if not wanted:
            return {}
        rows = self.session.execute(
            select(User.username, User.display_name).where(User.username.in_(wanted))
        )
        return {username: shown or username for username, shown in rows}

    def add(self, user: User) -> None:
        """Stage a new user."""
        self.session.add(user)

    def group(self, name: str) -> Group | None:
        """Return the group called `name`, or None."""
        return self.session.scalar(select(Group).where(Group.name == name))

    def groups(self) -> Sequence[Group]:
        """Return every group, by name."""
        return self.session.scalars(select(Group).order_by(Group.name)).all()

    def add_group(self, group: Group) -> None:
        """Stage a new group and assign its id."""
        self.session.add(group)
        self.session.flush()

    def add_token(self, token: ApiToken) -> None:
        """Stage a new API token."""
        self.session.add(token)

    def member_by_token_hash(self, token_hash: str, now: datetime) -> Member | None:
        """Return the active user owning an unexpired token with this hash, with roles and
        groups, or None."""
        # Every API request asks this: one Core SELECT (a row per role x group), no ORM objects.
        query = (
            select(User.id, User.username, User.display_name, UserRole.role, Group.name)
            .join(ApiToken, ApiToken.user_id == User.id)
            .outerjoin(UserRole, UserRole.user_id == User.id)
            .outerjoin(UserGroup, UserGroup.user_id == User.id)
            .outerjoin(Group, Group.id == UserGroup.group_id)
            .where(ApiToken.token_hash == token_hash, ApiToken.expires_at > now, User.active)
        )
        rows = self.session.execute(query).all()
        if not rows:
            return None
        user_id, username, display_name = rows[0][:3]
        return Member(
            user_id,
            username,
            display_name,
            frozenset(row[3] for row in rows if row[3] is not None),
            frozenset(row[4] for row in rows if row[4] is not None),
        )

    def active_emails(
        self, *, group: str | None = None, role: str | None = None, username: str | None = None
    ) -> list[str]:
        """Return the distinct e-mail addresses, sorted, of active users in a group, with a role,
        or of one user (the first of `group`, `role`, `username` given decides)."""
        recipients = self.active_recipients(group=group, role=role, username=username)
        return [address for address, _ in recipients]

    def active_recipients(
        self, *, group: str | None = None, role: str | None = None, username: str | None = None
    ) -> list[tuple[str, str | None]]:
        """Return (address, chosen locale) of the active users `active_emails` would, sorted by
        address, one per address."""
        query = select(User.email, User.locale).where(User.active, User.email.is_not(None))
        if group:
            query = (
                query.join(UserGroup, UserGroup.user_id == User.id)
                .join(Group, Group.id == UserGroup.group_id)
                .where(Group.name == group)
            )
        elif role:
            query = query.join(UserRole, UserRole.user_id == User.id).where(UserRole.role == role)
        else:
            query = query.where(User.username == username)
        found: dict[str, str | None] = {}
        for address, locale in self.session.execute(query.order_by(User.id)):
            if address:
                found.setdefault(address, locale)
        return sorted(found.items())


class ProcessRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, version_id: int) -> ProcessVersion | None:
        """Return a deployed version by id, or None."""
        return self.session.get(ProcessVersion, version_id)

    def latest(self, key: str) -> ProcessVersion | None:
        """Return the newest deployed version of process `key`, or None."""
        query = (
            select(ProcessVersion)
            .where(ProcessVersion.key == key)
            .order_by(ProcessVersion.version.desc())
            .limit(1)
        )
        return self.session.scalar(query)

    def by_checksum(self, key: str, checksum: str) -> ProcessVersion | None:
        """Return the version of `key` with identical content, or None."""
        query = select(ProcessVersion).where(
            ProcessVersion.key == key, ProcessVersion.checksum == checksum
        )
        return self.session.scalar(query)

    def latest_of_each(self) -> Sequence[ProcessVersion]:
        """Return the newest version of every process, by key."""
        newest = (
            select(ProcessVersion.key, func.max(ProcessVersion.version).label("v"))
            .group_by(ProcessVersion.key)
            .subquery()
        )
        query = (
            select(ProcessVersion)
            .join(
                newest,
                (ProcessVersion.key == newest.c.key) & (ProcessVersion.version == newest.c.v),
            )
            .order_by(ProcessVersion.key)
        )
        return self.session.scalars(query).all()

    def by_number(self, key: str, number: int) -> ProcessVersion | None:
        """Return version `number` of process `key`, or None."""
        query = select(ProcessVersion).where(
            ProcessVersion.key == key, ProcessVersion.version == number
        )
        return self.session.scalar(query)

    def versions_of(self, key: str) -> Sequence[ProcessVersion]:
        """Return every version of process `key`, newest first."""
        query = (
            select(ProcessVersion)
            .where(ProcessVersion.key == key)
            .order_by(ProcessVersion.version.desc())
        )
        return self.session.scalars(query).all()

    def all_versions(self) -> Sequence[ProcessVersion]:
        """Return every version of every process, by key and newest first."""
        query = select(ProcessVersion).order_by(ProcessVersion.key, ProcessVersion.version.desc())
        return self.session.scalars(query).all()

    def add(self, version: ProcessVersion) -> None:
        """Stage a new version and assign its id."""
        self.session.add(version)
        self.session.flush()


class InstanceRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, instance_id: int) -> ProcessInstance | None:
        """Return an instance by id, or None."""
        return self.session.get(ProcessInstance, instance_id)

    def lock(self, instance_id: int) -> ProcessInstance | None:
        """Return an instance locked against concurrent changes until commit."""
        query = (
            select(ProcessInstance)
            .where(ProcessInstance.id == instance_id)
            .with_for_update(of=ProcessInstance)
        )
        return self.session.scalar(query)

    def get_for_update_by_task(self, task_id: str) -> ProcessInstance | None:
        """Return the instance an open task belongs to, locked until commit (None if closed)."""
        query = (
            select(ProcessInstance)
            .join(HumanTask, HumanTask.instance_id == ProcessInstance.id)
            .where(HumanTask.id == task_id)
            .with_for_update(of=ProcessInstance)
        )
        return self.session.scalar(query)

    def due_ids(self, now: datetime, limit: int) -> Sequence[int]:
        """Return running instances with a timer due before `now`, most overdue first."""
        query = (
            select(ProcessInstance.id)
            .where(ProcessInstance.next_timer_at < now, ProcessInstance.status == "running")
            .order_by(ProcessInstance.next_timer_at)
            .limit(limit)
        )
        return self.session.scalars(query).all()

    def lock_if_due(self, instance_id: int, now: datetime) -> ProcessInstance | None:
        """Lock an instance whose timer is still due; None if it is not, or another has it.

        SKIP LOCKED lets any number of schedulers share one PostgreSQL: each due instance is
        taken by exactly one of them. (SQLite runs one writer at a time, so it has no need.)
        """
        query = (
            select(ProcessInstance)
            .where(
                ProcessInstance.id == instance_id,
                ProcessInstance.next_timer_at < now,
                ProcessInstance.status == "running",
            )
            .with_for_update(of=ProcessInstance, skip_locked=True)
        )
        return self.session.scalar(query)

    def next_timer_at(self) -> datetime | None:
        """Return the earliest due time of any running instance's timer."""
        query = select(func.min(ProcessInstance.next_timer_at)).where(
            ProcessInstance.status == "running"
        )
        return self.session.scalar(query)

    def add(self, instance: ProcessInstance) -> None:
        """Stage a new instance and assign its id."""
        self.session.add(instance)
        self.session.flush()

    def recent(
        self,
        limit: int = 50,
        offset: int = 0,
        started_by: str | None = None,
        status: str | None = None,
    ) -> Sequence[ProcessInstance]:
        """Return the most recently changed instances, optionally only some starter's or state's."""
        query = select(ProcessInstance)
        if started_by is not None:
            query = query.where(ProcessInstance.started_by == started_by)
        if status is not None:
            query = query.where(ProcessInstance.status == status)
        query = query.order_by(ProcessInstance.updated_at.desc(), ProcessInstance.id.desc())
        return self.session.scalars(query.limit(limit).offset(offset)).all()

    def in_error(self, limit: int) -> Sequence[ProcessInstance]:
        """Return the instances in error, most recently changed first."""
        query = (
            select(ProcessInstance)
            .where(ProcessInstance.status == "error")
            .order_by(ProcessInstance.updated_at.desc())
            .limit(limit)
        )
        return self.session.scalars(query).all()

    def running_below_version(
        self, key: str, version: int, limit: int
    ) -> Sequence[ProcessInstance]:
        """Return running instances of `key` on a version older than `version`, by id."""
        query = (
            select(ProcessInstance)
            .join(ProcessVersion, ProcessVersion.id == ProcessInstance.process_version_id)
            .where(
                ProcessInstance.process_key == key,
                ProcessInstance.status == "running",
                ProcessVersion.version < version,
            )
            .order_by(ProcessInstance.id)
            .limit(limit)
        )
        return self.session.scalars(query).all()

    def count_by_version(self, statuses: Sequence[str]) -> dict[int, int]:
        """Return how many instances in `statuses` each process version id has."""
        query = (
            select(ProcessInstance.process_version_id, func.count())
            .where(ProcessInstance.status.in_(statuses))
            .group_by(ProcessInstance.process_version_id)
        )
        return {version_id: int(n) for version_id, n in self.session.execute(query).all()}

    def clear_timers(self, instance_id: int) -> None:
        """Delete every due timer of an instance."""
        self.session.execute(delete(DueTimer).where(DueTimer.instance_id == instance_id))

    def add_timers(self, instance_id: int, timers: Iterable[tuple[str, datetime]]) -> None:
        """Stage an instance's due timers, given as (task id, due time)."""
        for task_id, due_at in timers:
            self.session.add(DueTimer(instance_id=instance_id, task_id=task_id, due_at=due_at))
