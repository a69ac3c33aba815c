"""What a process adds beyond its diagram, reached by general code only through this interface.

A process is a diagram in `processes/` and, where the diagram cannot declare something (worker
suggestions, a projection of its own, actions besides its tasks, demo data), a package that
exports `PACKAGE: ProcessPackage` and is listed in `sote_flow.registry`. General code loops
over the loaded packages and never imports one (a test enforces it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sote_flow.domain.replay import ReplayRules
from sote_flow.handlers.context import Handler
from sote_flow.persistence.calendar_models import CalendarEntry
from sote_flow.persistence.models import ProcessInstance
from sote_flow.persistence.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from sote_flow.domain.clock import Clock
    from sote_flow.services.actors import Actor
    from sote_flow.services.platform import Platform


@dataclass(frozen=True)
class SavedCase:
    """What one save of an instance tells the projections that follow it."""

    instance: ProcessInstance
    data: Mapping[str, Any]  # the latest data (an open task's included)
    open_elements: Sequence[str]  # element ids of the open human tasks
    open_groups: Sequence[str]  # the groups those tasks are offered to
    state: str | None  # the case state now: declared, or the package's (None: undecided)
    completed: bool
    at: datetime


# Keeps a package's own projection in step with a save of one of its instances.
Projector = Callable[[UnitOfWork, SavedCase], None]
# Active cases per username (a worker's caseload, for worker suggestions).
Caseload = Callable[[UnitOfWork], Mapping[str, int]]
# Seeds the demo (after users and diagrams); returns what it did, one line each.
DemoSeeder = Callable[["Platform", Callable[[], UnitOfWork], "Clock"], list[str]]
# Periodic upkeep the scheduler runs (e.g. erasing contact details of closed cases); returns
# what it did, one line each.
Housekeeper = Callable[["Platform", Callable[[], UnitOfWork], "Clock"], list[str]]


@dataclass(frozen=True)
class ClientContact:
    """Where a case's client asked to be told of their appointment (kept by the package)."""

    email: str | None = None
    phone: str | None = None


# How to reach the client of one instance, if the process keeps contact details.
ContactFinder = Callable[[UnitOfWork, int], ClientContact | None]


# Effects of completing one of the process's tasks beyond its diagram (e.g. a booking written
# into a calendar), done in the completion's transaction: (platform, actor, uow, clock,
# instance, element id, the task data with the submission) -> facts added to the submission.
# Raising InvalidInput refuses the completion, naming the form's fields.
TaskCompletion = Callable[
    ["Platform", "Actor", UnitOfWork, "Clock", ProcessInstance, str, Mapping[str, Any]],
    Mapping[str, Any],
]
# Told when a calendar entry of one of the process's cases is moved or cancelled ("moved" |
# "cancelled"), e.g. to notify everyone invited; returns whether anyone was told.
CalendarChange = Callable[[UnitOfWork, "Clock", CalendarEntry, str], bool]


@dataclass(frozen=True)
class ProcessPackage:
    """One process's Python side: each part optional, each used by general code in a loop."""

    key: str
    handlers: Mapping[str, Handler] = field(default_factory=dict)
    project: Projector | None = None
    # The case state where the process decides it outside its diagram (e.g. cancelled by the
    # orderer); otherwise the declared state stands.
    case_state: Callable[[SavedCase], str | None] | None = None
    replay: ReplayRules = field(default_factory=ReplayRules)
    caseload: Caseload | None = None
    seed_demo: DemoSeeder | None = None
    client_contact: ContactFinder | None = None
    housekeeping: Housekeeper | None = None
    complete_task: TaskCompletion | None = None
    calendar_change: CalendarChange | None = None
    # JSON Schema properties of the data the package's own actions write (titles, formats), so
    # pages describe them like form fields; undeclared fields are never shown to people.
    data_fields: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # The path of the package's own page of one case (instance id -> "/orders/12"), which mails
    # link to; without one, mails link to the general instance page.
    case_path: Callable[[int], str] | None = None
    # What a person should confirm before a start goes ahead, given the start form's data (e.g.
    # "the client already has an open order"); an empty list starts at once.
    start_warnings: Callable[[UnitOfWork, Mapping[str, Any]], list[str]] | None = None
