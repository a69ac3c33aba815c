"""Engine features via the use cases: scripts, DMN, pre/post scripts, timers, errors, versions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from sote_flow.domain.errors import DeployRefused
from sote_flow.engine.bundle import ProcessBundle, bundle_from_diagram
from sote_flow.persistence.models import DueTimer
from sote_flow.services import instances, tasks
from sote_flow.services.deployment import deploy_bundle
from sote_flow.services.system import SYSTEM_ACTOR
from tests.support.factories import DIAGRAMS, deploy, make_actor, make_groups, start


@pytest.fixture
def people(platform, uow, clock):
    make_groups(uow, "hakijat", "kasittelijat")
    return {
        "orderer": make_actor(uow, clock, "sanna", ["social_worker"], ["hakijat"]),
        "handler": make_actor(uow, clock, "tuomas", ["producer_admin"], ["kasittelijat"]),
    }


def _only_task(uow, actor):
    with uow() as unit:
        page = tasks.group_tasks(actor, unit, 1, 10)
    assert page.total == 1
    return page.tasks[0]


def _start_approval(platform, uow, clock, people, client_number: str):
    return start(
        platform,
        uow,
        clock,
        people["orderer"],
        "approval",
        {"client_number": client_number, "amount": 1},
    )


def test_scripts_dmn_prescript_postscript_and_timer_rows(platform, uow, clock, people):
    deploy(platform, uow, clock, DIAGRAMS / "features.bpmn")
    instance = start(
        platform,
        uow,
        clock,
        people["orderer"],
        "features",
        {"amount": 21, "urgency": "kiireellinen"},
    )
    review = _only_task(uow, people["handler"])
    with uow() as unit:
        view = tasks.open_task(platform, people["handler"], unit, clock, review.id)
        timers = unit.session.scalars(select(DueTimer)).all()
    assert view.data["total"] == 42  # script task
    assert view.data["priority"] == "P1"  # DMN table
    assert view.data["greeting"] == "Tilaus 42"  # pre-script ran when the task became ready
    # The boundary timer is stored for the scheduler, due an hour after it started waiting.
    assert [t.instance_id for t in timers] == [instance.id]
    assert abs(timers[0].due_at - (clock() + timedelta(hours=1))) < timedelta(minutes=5)

    with uow() as unit:
        tasks.complete_task(platform, people["handler"], unit, clock, review.id, {})
    with uow() as unit:
        done = instances.view_instance(platform, people["orderer"], unit, clock, instance.id)
        assert unit.session.scalars(select(DueTimer)).all() == []
    assert done.instance.status == "completed"
    assert done.data["reviewed"] is True  # post-script


def test_a_hostile_condition_is_refused_at_deploy_naming_its_flow(platform, uow, clock):
    bundle = bundle_from_diagram(DIAGRAMS / "approval.bpmn")
    files = dict(bundle.files)
    files["approval.bpmn"] = files["approval.bpmn"].replace(
        b'decision == "approve"', b"__import__('os').system('id') == 0"
    )
    with uow() as unit, pytest.raises(DeployRefused) as refused:
        deploy_bundle(platform, SYSTEM_ACTOR, unit, clock, ProcessBundle(files))
    assert "f4" in [p.element_id for p in refused.value.problems]
    with uow() as unit:
        assert unit.processes.latest("approval") is None


def test_a_condition_failing_at_run_marks_the_instance_in_error_and_others_keep_running(
    platform, uow, clock, people
):
    # Compiles and passes every deploy check, but divides by zero on the data at run time.
    bundle = bundle_from_diagram(DIAGRAMS / "approval.bpmn")
    files = dict(bundle.files)
    files["approval.bpmn"] = files["approval.bpmn"].replace(
        b'decision == "approve"', b'decision == "approve" and 1 / (amount - amount) > 0'
    )
    with uow() as unit:
        deploy_bundle(platform, SYSTEM_ACTOR, unit, clock, ProcessBundle(files))
    first = _start_approval(platform, uow, clock, people, "1234567")
    second = _start_approval(platform, uow, clock, people, "7654321")
    with uow() as unit:
        page = tasks.group_tasks(people["handler"], unit, 1, 10)
        task = next(t for t in page.tasks if t.instance_id == first.id)
        tasks.complete_task(
            platform, people["handler"], unit, clock, task.id, {"decision": "approve"}
        )
    with uow() as unit:
        failed = instances.view_instance(platform, people["orderer"], unit, clock, first.id)
    with uow() as unit:
        other = instances.view_instance(platform, people["orderer"], unit, clock, second.id)
    assert failed.instance.status == "error"
    assert failed.instance.error_message
    assert failed.history[-1].action == "engine_error"
    assert failed.history[-1].task_name == "decide"
    assert other.instance.status == "running" and len(other.open_tasks) == 1


def test_running_instances_stay_on_their_version(platform, uow, clock, people):
    v1 = deploy(platform, uow, clock, DIAGRAMS / "approval.bpmn")
    old = _start_approval(platform, uow, clock, people, "1234567")
    files = dict(bundle_from_diagram(DIAGRAMS / "approval.bpmn").files)
    files["approval.bpmn"] = files["approval.bpmn"].replace(b"'HY'", b"'UUSI'")
    with uow() as unit:
        v2 = deploy_bundle(platform, SYSTEM_ACTOR, unit, clock, ProcessBundle(files)).version
    new = _start_approval(platform, uow, clock, people, "1234567")
    assert (v1.version, v2.version) == (1, 2)
    with uow() as unit:
        old_view = instances.view_instance(platform, people["orderer"], unit, clock, old.id)
    with uow() as unit:
        new_view = instances.view_instance(platform, people["orderer"], unit, clock, new.id)
    assert old_view.instance.process_version_id == v1.id
    assert old_view.data["case_number"].startswith("HY-")
    assert new_view.instance.process_version_id == v2.id
    assert new_view.data["case_number"].startswith("UUSI-")
