"""Instance data as it was at any history entry, rebuilt by replaying the recorded changes."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any, Protocol


class RecordedEntry(Protocol):
    """What replay reads of a history entry."""

    @property
    def id(self) -> int: ...

    @property
    def actor(self) -> str: ...

    @property
    def action(self) -> str: ...

    @property
    def task_name(self) -> str | None: ...

    @property
    def data(self) -> Mapping[str, Any]: ...


def data_as_of(
    entries: Iterable[RecordedEntry],
    entry_id: int | None = None,
    result_variables: Mapping[str, str] | None = None,
    kept_on_return: Collection[str] | None = None,
) -> dict[str, Any]:
    """Replay entries in order up to and including `entry_id` (all when None).

    The start form's data (with started_by and round 1), each completed task's "changed"
    after-values, service-task results (stored under the task's result variable) and the
    service order's own actions (return to queue, take-over, cancellation) are applied. A
    return starts a fresh round that keeps only `kept_on_return` (everything when None).
    """
    variables = result_variables or {}
    data: dict[str, Any] = {}
    for entry in entries:
        apply_entry(data, entry, variables, kept_on_return)
        if entry.id == entry_id:
            break
    return data


def apply_entry(
    data: dict[str, Any],
    entry: RecordedEntry,
    result_variables: Mapping[str, str],
    kept_on_return: Collection[str] | None = None,
) -> None:
    """Apply one entry's recorded changes to `data` in place."""
    recorded = entry.data or {}
    action = entry.action
    if action == "instance_started":
        submitted = recorded.get("submitted") or {}
        data.update(submitted)
        data.setdefault("started_by", entry.actor)
        data.setdefault("round_number", 1)
    elif action == "task_completed":
        for name, change in (recorded.get("changed") or {}).items():
            after = change[1] if isinstance(change, list | tuple) and len(change) == 2 else None
            if after is None:
                data.pop(name, None)
            else:
                data[name] = after
    elif action == "service_task" and (entry.task_name or "") in result_variables:
        data[result_variables[entry.task_name or ""]] = recorded.get("result")
    elif action == "order_returned":
        if kept_on_return is not None:
            for name in [n for n in data if n not in kept_on_return]:
                del data[name]
        data["round_number"] = recorded.get("round", data.get("round_number"))
        data["return_reason"] = recorded.get("reason")
    elif action == "order_taken_over":
        data["handler"] = recorded.get("to")
    elif action == "order_cancelled":
        data["cancel_reason"] = recorded.get("reason")
        data["cancelled_by"] = entry.actor
