"""Run workflows: start, load, complete user tasks, wake timers, and report what happened."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import Conflict, EngineFailure
from sote_flow.domain.text import t
from sote_flow.engine.cases import CaseDeclaration, case_state_of
from sote_flow.engine.engine_clock import engine_clock
from sote_flow.engine.failures import failure_of as _failure
from sote_flow.engine.parsing import ParsedProcess
from sote_flow.engine.sandbox import SandboxedEnvironment
from sote_flow.engine.snapshot import ReadyHumanTask, StepSnapshot, ThrownMessage
from sote_flow.engine.state_codec import StateCodec
from sote_flow.engine.tasks import FormRef, form_ref, task_properties
from sote_flow.engine.timers import pending_timers
from sote_flow.engine.versions import MigrationPlan, migrate
from sote_flow.handlers.context import Handler, HandlerContext, OutgoingMail, StaffDirectory


@dataclass(frozen=True)
class RunContext:
    """Who is acting on which instance, and the clock to use."""

    instance_id: int
    process_key: str
    actor: str
    clock: Clock
    directory: StaffDirectory | None = None


@dataclass(frozen=True)
class ServiceCall:
    """One service task the engine ran, for the history."""

    element_id: str
    operator: str
    result: Any


@dataclass
class StepReport:
    """What one round of engine steps did: service calls, mails asked for, and any failure."""

    clock: Clock
    service_calls: list[ServiceCall] = field(default_factory=list)
    mails: list[OutgoingMail] = field(default_factory=list)
    failure: EngineFailure | None = None


# What the services hold between loading and saving a workflow; they never look inside it.
Workflow = BpmnWorkflow

MAX_STEP_ROUNDS = 100


class SoteScriptEngine(PythonScriptEngine):  # type: ignore[misc]
    """Sandboxed expressions; service tasks dispatched to the registered handlers."""

    def __init__(
        self,
        environment: SandboxedEnvironment,
        handlers: Mapping[str, Handler],
        context: RunContext,
        report: StepReport,
    ) -> None:
        super().__init__(environment=environment)
        self._handlers = handlers
        self._context = context
        self._report = report

    @property
    def clock(self) -> Clock:
        """The clock of the run this engine is attached to."""
        return self._context.clock

    @property
    def actor(self) -> str:
        """The username acting in the run this engine is attached to."""
        return self._context.actor

    def call_service(self, task: Any, operation_name: str, operation_params: Any, **_: Any) -> str:
        handler = self._handlers.get(operation_name)
        if handler is None:
            raise WorkflowTaskException(f"no handler for operator {operation_name!r}", task=task)
        params = {name: param["value"] for name, param in operation_params.items()}
        ctx = HandlerContext(
            instance_id=self._context.instance_id,
            process_key=self._context.process_key,
            element_id=task.task_spec.bpmn_id,
            task_data=dict(task.data),
            params=params,
            actor=self._context.actor,
            clock=self._context.clock,
            directory=self._context.directory,
        )
        try:
            result = handler(ctx)
        except Exception as exc:
            raise WorkflowTaskException(
                f"{operation_name} failed: {exc}", task=task, exception=exc
            ) from exc
        self._report.service_calls.append(
            ServiceCall(task.task_spec.bpmn_id, operation_name, result)
        )
        self._report.mails.extend(ctx.mails)
        return json.dumps(result, default=str)


class WorkflowRuntime:
    """Stateless facade over SpiffWorkflow; safe to share between threads."""

    def __init__(
        self,
        handlers: Mapping[str, Handler],
        functions: Mapping[str, Callable[..., Any]] | None = None,
    ) -> None:
        self._handlers = handlers
        self._environment = SandboxedEnvironment(functions=functions or {})
        self._codec = StateCodec()

    @property
    def operators(self) -> frozenset[str]:
        """The service-task operators this runtime can run."""
        return frozenset(self._handlers)

    def retry(self, workflow: BpmnWorkflow, report: StepReport) -> list[str]:
        """Run failed tasks again, then on; returns the element ids that were retried."""
        failed = workflow.get_tasks(state=TaskState.ERROR)
        retried = [str(task.task_spec.bpmn_id) for task in failed]
        try:
            with engine_clock(report.clock):
                for task in failed:
                    task.run()
        except Exception as exc:  # still failing: the instance stays in error
            report.failure = _failure(exc)
            return retried
        self._step(workflow, report)
        return retried

    def start(
        self, parsed: ParsedProcess, data: Mapping[str, Any], ctx: RunContext
    ) -> tuple[BpmnWorkflow, StepReport]:
        """Create a workflow seeded with `data` and run it to its first wait state."""
        workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs)
        report = self._attach(workflow, ctx)
        workflow.get_next_task(state=TaskState.READY).data.update(data)
        self._run_steps(workflow, report)
        return workflow, report

    def load(
        self, state: bytes, ctx: RunContext, parsed: ParsedProcess
    ) -> tuple[BpmnWorkflow, StepReport]:
        """Restore a stored workflow on its version's spec and attach the sandboxed engine (the
        engine is never stored)."""
        workflow = self._codec.decode(state, parsed)
        return workflow, self._attach(workflow, ctx)

    def dump(self, workflow: BpmnWorkflow) -> bytes:
        """Return a workflow's state for storage (without its spec)."""
        return self._codec.encode(workflow)

    def complete_task(
        self, workflow: BpmnWorkflow, report: StepReport, task_id: str, data: Mapping[str, Any]
    ) -> str:
        """Complete a READY human task with `data`, then run on; returns the task's element id."""
        task = workflow.get_task_from_id(UUID(task_id))
        # Task.run() does not check the state itself; a stale request must not complete anything.
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise Conflict(t("Tehtävä ei ole enää avoinna."))
        submitted = dict(data)
        completer_field = task_properties(task.task_spec).get("recordCompleter")
        if completer_field:
            # Set by the engine, not the form: who did this task (e.g. the order's handler).
            submitted[completer_field] = workflow.script_engine.actor
        add_data = getattr(task.task_spec, "add_data_from_form", None)
        if add_data is not None:
            add_data(task, submitted)
        else:
            task.data.update(submitted)
        try:
            with engine_clock(report.clock):
                task.run()
        except Exception as exc:  # a failing post-script is an engine failure, not a crash
            report.failure = _failure(exc)
            return str(task.task_spec.bpmn_id)
        self._run_steps(workflow, report)
        return str(task.task_spec.bpmn_id)

    def snapshot(
        self, workflow: BpmnWorkflow, report: StepReport, declaration: CaseDeclaration | None
    ) -> StepSnapshot:
        """Read at once all a save stores of the workflow after a step (taking the messages it
        threw); the case state is the one `declaration` gives."""
        thrown = tuple(ThrownMessage(*message) for message in self.thrown_messages(workflow))
        failure = report.failure
        ready: tuple[ReadyHumanTask, ...] = ()
        if failure is None:
            try:
                ready = tuple(self.ready_human_tasks(workflow))
            except EngineFailure as exc:
                failure = exc
        return StepSnapshot(
            state=self.dump(workflow),
            completed=workflow.is_completed(),
            failure=failure,
            ready=ready,
            timers=tuple(self.timers(workflow)),
            waiting_messages=tuple(self.waiting_messages(workflow)),
            thrown_messages=thrown,
            latest_data=self.latest_data(workflow),
            case_state=case_state_of(workflow, declaration)
            if declaration and not failure
            else None,
        )

    def thrown_messages(self, workflow: BpmnWorkflow) -> list[tuple[str, Any, dict[str, Any]]]:
        """Take the messages the workflow threw that nothing inside it caught."""
        return [
            (event.event_definition.name, event.payload, dict(event.correlations or {}))
            for event in workflow.get_events()
            if isinstance(event.event_definition, MessageEventDefinition)
        ]

    def waiting_messages(self, workflow: BpmnWorkflow) -> list[str]:
        """Return the names of the messages the workflow waits for."""
        return sorted(
            {
                event.name
                for event in workflow.waiting_events()
                if event.event_type == "MessageEventDefinition"
            }
        )

    def deliver_message(
        self,
        workflow: BpmnWorkflow,
        report: StepReport,
        name: str,
        payload: Mapping[str, Any],
        correlations: Mapping[str, Any],
    ) -> bool:
        """Give a message to the workflow and run on; False if nothing in it catches it."""
        event = BpmnEvent(
            MessageEventDefinition(name), payload=dict(payload), correlations=dict(correlations)
        )
        # Messages are not queued by the engine: only a task waiting right now may catch one.
        if workflow.get_next_task(state=TaskState.WAITING, catches_event=event) is None:
            return False
        try:
            with engine_clock(report.clock):
                workflow.send_event(event)
        except Exception as exc:  # a failing catch expression is an engine failure
            report.failure = _failure(exc)
            return True
        self._run_steps(workflow, report)
        return True

    def set_ready_data(self, workflow: BpmnWorkflow, data: Mapping[str, Any]) -> None:
        """Update the data of every READY human task (what their completion carries on)."""
        for task in workflow.get_tasks(state=TaskState.READY, manual=True):
            task.data.update(data)

    def cancel(self, workflow: BpmnWorkflow, data: Mapping[str, Any]) -> None:
        """End the workflow without finishing it; `data` is added to its final data."""
        final = {**self.current_data(workflow), **data}
        with engine_clock(workflow.script_engine.clock):
            workflow.cancel()
        workflow.data.update(final)

    def migrate(
        self, workflow: BpmnWorkflow, report: StepReport, new: ParsedProcess
    ) -> MigrationPlan:
        """Move `workflow` onto the version `new` where possible (see `versions.migrate`)."""
        # Resetting tasks restarts their timers, which reads the time: the run's clock, not
        # the system's.
        with engine_clock(report.clock):
            return migrate(workflow, new)

    def wake(self, workflow: BpmnWorkflow, report: StepReport) -> None:
        """Fire due timers and run on."""
        self._run_steps(workflow, report)

    def ready_human_tasks(self, workflow: BpmnWorkflow) -> list[ReadyHumanTask]:
        """Return the READY user and manual tasks, with group and assignee resolved."""
        ready = []
        with engine_clock(workflow.script_engine.clock):
            for task in workflow.get_tasks(state=TaskState.READY, manual=True):
                ready.append(self._describe(workflow, task))
        return ready

    def _describe(self, workflow: BpmnWorkflow, task: Any) -> ReadyHumanTask:
        spec = task.task_spec
        properties = task_properties(spec)
        return ReadyHumanTask(
            task_id=str(task.id),
            element_id=spec.bpmn_id,
            title=spec.bpmn_name or spec.bpmn_id,
            group=self._evaluate(workflow, task, properties.get("group")) or spec.lane,
            assignee=self._evaluate(workflow, task, properties.get("assignee")),
            due_at=_as_time(self._evaluate(workflow, task, properties.get("dueAt"))),
            form=form_ref(spec),
        )

    def evaluate_on(self, expression: str, data: Mapping[str, Any], clock: Clock) -> Any:
        """Evaluate a declared expression (e.g. caseUrgent) on case data in the sandbox.

        A failing expression (a field the case does not have yet) gives None, not an error.
        """
        try:
            with engine_clock(clock):
                return self._environment.evaluate(expression, dict(data))
        except Exception:  # declared expressions only inform queues; never fail a save
            return None

    def timers(self, workflow: BpmnWorkflow) -> list[tuple[str, datetime]]:
        """Return (task id, due time) for every timer the workflow waits on."""
        return pending_timers(workflow)

    def current_data(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        """Return the instance data as of its most recent step."""
        if workflow.is_completed():
            return dict(workflow.data)
        task = workflow.last_task or workflow.get_next_task(state=TaskState.READY)
        return dict(task.data) if task is not None else {}

    def latest_data(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        """Return the data an open human task holds (changes since its step included)."""
        ready = workflow.get_next_task(state=TaskState.READY, manual=True)
        return dict(ready.data) if ready is not None else self.current_data(workflow)

    def form_of(self, workflow: BpmnWorkflow, task_id: str) -> FormRef:
        """Return the form files and instructions of a task."""
        task = workflow.get_task_from_id(UUID(task_id))
        return form_ref(task.task_spec)

    def task_data(self, workflow: BpmnWorkflow, task_id: str) -> dict[str, Any]:
        """Return the data a READY task will show in its form."""
        task = workflow.get_task_from_id(UUID(task_id))
        return dict(task.data) if task is not None else {}

    def _attach(self, workflow: BpmnWorkflow, ctx: RunContext) -> StepReport:
        report = StepReport(clock=ctx.clock)
        workflow.script_engine = SoteScriptEngine(self._environment, self._handlers, ctx, report)
        return report

    def _run_steps(self, workflow: BpmnWorkflow, report: StepReport) -> None:
        self._step(workflow, report)
        if report.failure is not None and report.failure.details.get("timeout"):
            # Only the clock ran out (a busy machine, not a wrong diagram): run the failed step
            # once more before the instance is marked in error.
            report.failure = None
            self.retry(workflow, report)

    def _step(self, workflow: BpmnWorkflow, report: StepReport) -> None:
        try:
            with engine_clock(report.clock):
                workflow.refresh_timers()
                workflow.do_engine_steps()
                # do_engine_steps refreshes timers only at its end, so a timer that became
                # due during the run is READY but not yet run; run on until nothing is.
                for _ in range(MAX_STEP_ROUNDS):
                    if not workflow.get_tasks(state=TaskState.READY, manual=False):
                        break
                    workflow.do_engine_steps()
        except Exception as exc:  # any engine failure marks the instance, never the server
            report.failure = _failure(exc)

    def _evaluate(self, workflow: BpmnWorkflow, task: Any, expression: str | None) -> str | None:
        if not expression:
            return None
        try:
            value = workflow.script_engine.evaluate(task, expression)
        except Exception as exc:
            raise _failure(exc) from exc
        return str(value) if value not in (None, "") else None


def _as_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        due = datetime.fromisoformat(value)
    except ValueError:
        raise EngineFailure(f"dueAt did not give an ISO time: {value!r}") from None
    return due if due.tzinfo else due.replace(tzinfo=UTC)
