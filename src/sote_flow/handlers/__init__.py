"""Service-task handlers, registered by operator name in one table.

A diagram's `spiffworkflow:serviceTaskOperator id="..."` must name an operator in HANDLERS or
in a process package's handlers (`sote_flow.packages`); deploying a diagram that names any
other operator is refused.
"""

from __future__ import annotations

from collections.abc import Mapping

from sote_flow.handlers import case_number, notify, values
from sote_flow.handlers.context import Handler, HandlerContext

HANDLERS: Mapping[str, Handler] = {
    "case/assign_number": case_number.assign_case_number,
    "mail/notify": notify.notify,
    "data/set": values.set_value,
    "clock/now": values.now,
}

__all__ = ["HANDLERS", "Handler", "HandlerContext"]
