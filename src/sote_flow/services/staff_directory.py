"""The staff directory handlers may read, backed by the unit of work's staff repository."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sote_flow.handlers.context import StaffDirectory, WorkerProfile
from sote_flow.persistence.unit_of_work import UnitOfWork

# Active cases per username, from one process (the processes' packages supply these).
CaseloadSource = Callable[[UnitOfWork], Mapping[str, int]]


class DatabaseStaffDirectory:
    """Looks staff up only when a handler asks (most runs never do)."""

    def __init__(self, uow: UnitOfWork, caseloads: Sequence[CaseloadSource] = ()) -> None:
        self._uow = uow
        self._caseloads = caseloads

    def family_workers(self) -> Sequence[WorkerProfile]:
        """Return the active family workers with their active cases over every process."""
        rows = self._uow.staff.active_family_workers()
        caseload: Counter[str] = Counter()
        for source in self._caseloads:
            caseload.update(source(self._uow))
        return [
            WorkerProfile(
                username=username,
                name=name,
                skills=frozenset(worker.skills or ()),
                municipalities=frozenset(worker.municipalities or ()),
                caseload=caseload[username],
            )
            for username, name, worker in rows
        ]


FAMILY_WORKER_FORMAT = "family-worker"
# Where the workers/suggest operator puts its suggestions (its resultVariable in the diagram).
SUGGESTIONS_FIELD = "worker_suggestions"


def with_staff_choices(
    schema: Mapping[str, Any] | None,
    directory: StaffDirectory,
    suggested: Sequence[str] = (),
) -> dict[str, Any] | None:
    """Return the form with every `format: family-worker` field made a choice of active workers.

    The suggested usernames come first, marked; any active worker may be chosen, and the
    server refuses anyone else as it refuses any value outside a field's choices.
    """
    if schema is None:
        return None
    properties = dict(schema.get("properties") or {})
    wanted = [n for n, p in properties.items() if isinstance(p, Mapping)
              and p.get("format") == FAMILY_WORKER_FORMAT]  # fmt: skip
    if not wanted:
        return dict(schema)
    workers = sorted(
        directory.family_workers(),
        key=lambda w: (w.username not in suggested, _rank(suggested, w.username), w.name),
    )
    options = [
        {"const": w.username, "title": _title(w.name, w.username, w.username in suggested)}
        for w in workers
    ]
    for name in wanted:
        prop = {k: v for k, v in properties[name].items() if k != "format"}
        properties[name] = {**prop, "oneOf": options or [{"const": "", "title": "–"}]}
    return {**schema, "properties": properties}


def _rank(suggested: Sequence[str], username: str) -> int:
    return suggested.index(username) if username in suggested else len(suggested)


def _title(name: str, username: str, is_suggested: bool) -> str:
    label = f"{name} ({username})"
    return f"{label} – ehdotettu" if is_suggested else label
