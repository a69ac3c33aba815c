"""Leave out of a stored state the finished tasks nothing can reach again.

SpiffWorkflow keeps every task it ever ran: a loop adds tasks deeper into the tree with each
round, so the state, each load and each engine step grow with the instance's past (and past
1,000 levels the engine stops seeing its own READY tasks). The history already holds what was
done, so a stored state keeps only what the engine still looks at.

A task is *alive* if it is not finished (COMPLETED or CANCELLED), is its workflow's last task,
or has an alive descendant. A COMPLETED task goes when exactly one of its children is alive and
that child is COMPLETED too: it is the inside of a finished stretch. Its other children's
subtrees (a parallel branch that ended in the join, a boundary timer cancelled when its task was
done) are finished, and go with it. The alive child is tied to the nearest kept ancestor, its
data stored against that ancestor's. So what stays is the root, every unfinished task with its
parent (joins look at the task before the one waiting in them), and every gateway or branch
point that still has more than one alive branch.

Nothing is left out of a finished workflow (its end events say how it ended) or of one caught in
the middle of a step (a task in error, or one READY for the engine), whose joins may still merge
the data of branches that look finished.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

_FINISHED = TaskState.COMPLETED | TaskState.CANCELLED


def prune_finished_tasks(workflow: Any, tasks: dict[str, dict[str, Any]]) -> set[UUID]:
    """Remove from `tasks` (the workflow's serialized tasks) the finished tasks nothing can reach
    again; return their ids."""
    if workflow.is_completed() or _mid_step(workflow):
        return set()
    order = _tree_order(workflow)
    alive = _alive(workflow, order)
    removed: set[UUID] = set()
    for task in order:
        if _removable(task, workflow, alive):
            removed.add(task.id)
            for child in task.children:
                if child.id not in alive:
                    removed.update(sub.id for sub in _tree_order(workflow, child))
    for task in order:
        parent = task.parent
        if task.id not in removed and parent is not None and parent.id in removed:
            _tie_to_kept_ancestor(task, removed, tasks)
    for task_id in removed:
        del tasks[str(task_id)]
    return removed


def _mid_step(workflow: Any) -> bool:
    return any(
        task.state == TaskState.ERROR
        or (task.state == TaskState.READY and not task.task_spec.manual)
        for task in workflow.tasks.values()
    )


def _tree_order(workflow: Any, top: Any = None) -> list[Any]:
    """The tasks under `top` (default: the root), each before its children; no recursion, as an
    older state may be a thousand levels deep."""
    order: list[Any] = []
    stack = [top or workflow.task_tree]
    while stack:
        task = stack.pop()
        order.append(task)
        stack.extend(child for child in task.children if child is not None)
    return order


def _alive(workflow: Any, order: list[Any]) -> set[UUID]:
    alive: set[UUID] = set()
    for task in reversed(order):
        if (
            not task.state & _FINISHED
            or task is workflow.last_task
            or any(child_id in alive for child_id in task._children)
        ):
            alive.add(task.id)
    return alive


def _removable(task: Any, workflow: Any, alive: set[UUID]) -> bool:
    if task.parent is None or task.state != TaskState.COMPLETED or task is workflow.last_task:
        return False
    alive_children = [child for child in task.children if child.id in alive]
    return len(alive_children) == 1 and alive_children[0].state == TaskState.COMPLETED


def _tie_to_kept_ancestor(task: Any, removed: set[UUID], tasks: dict[str, dict[str, Any]]) -> None:
    head = task.parent
    while head.parent.id in removed:
        head = head.parent
    kept = head.parent
    entry = tasks[str(task.id)]
    entry["parent"] = str(kept.id)
    # The serializer stores a task's data as the change from its parent's.
    entry["delta"] = {
        "updates": DeepMerge.get_updated_keys(kept.data, task.data),
        "deletions": DeepMerge.get_deleted_keys(kept.data, task.data),
    }
    siblings = tasks[str(kept.id)]["children"]
    siblings[siblings.index(str(head.id))] = str(task.id)
