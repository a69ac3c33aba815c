"""Operators `data/set` and `clock/now`: a value the diagram computes, and the time now.

`data/set` stores its `value` parameter (an expression on the task data) under the task's
resultVariable, e.g. a flag a later gateway reads; `clock/now` stores the current time (ISO,
from the injected clock), e.g. when an urgency was assessed.
"""

from __future__ import annotations

from typing import Any

from sote_flow.handlers.context import HandlerContext


def set_value(ctx: HandlerContext) -> Any:
    """Return the `value` parameter: the diagram stores it under the resultVariable."""
    if "value" not in ctx.params:
        raise ValueError("data/set needs a value parameter")
    return ctx.params["value"]


def now(ctx: HandlerContext) -> str:
    """Return the current time as ISO 8601 (UTC)."""
    return ctx.now.isoformat()
