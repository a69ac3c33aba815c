"""Auditors' questions: who processed a client's data, when and why (asiakastietolaki 703/2023)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import FieldError, InvalidInput
from sote_flow.domain.privacy import find_personal_identity_codes
from sote_flow.domain.roles import Role
from sote_flow.persistence.history import ChainReport
from sote_flow.persistence.models import AccessLogEntry, HistoryEntry
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor, require_role
from sote_flow.services.instances import log_read

MAX_ROWS = 5000


@dataclass(frozen=True)
class AccessQuery:
    """Filters of an access-log search; empty ones are not applied."""

    client_number: str | None = None
    username: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AccessRow:
    """One read of client data: who, when, with which roles, what and why."""

    entry: AccessLogEntry
    client_number: str | None


@dataclass(frozen=True)
class ChainBreak:
    """Where a broken chain goes wrong: the first bad entry (if it still exists) and the last
    good one before it, so an auditor can tell an edited entry from a deleted one."""

    first_bad: HistoryEntry | None
    last_good: HistoryEntry | None


@dataclass(frozen=True)
class AuditView:
    """The auditor's page: matching access-log rows and the state of the history chain."""

    rows: Sequence[AccessRow]
    chain: ChainReport
    chain_break: ChainBreak | None = None


HETU_SEARCH_MESSAGE = "Hae asiakasnumerolla; henkilötunnuksella ei voi hakea."


def audit_view(actor: Actor, uow: UnitOfWork, clock: Clock, query: AccessQuery) -> AuditView:
    """Search the access log and verify the history chain; the search itself is logged."""
    # The search is logged with what was searched: an identity code must never land there.
    for field, value in (("client_number", query.client_number), ("username", query.username)):
        if value and find_personal_identity_codes(value):
            raise InvalidInput([FieldError(field, HETU_SEARCH_MESSAGE)], HETU_SEARCH_MESSAGE)
    chain = verify_history(actor, uow)
    view = AuditView(search_access_log(actor, uow, query), chain, locate_break(uow, chain))
    log_read(uow, clock, actor, "access_log", query.client_number or "*", None, actor.purpose)
    uow.commit()
    return view


def search_access_log(actor: Actor, uow: UnitOfWork, query: AccessQuery) -> Sequence[AccessRow]:
    """Return the matching access-log entries, newest first (auditors and administrators)."""
    require_role(actor, Role.AUDITOR, Role.ADMINISTRATOR)
    rows = uow.access_log.search(
        limit=MAX_ROWS,
        client_number=query.client_number,
        username=query.username,
        since=query.since,
        until=query.until,
    )
    return [AccessRow(entry, client) for entry, client in rows]


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
