"""A failed engine step marks only its own instance; an administrator retries it later."""

from __future__ import annotations

import pytest

from sote_flow.domain.errors import PermissionDenied
from sote_flow.engine.functions import DIAGRAM_FUNCTIONS
from sote_flow.engine.runtime import WorkflowRuntime
from sote_flow.handlers import HANDLERS
from sote_flow.services import admin, tasks
from tests.support.factories import DIAGRAMS, deploy, make_actor, make_groups, start


class FlakyService:
    """A handler standing in for an external service that is down until it is not."""

    def __init__(self) -> None:
        self.down = True

    def __call__(self, ctx):
        if self.down:
            raise ConnectionError("palvelu ei vastaa")
        return "ok"


@pytest.fixture
def flaky(platform):
    service = FlakyService()
    platform.runtime = WorkflowRuntime({**HANDLERS, "test/flaky": service}, DIAGRAM_FUNCTIONS)
    return service


def test_retry_after_the_cause_is_fixed(platform, uow, clock, flaky):
    make_groups(uow, "kasittelijat")
    deploy(platform, uow, clock, DIAGRAMS / "flaky.bpmn")
    starter = make_actor(uow, clock, "sanna", ["social_worker"], ["kasittelijat"])
    root = make_actor(uow, clock, "paavo", ["administrator"])
    broken = start(platform, uow, clock, starter, "flaky", {})
    assert broken.status == "error" and "palvelu ei vastaa" in broken.error_message

    with uow() as unit:
        problems = admin.list_problems(root, unit)
    assert [i.id for i in problems.instances_in_error] == [broken.id]
    with uow() as unit, pytest.raises(PermissionDenied):
        admin.retry_instance(platform, starter, unit, clock, broken.id)

    with uow() as unit:
        still = admin.retry_instance(platform, root, unit, clock, broken.id)
    assert still.status == "error"  # the service is still down

    flaky.down = False
    with uow() as unit:
        fixed = admin.retry_instance(platform, root, unit, clock, broken.id)
    assert fixed.status == "running" and fixed.error_message is None
    with uow() as unit:
        assert [t.title for t in tasks.group_tasks(starter, unit, 1, 5).tasks] == ["Käsittele"]
        history = [e.action for e in unit.history.for_instance(broken.id)]
    assert history.count("instance_retried") == 2 and history[-1] == "task_opened"
