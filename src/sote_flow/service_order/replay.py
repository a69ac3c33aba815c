"""How service ordering's own history actions change an order's data, for the auditors' replay."""

from __future__ import annotations

from typing import Any

from sote_flow.domain.replay import RecordedEntry, ReplayRules

# What a new processing round keeps of the order: the order itself and the last plan (handler,
# family worker, planned start, notes), which the producer reviews rather than re-enters; not the
# previous round's decision, information requests or start date (they stay in the history).
ORDER_FIELDS = (
    "client_number", "municipality", "urgency", "desired_start", "law", "service",
    "producer_group", "needs", "needs_other", "description", "order_number", "started_by",
    "handler", "family_worker", "planned_start", "plan_notes",
)  # fmt: skip
HANDLER_FIELD = "handler"
RETURNED, TAKEN_OVER, CANCELLED = "order_returned", "order_taken_over", "order_cancelled"


def _returned(data: dict[str, Any], entry: RecordedEntry) -> None:
    data["round_number"] = entry.data.get("round", data.get("round_number"))
    data["return_reason"] = entry.data.get("reason")


def _taken_over(data: dict[str, Any], entry: RecordedEntry) -> None:
    data[HANDLER_FIELD] = entry.data.get("to")


def _cancelled(data: dict[str, Any], entry: RecordedEntry) -> None:
    data["cancel_reason"] = entry.data.get("reason")
    data["cancelled_by"] = entry.actor


ORDER_REPLAY = ReplayRules(
    round_actions=frozenset({RETURNED}),
    kept_on_new_round=frozenset(ORDER_FIELDS),
    actions={RETURNED: _returned, TAKEN_OVER: _taken_over, CANCELLED: _cancelled},
)
