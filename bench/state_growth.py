"""Benchmark: does completing a user task cost more, and the stored state weigh more, as an
instance's history grows? (issue 19, "state that stays flat")

For SQLite and PostgreSQL, one `sote-flow serve` process (gunicorn, `--workers`, default 1) on
loopback and one client on a kept-alive connection with an API token (as bench/http_complete.py):
- loop: tests/support/diagrams/loop.bpmn, one user task -> a script task counting the rounds ->
  a gateway back to the task while count < limit. ONE instance, its user task completed
  ITERATIONS times (POST /tasks/{id}/complete, timed). Compared: the median completion of rounds
  1-10 and of the last ten rounds, and the stored state (bytes of the instance row's `state`
  column, read from the database between rounds, untimed) after round 1 and after the last one.
  The limit is one round more than measured, so the last measured state is still a waiting
  instance's; one more completion, untimed, ends it.
- fifty_steps: fifty user tasks in a row (the diagram generated at start into a temporary
  directory, forms as ten_steps'), INSTANCES instances; the median completion of tasks 1-3
  against tasks 48-50, over all instances.
Each diagram first runs once untimed, so the worker has parsed it before anything is measured.
Targets: last rounds <= 1.2x first rounds, state after the last round <= 1.2x after round 1,
tasks 48-50 <= 1.1x tasks 1-3.
Printed: the ratios first, then medians, p90s and state sizes, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

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
from sote_flow.persistence.database import make_engine
from sote_flow.persistence.models import ProcessInstance
from tests.support.factories import DIAGRAMS

ITERATIONS = 200
INSTANCES = 5
STEPS = 50
WINDOW = 10  # loop rounds compared at each end
EDGE = 3  # fifty_steps tasks compared at each end
TARGETS = {"loop_time": 1.2, "loop_state": 1.2, "fifty_time": 1.1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=ITERATIONS, help="loop rounds")
    parser.add_argument("--instances", type=int, default=INSTANCES, help="fifty_steps instances")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    if args.iterations < 2 * WINDOW or args.instances < 1:
        parser.error(f"--iterations must be at least {2 * WINDOW}, --instances at least 1")
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp, databases(not args.sqlite_only) as urls:
        fifty = _fifty_steps(Path(tmp))
        for label, url in urls:
            token = people(url, DIAGRAMS / "loop.bpmn", fifty)
            states = StateReader(url)
            port, server = start_server(url, workers=args.workers)
            client = Client(port, token)
            try:
                loop = _loop(client, states, args.iterations)
                steps = _steps(client, states, args.instances)
            finally:
                client.conn.close()
                stop_server(server)
                states.close()
            results[label] = {"loop": loop, "fifty": steps}
    _report(args, results)


class StateReader:
    """Reads an instance's stored state straight from its row (between requests, untimed)."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)

    def __call__(self, instance_id: int) -> bytes:
        query = select(ProcessInstance.state).where(ProcessInstance.id == instance_id)
        with self.engine.connect() as conn:
            return bytes(conn.execute(query).scalar_one())

    def close(self) -> None:
        self.engine.dispose()


def _task_count(state: bytes) -> int | None:
    """Tasks in a stored state (zlib-compressed JSON); None if it is no longer stored so."""
    try:
        return len(json.loads(zlib.decompress(state))["tasks"])
    except (zlib.error, ValueError, KeyError, TypeError):
        return None


def _run(
    client: Client,
    key: str,
    data: dict[str, Any],
    completions: int,
    on_step: Callable[[int, int, float], None] | None = None,
) -> None:
    """Start an instance, complete its user tasks `completions` times; on_step(n, id, seconds)
    after each (untimed). Refuses an instance that does not end with its last completion."""
    answer = client.call("POST", "/api/v1/process-instances", {"process_key": key, "data": data})
    instance_id = int(answer["id"])
    task_id = client.my_task()
    done: dict[str, Any] = {}
    for n in range(1, completions + 1):
        done = {}

        def complete(task_id: str = task_id, done: dict[str, Any] = done, n: int = n) -> None:
            path = f"/api/v1/tasks/{task_id}/complete"
            done.update(client.call("POST", path, {"data": {"note": f"kierros {n}"}}))

        took = timed(complete)
        if on_step is not None:
            on_step(n, instance_id, took)
        if n < completions:
            task_id = client.next_task(done)
    if done.get("status") != "completed":
        raise SystemExit(f"{key} instance {instance_id} did not complete: {done}")


