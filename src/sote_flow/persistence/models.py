"""Database tables. Queues and inboxes read projections here, never deserialized workflows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        # SQLite keeps no offset, so every value is stored as UTC and read back as UTC.
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, datetime: UtcDateTime}


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("identity_issuer", "identity_subject", name="uq_users_identity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))  # "!" for a single sign-on account
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    # Single sign-on: the identity provider's issuer and the user's subject there (the stable
    # id the provider gives), None for a local account.
    identity_issuer: Mapped[str | None] = mapped_column(String(255))
    identity_subject: Mapped[str | None] = mapped_column(String(255))
    last_login_at: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    # The language last chosen (fi/sv/en; None: Finnish): restored at sign-in, used for mails.
    locale: Mapped[str | None] = mapped_column(String(5))

    roles: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    groups: Mapped[list[Group]] = relationship(secondary="user_groups", lazy="selectin")


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(40), primary_key=True)


class Group(Base):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))  # Finnish
    display_name_sv: Mapped[str | None] = mapped_column(String(200))
    display_name_en: Mapped[str | None] = mapped_column(String(200))


class UserGroup(Base):
    __tablename__ = "user_groups"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), primary_key=True, index=True)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class ProcessVersion(Base):
    """A deployed diagram bundle. Immutable: a change is a new version."""

    __tablename__ = "process_versions"
    __table_args__ = (
        UniqueConstraint("key", "version"),
        UniqueConstraint("key", "checksum"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    checksum: Mapped[str] = mapped_column(String(64))
    main_file: Mapped[str] = mapped_column(String(255))
    # file name -> text (the BPMN, its forms and DMN tables); read only when a version is first
    # parsed, after that the parsed spec and forms come from the platform's caches.
    files: Mapped[dict[str, Any]] = mapped_column(deferred=True)
    deployed_by: Mapped[str] = mapped_column(String(80))
    deployed_at: Mapped[datetime]


class ProcessInstance(Base):
    __tablename__ = "process_instances"
    __table_args__ = (Index("ix_instances_key_status", "process_key", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    process_key: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20))  # running | completed | error
    state: Mapped[bytes] = mapped_column(LargeBinary)
    started_by: Mapped[str] = mapped_column(String(80))
    # The client the matter concerns (the start form's client-number field), for the access log.
    client_number: Mapped[str | None] = mapped_column(String(40), index=True)
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    error_message: Mapped[str | None] = mapped_column(Text)
    # Earliest due timer (None when the instance waits on no timer); the timers are in due_timers.
    next_timer_at: Mapped[datetime | None] = mapped_column(index=True)
    waits_for_messages: Mapped[bool] = mapped_column(default=False)
    # Incremented on every save; a stale writer's UPDATE matches no row and fails.
    revision: Mapped[int] = mapped_column(Integer, default=1)

    process_version: Mapped[ProcessVersion] = relationship(lazy="joined", innerjoin=True)

    __mapper_args__ = {"version_id_col": revision}  # noqa: RUF012  (SQLAlchemy's own hook)


class HumanTask(Base):
    """Projection of one open user or manual task: what inboxes and queues read."""

    __tablename__ = "human_tasks"
    __table_args__ = (
        Index("ix_human_tasks_group_created", "group_name", "created_at", "id"),
        Index("ix_human_tasks_assignee_created", "assignee_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # SpiffWorkflow task UUID
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(120))
    element_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(255))
    group_name: Mapped[str | None] = mapped_column(String(80))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    form_file: Mapped[str | None] = mapped_column(String(255))
    # False when submitting the form is itself the taking ("ui:claim": false): no claim button.
    claimable: Mapped[bool] = mapped_column(default=True, server_default="1")
    created_at: Mapped[datetime]
    due_at: Mapped[datetime | None]

    assignee: Mapped[User | None] = relationship(lazy="joined")


class HistoryEntry(Base):
    """Append-only audit trail; each entry is chained to the previous one by hash."""

    __tablename__ = "history_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    task_id: Mapped[str | None] = mapped_column(String(36))
    task_name: Mapped[str | None] = mapped_column(String(255))
    process_version_id: Mapped[int | None]
    data: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # Set when retention archived and emptied the entry: the tombstone keeps its place in the
    # chain (id, time, action, both hashes), so the chain still links (persistence/history.py).
    purged_at: Mapped[datetime | None]


class ChainHead(Base):
    """The newest history entry: locking this row serialises appends to the chain."""

    __tablename__ = "history_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_count: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class AccessLogEntry(Base):
    """Who read which client matter data, when and why (asiakastietolaki 703/2023)."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    roles: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(64))
    instance_id: Mapped[int | None] = mapped_column(index=True)
    purpose: Mapped[str] = mapped_column(String(255))


class DueTimer(Base):
    """A timer an instance waits on; kept in step with every save of the instance."""

    __tablename__ = "due_timers"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    due_at: Mapped[datetime] = mapped_column(index=True)


