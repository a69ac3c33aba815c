"""Instance data as it was at any history entry, replayed from the recorded changes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sote_flow.domain.replay import data_as_of
from sote_flow.service_order.replay import ORDER_REPLAY


@dataclass(frozen=True)
class Entry:
    id: int
    action: str
    actor: str = "sanna"
    task_name: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


HISTORY = [
    Entry(1, "instance_started", data={"submitted": {"client_number": "1234567", "amount": 3}}),
    Entry(
        2, "service_task", "sanna", "number", {"operator": "case/assign_number", "result": "HY-1"}
    ),
    Entry(3, "task_opened", "sanna", "review", {"title": "Käsittele hakemus"}),
    Entry(
        4,
        "task_completed",
        "tuomas",
        "review",
        {"changed": {"decision": [None, "fix"], "amount": [3, 4]}},
    ),
    Entry(5, "task_completed", "sanna", "fix_request", {"changed": {"decision": ["fix", None]}}),
    Entry(6, "order_taken_over", "tiina", None, {"from": "tuomas", "to": "tiina"}),
    Entry(7, "order_returned", "tiina", None, {"reason": "Uusi arvio", "round": 2}),
]
VARIABLES = {"number": "case_number"}


def test_start_form_and_application_fields_come_first():
    assert data_as_of(HISTORY, 1, VARIABLES) == {
        "client_number": "1234567",
        "amount": 3,
        "started_by": "sanna",
        "round_number": 1,
    }


def test_service_results_and_changed_after_values_are_applied_in_order():
    at_review = data_as_of(HISTORY, 4, VARIABLES)
    assert at_review["case_number"] == "HY-1"
    assert (at_review["decision"], at_review["amount"]) == ("fix", 4)
    # A field whose value became empty is gone again.
    assert "decision" not in data_as_of(HISTORY, 5, VARIABLES)


def test_order_actions_change_the_fields_they_stand_for():
    keep_everything = replace(ORDER_REPLAY, kept_on_new_round=None)
    final = data_as_of(HISTORY, None, VARIABLES, keep_everything)
    assert final["handler"] == "tiina"
    assert (final["round_number"], final["return_reason"]) == (2, "Uusi arvio")


def test_a_process_without_rules_of_its_own_ignores_other_actions():
    final = data_as_of(HISTORY, None, VARIABLES)
    assert "handler" not in final and final["round_number"] == 1


def test_without_result_variables_service_results_are_not_guessed():
    assert "case_number" not in data_as_of(HISTORY, 3)


def test_a_return_keeps_only_the_order_fields_in_the_new_round():
    kept = ("client_number", "amount", "started_by")
    final = data_as_of(HISTORY, None, VARIABLES, replace(ORDER_REPLAY, kept_on_new_round=kept))
    assert "case_number" not in final and "handler" not in final
    assert final["client_number"] == "1234567" and final["round_number"] == 2
