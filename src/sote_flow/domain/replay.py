"""Instance data as it was at any history entry, rebuilt by replaying the recorded changes."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
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


# Applies one history action of a process's own (e.g. a take-over) to the data.
ActionReplayer = Callable[[dict[str, Any], RecordedEntry], None]


@dataclass(frozen=True)
class ReplayRules:
    """How a process's own history actions change its data (beyond tasks and service calls).

    `round_actions` begin a fresh round ("continue as new") that keeps only `kept_on_new_round`
    of the data (everything when None); `actions` then apply each action's own changes.
    """

    round_actions: frozenset[str] = frozenset()
    kept_on_new_round: Collection[str] | None = None
    actions: Mapping[str, ActionReplayer] = field(default_factory=dict)


NO_RULES = ReplayRules()


def data_as_of(
    entries: Iterable[RecordedEntry],
    entry_id: int | None = None,
    result_variables: Mapping[str, str] | None = None,
    rules: ReplayRules = NO_RULES,
) -> dict[str, Any]:
    """Replay entries in order up to and including `entry_id` (all when None).

    The start form's data (with started_by and round 1), each completed task's "changed"
    after-values, service-task results (stored under the task's result variable) and the
    process's own actions (`rules`) are applied.
    """
    variables = result_variables or {}
    data: dict[str, Any] = {}
    for entry in entries:
        apply_entry(data, entry, variables, rules)
        if entry.id == entry_id:
            break
    return data


def apply_entry(
    data: dict[str, Any],
    entry: RecordedEntry,
    result_variables: Mapping[str, str],
    rules: ReplayRules = NO_RULES,
) -> None:
    """Apply one entry's recorded changes to `data` in place."""
    recorded = entry.data or {}
    action = entry.action
    if action in rules.round_actions and rules.kept_on_new_round is not None:
        for name in [n for n in data if n not in rules.kept_on_new_round]:
            del data[name]
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
    elif action in rules.actions:
        rules.actions[action](data, entry)