class OutboxMail(Base):
    """A mail written in the transaction of the change that caused it; the scheduler sends it."""

    __tablename__ = "outbox_mails"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    instance_id: Mapped[int | None]
    to_address: Mapped[str] = mapped_column(String(254))
    channel: Mapped[str] = mapped_column(String(10), default="email")  # email | sms
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    # pending | sending (leased to one scheduler until lease_until) | sent | failed
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    server_reply: Mapped[str | None] = mapped_column(String(500))  # the SMTP server's "250 …"
    sent_at: Mapped[datetime | None]


class WaitingMessage(Base):
    """A message an instance waits for; kept in step with every save of the instance."""

    __tablename__ = "waiting_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    name: Mapped[str] = mapped_column(String(255), index=True)


class OutgoingMessage(Base):
    """A message an instance threw; the scheduler routes it to the instances waiting for it."""

    __tablename__ = "outgoing_messages"
    __table_args__ = (Index("ix_outgoing_messages_status", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    source_instance_id: Mapped[int | None]
    name: Mapped[str] = mapped_column(String(255))
    payload: Mapped[dict[str, Any]]
    correlations: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending|delivered|unheard
    delivered_to: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class FamilyWorker(Base):
    """A family worker the producers can plan orders for: skills and areas (municipalities)."""

    __tablename__ = "family_workers"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    municipalities: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)

    user: Mapped[User] = relationship(lazy="joined")


class Case(Base):
    """Projection of one case of any process that declares case states: what queues read."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_queue", "process_key", "group_name", "state", "urgent_rank", "opened_at"),
        Index("ix_cases_state_queue", "process_key", "state", "urgent_rank", "opened_at"),
        Index("ix_cases_opened_on", "process_key", "opened_on"),
    )

    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), primary_key=True)
    process_key: Mapped[str] = mapped_column(String(120))
    case_number: Mapped[str | None] = mapped_column(String(40), index=True)
    state: Mapped[str] = mapped_column(String(40))
    # The group whose queue the case is in (declared by caseGroup, else its open task's group).
    group_name: Mapped[str | None] = mapped_column(String(80))
    urgent_rank: Mapped[int] = mapped_column(Integer)  # 0 urgent (first), 1 other
    # The declared columns' values (caseColumns), for the queue's columns and filters.
    columns: Mapped[dict[str, Any]]
    client_number: Mapped[str | None] = mapped_column(String(64), index=True)
    opened_at: Mapped[datetime]  # when the matter became pending (kept over rounds)
    opened_on: Mapped[date] = mapped_column(Date)  # its Finnish calendar day, for reports
    state_since: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    # The earliest running legal clock: its key and the last day allowed (Finnish calendar).
    next_clock: Mapped[str | None] = mapped_column(String(40))
    next_due_on: Mapped[date | None] = mapped_column(Date)


class CaseStateChange(Base):
    """Append-only: when a case entered a state (queue length per day is read from these)."""

    __tablename__ = "case_state_changes"
    # Covering indexes in the order the report groups by: it reads them without the table.
    __table_args__ = (
        Index("ix_case_state_changes_day", "process_key", "on_day", "open_delta"),
        Index(
            "ix_case_state_changes_first",
            "process_key",
            "first_entry",
            "state",
            "opened_on",
            "on_day",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(120))
    group_name: Mapped[str | None] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(index=True)
    on_day: Mapped[date] = mapped_column(Date)  # the Finnish calendar day of `at`, for reports
    state: Mapped[str] = mapped_column(String(40))
    # +1 the case became open (waits in a task or event), -1 it closed, 0 neither: the queue
    # length of a day is the sum up to that day, by the declaration the case was saved under.
    open_delta: Mapped[int] = mapped_column(Integer, default=0)
    # Kept here too so the report reads milestones without joining or aggregating per case:
    first_entry: Mapped[bool] = mapped_column(default=False)  # the case's first time here
    opened_on: Mapped[date] = mapped_column(Date)  # the case's pending day


class CaseClock(Base):
    """One legal clock of one case: from pending to the last day allowed, and when it stopped."""

    __tablename__ = "case_clocks"
    __table_args__ = (
        UniqueConstraint("instance_id", "key"),
        Index("ix_case_clocks_started", "process_key", "started_on", "key", "due_on", "stopped_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(120))
    key: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[datetime]
    started_on: Mapped[date] = mapped_column(Date)  # the case's pending day, for reports
    due_on: Mapped[date] = mapped_column(Date)
    # The day its escalation goes out, if the diagram declares one (warn=N weekdays before).
    warn_on: Mapped[date | None] = mapped_column(Date, index=True)
    warned_at: Mapped[datetime | None]
    stopped_at: Mapped[datetime | None]
    stopped_on: Mapped[date | None] = mapped_column(Date)  # its Finnish calendar day


# Tables kept in modules of their own join the same metadata whenever the core ones load.
from sote_flow.persistence import account_models as _account_models  # noqa: E402,F401
from sote_flow.persistence import calendar_models as _calendar_models  # noqa: E402,F401
from sote_flow.persistence import document_models as _document_models  # noqa: E402,F401
from sote_flow.persistence import idempotency_models as _idempotency_models  # noqa: E402,F401
from sote_flow.persistence import public_submissions as _public_submissions  # noqa: E402,F401
