"""What an engine exception means for the instance: its message, its task, and whether only
the clock ran out (then the step is worth running once more)."""

from __future__ import annotations

from sote_flow.domain.errors import EngineFailure
from sote_flow.engine.sandbox import SandboxTimeout


def failure_of(exc: BaseException) -> EngineFailure:
    """Describe an engine exception for the instance's error state and history."""
    task = getattr(exc, "task", None)
    task_name = task.task_spec.bpmn_id if task is not None else None
    message = (str(exc.args[0]) if exc.args else exc.__class__.__name__).rstrip(". ")
    # SpiffWorkflow wraps the real cause ("attribute 'system' is not allowed") in a generic
    # "Error evaluating expression" exception; the cause is what a person can act on.
    cause = exc.__cause__ or exc.__context__
    if cause is not None and str(cause) not in message:
        message = f"{message}: {type(cause).__name__}: {cause}"
    kind = getattr(exc, "error_type", None) or exc.__class__.__name__
    details = {"type": str(kind)}
    if _caused_by(exc, SandboxTimeout):
        details["timeout"] = "yes"
    return EngineFailure(message=message, task_name=task_name, details=details)


def _caused_by(exc: BaseException | None, kind: type[BaseException]) -> bool:
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, kind) or isinstance(getattr(exc, "exception", None), kind):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False
