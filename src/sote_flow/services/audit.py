"""Auditors' questions: who processed a client's data, when and why (asiakastietolaki 703/2023)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import FieldError, InvalidInput
from sote_flow.domain.privacy import find_personal_identity_codes
from sote_flow.domain.roles import Role
from sote_flow.domain.text import t
from sote_flow.persistence.access_log import AccessFilters, AccessLogRow
from sote_flow.persistence.history import ChainReport
from sote_flow.persistence.models import AccessLogEntry, HistoryEntry
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor, require_role
from sote_flow.services.instances import log_read

MAX_EXPORT_ROWS = 5000
# The object kind of a task read (services.tasks logs it); its title is looked up for the page.
TASK_OBJECT = "task"


@dataclass(frozen=True)
class AccessQuery:
    """Filters of an access-log search; empty ones are not applied."""

    client_number: str | None = None
    username: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def filters(self) -> AccessFilters:
        """Return the repository's filters for this search."""
        return AccessFilters(self.client_number, self.username, self.since, self.until)


@dataclass(frozen=True)
class AccessRow:
    """One read of client data: who, when, with which roles, what (and its names) and why."""

    entry: AccessLogEntry
    client_number: str | None
    case_number: str | None = None
    process_name: str | None = None
    task_title: str | None = None


@dataclass(frozen=True)
class ChainBreak:
    """Where a broken chain goes wrong: the first bad entry (if it still exists) and the last
    good one before it, so an auditor can tell an edited entry from a deleted one."""

    first_bad: HistoryEntry | None
    last_good: HistoryEntry | None


@dataclass(frozen=True)
class AuditView:
    """The auditor's page: one page of matching access-log rows and the history chain's state."""

    rows: Sequence[AccessRow]
    chain: ChainReport
    chain_break: ChainBreak | None = None
    total: int = 0
    page: int = 1
    page_size: int = 50

    @property
    def pages(self) -> int:
        """How many pages the matching rows fill: at least one."""
        return max(1, -(-self.total // self.page_size))

    @property
    def first_shown(self) -> int:
        """The ordinal of the first row shown (0 when none match)."""
        return (self.page - 1) * self.page_size + 1 if self.rows else 0

    @property
    def last_shown(self) -> int:
        """The ordinal of the last row shown (0 when none match)."""
        return (self.page - 1) * self.page_size + len(self.rows)


HETU_SEARCH_MESSAGE = t("Hae asiakasnumerolla; henkilötunnuksella ei voi hakea.")


def audit_view(
    actor: Actor, uow: UnitOfWork, clock: Clock, query: AccessQuery, page: int, page_size: int
) -> AuditView:
    """Search one page of the access log and verify the history chain; the search is logged."""
    _refuse_identity_codes(query)
    require_role(actor, Role.AUDITOR, Role.ADMINISTRATOR)
    chain = verify_history(actor, uow)
    total = uow.access_log.count(query.filters())
    # A page past the end (the log shrank, or a typed URL) shows the last one.
    page = min(max(page, 1), max(1, -(-total // page_size)))
    rows = _named(uow, uow.access_log.search(
        query.filters(), limit=page_size, offset=(page - 1) * page_size
    ))  # fmt: skip
    view = AuditView(rows, chain, locate_break(uow, chain), total, page, page_size)
    log_read(uow, clock, actor, "access_log", query.client_number or "*", None, actor.purpose)
    uow.commit()
    return view


def export_access_log(
    actor: Actor, uow: UnitOfWork, clock: Clock, query: AccessQuery
) -> Sequence[AccessRow]:
    """Return every matching row (newest first, at most MAX_EXPORT_ROWS); the export is logged."""
    _refuse_identity_codes(query)
    rows = search_access_log(actor, uow, query)
    log_read(uow, clock, actor, "access_log", query.client_number or "*", None, actor.purpose)
    uow.commit()
    return rows


def search_access_log(actor: Actor, uow: UnitOfWork, query: AccessQuery) -> Sequence[AccessRow]:
    """Return the matching access-log entries, newest first (auditors and administrators)."""
    require_role(actor, Role.AUDITOR, Role.ADMINISTRATOR)
    return _named(uow, uow.access_log.search(query.filters(), limit=MAX_EXPORT_ROWS))


def _refuse_identity_codes(query: AccessQuery) -> None:
    # The search is logged with what was searched: an identity code must never land there.
    for field, value in (("client_number", query.client_number), ("username", query.username)):
        if value and find_personal_identity_codes(value):
            raise InvalidInput([FieldError(field, HETU_SEARCH_MESSAGE)], HETU_SEARCH_MESSAGE)


def _named(uow: UnitOfWork, found: Sequence[AccessLogRow]) -> list[AccessRow]:
    # Task titles for all task reads of the page at once: one query, not one per row.
    tasks = [row for row in found if row.entry.object_type == TASK_OBJECT]
    titles = uow.access_log.task_titles(
        {row.entry.instance_id for row in tasks if row.entry.instance_id is not None},
        {row.entry.object_id for row in tasks},
    )
    return [
        AccessRow(
            row.entry,
            row.client_number,
            row.case_number,
            row.process_name,
            titles.get(row.entry.object_id) if row.entry.object_type == TASK_OBJECT else None,
        )
        for row in found
    ]


def verify_history(actor: Actor, uow: UnitOfWork) -> ChainReport:
    """Walk the history hash chain (auditors and administrators)."""
    require_role(actor, Role.AUDITOR, Role.ADMINISTRATOR)
    return uow.history.verify()


def locate_break(uow: UnitOfWork, report: ChainReport) -> ChainBreak | None:
    """Return the entries around the first break of a broken chain (None when intact)."""
    if report.ok or report.first_bad_entry_id is None:
        return None
    bad_id = report.first_bad_entry_id
    return ChainBreak(uow.history.get(bad_id), uow.history.last_before(bad_id))
