"""The typed context every handler receives, and the handler signature."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sote_flow.domain.clock import Clock


@dataclass(frozen=True)
class OutgoingMail:
    """A mail a handler asks to send; written to the outbox in the instance's transaction."""

    subject: str
    body: str
    to_group: str | None = None
    to_role: str | None = None
    to_user: str | None = None


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

    @property
    def now(self) -> datetime:
        """The current time from the injected clock."""
        return self.clock()


# A handler returns JSON-serialisable data, stored under the task's resultVariable.
Handler = Callable[[HandlerContext], Any]