def _loop(client: Client, states: StateReader, iterations: int) -> dict[str, Any]:
    """One loop instance of `iterations` timed rounds (+1 untimed to end it)."""
    _run(client, "loop", {"count": 0, "limit": WINDOW}, WINDOW)  # warm-up
    times: list[float] = []
    sizes: list[int] = []
    counts: dict[int, int | None] = {}

    def on_step(n: int, instance_id: int, took: float) -> None:
        if n > iterations:
            return
        times.append(took)
        state = states(instance_id)
        sizes.append(len(state))
        if n in (1, iterations // 2, iterations):
            counts[n] = _task_count(state)

    _run(client, "loop", {"count": 0, "limit": iterations + 1}, iterations + 1, on_step)
    return {"times": times, "sizes": sizes, "tasks": counts}


def _steps(client: Client, states: StateReader, instances: int) -> dict[str, Any]:
    """`instances` fifty_steps instances; completion times by step, states of the first one."""
    _run(client, "fifty_steps", {"subject": "lämmittely"}, STEPS)  # warm-up
    by_step: list[list[float]] = [[] for _ in range(STEPS)]
    sizes: dict[int, int] = {}
    counts: dict[int, int | None] = {}
    for n in range(instances):

        def on_step(step: int, instance_id: int, took: float, first: bool = n == 0) -> None:
            by_step[step - 1].append(took)
            if first and step in (1, STEPS - 1):  # after the 49th the instance still waits
                state = states(instance_id)
                sizes[step], counts[step] = len(state), _task_count(state)

        _run(client, "fifty_steps", {"subject": f"mittaus {n}"}, STEPS, on_step)
    return {"by_step": by_step, "sizes": sizes, "tasks": counts}


def _fifty_steps(folder: Path) -> Path:
    """Write fifty_steps.bpmn (fifty user tasks in a row, ten_steps' forms) into `folder`."""
    shutil.copy(DIAGRAMS / "ten_steps-start.json", folder / "fifty_steps-start.json")
    shutil.copy(DIAGRAMS / "ten_steps-step.json", folder / "fifty_steps-step.json")
    ids = ["start", *(f"step{n}" for n in range(1, STEPS + 1)), "end"]
    refs = "".join(f"        <bpmn:flowNodeRef>{node}</bpmn:flowNodeRef>\n" for node in ids)
    tasks = "".join(
        f"""    <bpmn:userTask id="step{n}" name="Vaihe {n}">
      <bpmn:extensionElements>
        <spiffworkflow:formJsonSchemaFilename>fifty_steps-step.json</spiffworkflow:formJsonSchemaFilename>
        <spiffworkflow:properties>
          <spiffworkflow:property name="assignee" value="started_by" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f{n}</bpmn:incoming>
      <bpmn:outgoing>f{n + 1}</bpmn:outgoing>
    </bpmn:userTask>
"""
        for n in range(1, STEPS + 1)
    )
    flows = "".join(
        f'    <bpmn:sequenceFlow id="f{n}" sourceRef="{ids[n - 1]}" targetRef="{ids[n]}" />\n'
        for n in range(1, STEPS + 2)
    )
    path = folder / "fifty_steps.bpmn"
    path.write_text(
        f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="fifty_steps_defs" targetNamespace="http://sote-flow.test/fifty_steps">
  <bpmn:process id="fifty_steps" name="Viisikymmentä vaihetta" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="lane_requesters" name="hakijat">
{refs}      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="Aloitus">
      <bpmn:extensionElements>
        <spiffworkflow:formJsonSchemaFilename>fifty_steps-start.json</spiffworkflow:formJsonSchemaFilename>
        <spiffworkflow:properties>
          <spiffworkflow:property name="startRoles" value="social_worker" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:outgoing>f1</bpmn:outgoing>
    </bpmn:startEvent>
{tasks}    <bpmn:endEvent id="end"><bpmn:incoming>f{STEPS + 1}</bpmn:incoming></bpmn:endEvent>
{flows}  </bpmn:process>
</bpmn:definitions>
""",
        encoding="utf-8",
    )
    return path


def _figures(result: dict[str, Any]) -> dict[str, Any]:
    """The compared windows of one database's samples, with their ratios."""
    loop, fifty = result["loop"], result["fifty"]
    first, last = loop["times"][:WINDOW], loop["times"][-WINDOW:]
    early = [t for step in fifty["by_step"][:EDGE] for t in step]
    late = [t for step in fifty["by_step"][-EDGE:] for t in step]
    sizes = loop["sizes"]
    return {
        "loop_time_ratio": round(median_ms(last) / median_ms(first), 2),
        "loop_state_ratio": round(sizes[-1] / sizes[0], 2),
        "fifty_time_ratio": round(median_ms(late) / median_ms(early), 2),
        "loop_first_ms": round(median_ms(first), 2),
        "loop_first_p90_ms": round(p90_ms(first), 2),
        "loop_last_ms": round(median_ms(last), 2),
        "loop_last_p90_ms": round(p90_ms(last), 2),
        "loop_state_bytes": {"1": sizes[0], str(len(sizes)): sizes[-1]},
        "loop_state_bytes_mid": sizes[len(sizes) // 2 - 1],
        "loop_state_tasks": {str(n): count for n, count in loop["tasks"].items()},
        "fifty_first_ms": round(median_ms(early), 2),
        "fifty_first_p90_ms": round(p90_ms(early), 2),
        "fifty_last_ms": round(median_ms(late), 2),
        "fifty_last_p90_ms": round(p90_ms(late), 2),
        "fifty_all_ms": round(statistics.median(t for s in fifty["by_step"] for t in s) * 1000, 2),
        "fifty_state_bytes": {str(n): size for n, size in fifty["sizes"].items()},
        "fifty_state_tasks": {str(n): count for n, count in fifty["tasks"].items()},
    }


def _report(args: argparse.Namespace, results: dict[str, dict[str, Any]]) -> None:
    rounds = args.iterations
    print(f"State growth with an instance's history: loop ({rounds} rounds, one instance), "
          f"fifty_steps ({STEPS} user tasks, {args.instances} instances), "
          f"{args.workers} worker(s), {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")  # fmt: skip
    summary: dict[str, Any] = {"iterations": rounds, "instances": args.instances}
    for label, result in results.items():
        summary[label] = _figures(result)
    for label in results:
        f = summary[label]
        print(f"  {label:<10} loop: rounds {rounds - WINDOW + 1}-{rounds} vs 1-{WINDOW} "
              f"{f['loop_time_ratio']:5.2f}x (target <= {TARGETS['loop_time']:g}x), "
              f"state after {rounds} vs 1 {f['loop_state_ratio']:5.2f}x "
              f"(target <= {TARGETS['loop_state']:g}x); fifty_steps: tasks {STEPS - EDGE + 1}-"
              f"{STEPS} vs 1-{EDGE} {f['fifty_time_ratio']:5.2f}x "
              f"(target <= {TARGETS['fifty_time']:g}x)")  # fmt: skip
    last = f"{rounds - WINDOW + 1}-{rounds}"
    for label in results:
        f = summary[label]
        loop_sizes, tasks = f["loop_state_bytes"], f["loop_state_tasks"]
        mid = rounds // 2
        print(f"  {label:<10} loop rounds 1-{WINDOW}: median {f['loop_first_ms']:6.2f} ms   "
              f"p90 {f['loop_first_p90_ms']:6.2f} ms   |   rounds {last}: median "
              f"{f['loop_last_ms']:6.2f} ms   p90 {f['loop_last_p90_ms']:6.2f} ms")  # fmt: skip
        print(f"  {'':<10} loop state after round 1: {loop_sizes['1']:,} bytes "
              f"({tasks.get('1')} tasks), after {mid}: {f['loop_state_bytes_mid']:,} bytes "
              f"({tasks.get(str(mid))} tasks), after {rounds}: "
              f"{loop_sizes[str(rounds)]:,} bytes ({tasks.get(str(rounds))} tasks)")  # fmt: skip
        sizes, counts = f["fifty_state_bytes"], f["fifty_state_tasks"]
        print(f"  {'':<10} fifty_steps tasks 1-{EDGE}: median {f['fifty_first_ms']:6.2f} ms   "
              f"p90 {f['fifty_first_p90_ms']:6.2f} ms   |   tasks {STEPS - EDGE + 1}-{STEPS}: "
              f"median {f['fifty_last_ms']:6.2f} ms   p90 {f['fifty_last_p90_ms']:6.2f} ms   "
              f"|   all: median {f['fifty_all_ms']:6.2f} ms")  # fmt: skip
        print(f"  {'':<10} fifty_steps state after task 1: {sizes['1']:,} bytes "
              f"({counts['1']} tasks), after task {STEPS - 1}: {sizes[str(STEPS - 1)]:,} bytes "
              f"({counts[str(STEPS - 1)]} tasks)")  # fmt: skip
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
