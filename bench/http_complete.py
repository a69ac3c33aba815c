"""Benchmark: completing a user task over HTTP against the raw SpiffWorkflow floor (issue 19).

The diagram: ten user tasks in a row, each assigned to whoever started the instance
(tests/support/diagrams/ten_steps.bpmn). For SQLite and PostgreSQL, one `sote-flow serve` process
(gunicorn, `--workers`, default 1) on loopback and one client on a kept-alive connection with an
API token: start INSTANCES instances one after another (POST /process-instances, timed: start ->
first task ready) and complete each one's ten tasks (POST /tasks/{id}/complete, timed). The next
task's id comes from the completion's `next_tasks` when the answer has it, otherwise from an
untimed GET /tasks. Floor, measured in the same run, one step right after each completion over
HTTP (so a busy machine weighs on both alike): the same diagram in plain SpiffWorkflow,
deserialize -> complete -> serialize at the same step. Statements per completion: counted in
this process with a `before_cursor_execute` listener, one completion at a time through Flask's
test client.
Targets: completion <= 3x floor on SQLite, <= 5x on PostgreSQL; start likewise; <= 8 statements.
Printed: the ratios first, then medians and p90s, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer import DEFAULT_CONFIG
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import event

from _common import (
    Client,
    databases,
    median_ms,
    p90_ms,
    people,
    start_server,
    stop_server,
    timed,
)
from tests.support.factories import DIAGRAMS, TEST_SECRET

INSTANCES = 30
STEPS = 10
WARM_UP = 2  # instances per server first, untimed: every worker parses the diagram once
TARGETS = {"SQLite": 3.0, "PostgreSQL": 5.0}
TARGET_STATEMENTS = 8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=INSTANCES)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--show-statements", action="store_true", help="print one completion's SQL")
    args = parser.parse_args()
    floor = Floor(_floor_states())
    results: dict[str, dict[str, Any]] = {}
    with databases(include_postgres=not args.sqlite_only) as urls:
        for label, url in urls:
            token = people(url, DIAGRAMS / "ten_steps.bpmn")
            port, server = start_server(url, workers=args.workers)
            try:
                starts, completions = _over_http(port, token, args.instances, floor)
            finally:
                stop_server(server)
            counted = _statements(url, token, args.show_statements)
            results[label] = {"start": starts, "complete": completions, **counted}
    _report(args, floor.samples, results)


def _over_http(
    port: int, token: str, instances: int, floor: Floor
) -> tuple[list[float], list[float]]:
    client = Client(port, token)
    starts: list[float] = []
    completions: list[float] = []
    try:
        for n in range(WARM_UP + instances):
            measured = n >= WARM_UP
            answer: dict[str, Any] = {}

            def start(answer: dict[str, Any] = answer) -> None:
                body = {"process_key": "ten_steps", "data": {"subject": "mittaus"}}
                answer.update(client.call("POST", "/api/v1/process-instances", body))

            took = timed(start)
            if measured:
                starts.append(took)
            task_id = client.my_task()
            for step in range(1, STEPS + 1):
                done: dict[str, Any] = {}

                def complete(
                    task_id: str = task_id, done: dict[str, Any] = done, note: str = f"vaihe {step}"
                ) -> None:
                    path = f"/api/v1/tasks/{task_id}/complete"
                    done.update(client.call("POST", path, {"data": {"note": note}}))

                took = timed(complete)
                if measured:
                    completions.append(took)
                    # The floor's step right after the server's: a busy machine slows both.
                    floor.step(step - 1)
                if step < STEPS:
                    task_id = client.next_task(done)
            if done.get("status") != "completed":
                raise SystemExit(f"instance {answer.get('id')} did not complete: {done}")
    finally:
        client.conn.close()
    return starts, completions


def _floor_states() -> list[str]:
    """The diagram in plain SpiffWorkflow, serialized before each of its ten completions."""
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(DIAGRAMS / "ten_steps.bpmn"))
    workflow = BpmnWorkflow(parser.get_spec("ten_steps"), parser.get_subprocess_specs("ten_steps"))
    workflow.get_next_task(state=TaskState.READY).data.update(
        {"subject": "mittaus", "started_by": "sanna"}
    )
    workflow.do_engine_steps()
    serializer = _serializer()
    states = []
    for step in range(1, STEPS + 1):
        states.append(serializer.serialize_json(workflow))
        (task,) = workflow.get_tasks(state=TaskState.READY, manual=True)
        task.data.update({"note": f"vaihe {step}"})
        task.run()
        workflow.do_engine_steps()
    return states


def _serializer() -> BpmnWorkflowSerializer:
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(DEFAULT_CONFIG))


class Floor:
    """Deserialize -> complete the ready task -> run on -> serialize, at one of the ten steps."""

    def __init__(self, states: list[str]) -> None:
        self.states = states
        self.serializer = _serializer()
        self.samples: list[float] = []

    def step(self, index: int) -> None:
        """Time one step of the plain SpiffWorkflow diagram, from the state before step `index`."""

        def once() -> None:
            workflow = self.serializer.deserialize_json(self.states[index])
            (task,) = workflow.get_tasks(state=TaskState.READY, manual=True)
            task.data.update({"note": f"vaihe {index + 1}"})
            task.run()
            workflow.do_engine_steps()
            self.serializer.serialize_json(workflow)

        self.samples.append(timed(once))


def _statements(url: str, token: str, show: bool) -> dict[str, Any]:
    """Count the SQL statements of one start and of each completion, in this process."""
    from sote_flow.web import create_app
    from sote_flow.web.extensions import db

    app = create_app({"database_url": url, "secret_key": TEST_SECRET})
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(" ".join(statement.split()))

    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()

    def counted(send: Callable[[], Any]) -> tuple[int, Any]:
        seen.clear()
        answer = send()
        if answer.status_code >= 300:
            raise SystemExit(f"in-process request failed: {answer.status_code} {answer.json}")
        return len(seen), answer.json

    body = {"process_key": "ten_steps", "data": {"subject": "laskenta"}}
    event.listen(engine, "before_cursor_execute", record)
    try:
        start_count, _ = counted(
            lambda: client.post("/api/v1/process-instances", json=body, headers=headers)
        )
        mine = client.get("/api/v1/tasks?scope=mine", headers=headers).json["tasks"]
        task_id = mine[0]["id"]
        per_completion = []
        shown: list[str] = []
        for step in range(1, STEPS + 1):
            path = f"/api/v1/tasks/{task_id}/complete"
            count, done = counted(
                lambda path=path, step=step: client.post(
                    path, json={"data": {"note": f"vaihe {step}"}}, headers=headers
                )
            )
            per_completion.append(count)
            if step == 2:
                shown = list(seen)
            if step < STEPS:
                following = done.get("next_tasks")
                if following is None:
                    mine = client.get("/api/v1/tasks?scope=mine", headers=headers).json["tasks"]
                    following = mine
                task_id = following[0]["id"]
    finally:
        event.remove(engine, "before_cursor_execute", record)
        engine.dispose()
    if show:
        print(f"  one completion's statements ({url.split(':')[0]}):")
        for statement in shown:
            print(f"    {statement[:160]}")
    return {"statements": statistics.median(per_completion), "start_statements": start_count}


def _report(
    args: argparse.Namespace, floor: list[float], results: dict[str, dict[str, Any]]
) -> None:
    floor_ms = median_ms(floor)
    print(f"HTTP task completion vs raw SpiffWorkflow, ten_steps (10 user tasks), "
          f"{args.instances} instances per database, {args.workers} worker(s), "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")  # fmt: skip
    summary: dict[str, Any] = {"floor_ms": round(floor_ms, 3)}
    for label, result in results.items():
        complete = median_ms(result["complete"]) / floor_ms
        start = median_ms(result["start"]) / floor_ms
        target = TARGETS[label]
        print(f"  {label:<10} completion {complete:5.1f}x floor, start {start:5.1f}x floor, "
              f"{result['statements']:g} statements per completion "
              f"(targets <= {target:g}x, <= {TARGET_STATEMENTS})")  # fmt: skip
        summary[label] = {
            "complete_ratio": round(complete, 2),
            "start_ratio": round(start, 2),
            "complete_ms": round(median_ms(result["complete"]), 2),
            "complete_p90_ms": round(p90_ms(result["complete"]), 2),
            "start_ms": round(median_ms(result["start"]), 2),
            "start_p90_ms": round(p90_ms(result["start"]), 2),
            "statements": result["statements"],
            "start_statements": result["start_statements"],
        }
    print(f"  raw floor  median {floor_ms:6.2f} ms   p90 {p90_ms(floor):6.2f} ms"
          "   (deserialize -> complete -> serialize)")  # fmt: skip
    for label, result in results.items():
        print(f"  {label:<10} complete median {median_ms(result['complete']):6.2f} ms   "
              f"p90 {p90_ms(result['complete']):6.2f} ms   |   start median "
              f"{median_ms(result['start']):6.2f} ms   p90 {p90_ms(result['start']):6.2f} ms   "
              f"({result['start_statements']} statements)")  # fmt: skip
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
