"""The typed context every handler receives, and the handler signature."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sote_flow.domain.clock import Clock


@dataclass(frozen=True)
class OutgoingMail:
    """A mail a handler asks to send; written to the outbox in the instance's transaction.

    A subject or body that is a `Text` (`t(...)` in Python, `text(...)` in a diagram) keeps its
    template and values, and each recipient gets it in the language they chose; a plain str is
    sent as it is.
    """

    subject: str
    body: str
    to_group: str | None = None
    to_role: str | None = None
    to_user: str | None = None


@dataclass(frozen=True)
class WorkerProfile:
    """A family worker as suggestions see them: skills, areas and active cases (caseload)."""

    username: str
    name: str
    skills: frozenset[str]
    municipalities: frozenset[str]
    caseload: int


class StaffDirectory(Protocol):
    """Read-only lookups a handler may make; the services supply one backed by the database."""

    def family_workers(self) -> Sequence[WorkerProfile]:
        """Return the active family workers."""
        ...


@dataclass
class HandlerContext:
    """What a handler may know: the instance, a copy of the task data, the actor and the time."""

    instance_id: int
    process_key: str
    element_id: str
    task_data: Mapping[str, Any]
    params: Mapping[str, Any]
    actor: str
    clock: Clock
    mails: list[OutgoingMail] = field(default_factory=list)
    directory: StaffDirectory | None = None

    @property
    def now(self) -> datetime:
        """The current time from the injected clock."""
        return self.clock()


# A handler returns JSON-serialisable data, stored under the task's resultVariable.
Handler = Callable[[HandlerContext], Any]
