"""The client case on a real database: vireillepano → arviointi → päätös → palvelu → päättynyt,
with the statutory clocks the diagram declares and the escalation before the first runs out."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from sote_flow.client_case.models import CaseFacts
from sote_flow.domain.errors import InvalidInput
from sote_flow.engine.runtime import RunContext
from sote_flow.persistence.models import CaseClock, OutboxMail
from sote_flow.services import tasks
from sote_flow.services.clock_warnings import warn_due_clocks
from sote_flow.services.instances import start_instance
from sote_flow.services.timers import fire_due_timers
from tests.support.factories import PROCESSES, deploy, make_actor, make_groups

PENDING = {
    "client_number": "7654321",
    "municipality": "Lahti",
    "matter_type": "lapsiperheet",
    "notifier": "varhaiskasvatus_opetus",
    "reason": "Päiväkoti on huolissaan perheen jaksamisesta.",
    "unit": "lapsiperheiden_sosiaalityo",
    "urgent": False,
    "special_group": "lapsi_erityinen_tuki",
}


@pytest.fixture
def people(platform, uow, clock):
    make_groups(uow, "sosiaalityontekijat")
    deploy(platform, uow, clock, PROCESSES / "client_case.bpmn")
    return {
        "worker": make_actor(uow, clock, "sanni", ["social_worker"], ["sosiaalityontekijat"]),
        "manager": make_actor(uow, clock, "paula", ["service_manager"], email="paula@example.test"),
    }


def start(platform, uow, clock, actor, **changes):
    with uow() as unit:
        return start_instance(
            platform, actor, unit, clock, "client_case", {**PENDING, **changes}
        ).id


def complete(platform, uow, clock, actor, instance_id, data):
    with uow() as unit:
        (task,) = unit.tasks.for_instance(instance_id)
    if task.assignee_id is None:
        with uow() as unit:
            tasks.claim_task(actor, unit, clock, task.id)
    with uow() as unit:
        tasks.complete_task(platform, actor, unit, clock, task.id, data)


def clocks_of(uow, instance_id):
    with uow() as unit:
        rows = unit.session.scalars(select(CaseClock).where(CaseClock.instance_id == instance_id))
        return {c.key: c for c in rows}


def state_of(uow, instance_id):
    with uow() as unit:
        return unit.cases.get(instance_id).state


def test_a_case_goes_through_every_state_and_its_clocks_stop_in_time(platform, uow, clock, people):
    worker = people["worker"]
    instance_id = start(platform, uow, clock, worker)
    assert state_of(uow, instance_id) == "vireilla"
    running = clocks_of(uow, instance_id)
    # Pending Monday 23.11.2026: the seventh weekday is Wednesday 2.12.; three months 23.2.2027.
    assert sorted(running) == ["arvio_alkaa", "arvio_valmis"]
    assert running["arvio_alkaa"].due_on == date(2026, 12, 2)
    assert running["arvio_valmis"].due_on == date(2027, 2, 23)

    complete(platform, uow, clock, worker, instance_id, {"second_handler": "sakari"})
    assert state_of(uow, instance_id) == "selvitys"
    assert clocks_of(uow, instance_id)["arvio_alkaa"].stopped_on == date(2026, 11, 23)
    complete(platform, uow, clock, worker, instance_id,
             {"assessment_summary": "Perhe tarvitsee kotipalvelua.", "needs": ["kotipalvelu"],
              "assessment_done_on": "2026-11-23"})  # fmt: skip
    assert state_of(uow, instance_id) == "paatos"
    with pytest.raises(InvalidInput) as no_appeal:
        complete(platform, uow, clock, worker, instance_id,
                 {"decision": "myonteinen", "legal_basis": "SHL 19 §", "decided_on": "2026-11-23",
                  "appeal_instructions": False})  # fmt: skip
    assert no_appeal.value.errors[0].field == "appeal_instructions"
    complete(platform, uow, clock, worker, instance_id,
             {"decision": "myonteinen", "legal_basis": "SHL 19 §", "decided_on": "2026-11-23",
              "appeal_instructions": True})  # fmt: skip
    assert state_of(uow, instance_id) == "toimeenpano"
    implementing = clocks_of(uow, instance_id)["toimeenpano"]
    assert (implementing.started_on, implementing.due_on) == (date(2026, 11, 23), date(2027, 2, 23))
    assert "kiireellinen" not in clocks_of(uow, instance_id)  # not an urgent matter

    with pytest.raises(InvalidInput) as backwards:
        complete(platform, uow, clock, worker, instance_id,
                 {"service_key": "kotipalvelu", "service_start": "2026-12-01",
              "service_end": "2026-11-30", "another_service": False})  # fmt: skip
    assert backwards.value.errors[0].field == "service_end"
    complete(platform, uow, clock, worker, instance_id,
             {"service_key": "kotipalvelu", "service_start": "2026-12-01",
              "service_end": "2027-05-31", "another_service": True})  # fmt: skip
    last = {"service_key": "perhetyo", "service_start": "2026-11-30", "another_service": False}
    complete(platform, uow, clock, worker, instance_id, last)
    with uow() as unit:
        assert unit.session.get(CaseFacts, instance_id).service_key == "perhetyo"
    clock.advance(timedelta(days=7))  # Monday 30.11.: the earliest service starts
    fire_due_timers(platform, uow, clock)
    assert state_of(uow, instance_id) == "palvelu"
    assert clocks_of(uow, instance_id)["toimeenpano"].stopped_on == date(2026, 11, 30)
    complete(platform, uow, clock, worker, instance_id, {"closing_reason": "tavoitteet"})
    assert state_of(uow, instance_id) == "paattynyt"
    assert all(c.stopped_on is not None for c in clocks_of(uow, instance_id).values())


def test_an_urgent_refusal_closes_the_case_and_runs_no_clock_for_other_groups(
    platform, uow, clock, people
):
    worker = people["worker"]
    instance_id = start(platform, uow, clock, worker, special_group="ei", matter_type="tyoikaiset",
                        urgent=True)  # fmt: skip
    assert clocks_of(uow, instance_id) == {}  # neither SHL 36 § clock applies
    with uow() as unit:
        assert unit.cases.get(instance_id).urgent_rank == 0  # urgent cases first in the queue
    complete(platform, uow, clock, worker, instance_id, {"second_handler": "sakari"})
    assessed = {"assessment_summary": "Ei tarvetta.", "assessment_done_on": "2026-11-23"}
    complete(platform, uow, clock, worker, instance_id, assessed)
    complete(platform, uow, clock, worker, instance_id,
             {"decision": "kielteinen", "legal_basis": "SHL 45 §", "decided_on": "2026-11-23",
              "appeal_instructions": True})  # fmt: skip
    assert state_of(uow, instance_id) == "paattynyt"


def test_the_service_manager_is_told_two_weekdays_before_the_assessment_must_start(
    platform, uow, clock, people
):
    instance_id = start(platform, uow, clock, people["worker"])
    assert clocks_of(uow, instance_id)["arvio_alkaa"].warn_on == date(2026, 11, 30)
    clock.advance(timedelta(days=6, hours=12))  # Sunday 29.11.
    assert warn_due_clocks(platform, uow, clock) == []
    clock.advance(timedelta(hours=12))  # Monday 30.11., two weekdays before Wednesday 2.12.
    assert len(warn_due_clocks(platform, uow, clock)) == 1
    assert warn_due_clocks(platform, uow, clock) == []  # once
    with uow() as unit:
        (alert,) = unit.session.scalars(select(OutboxMail)).all()
    assert alert.to_address == "paula@example.test"
    assert alert.subject == "Määräaika lähestyy: Palvelutarpeen arviointi alkaa, asia " + (
        f"AS-2026-{instance_id:06d}"
    )
    assert "päättyy 2.12.2026" in alert.body and "SHL 36 §" in alert.body


def test_a_stopped_clock_is_not_escalated(platform, uow, clock, people):
    instance_id = start(platform, uow, clock, people["worker"])
    complete(platform, uow, clock, people["worker"], instance_id, {"second_handler": "sakari"})
    clock.advance(timedelta(days=8))
    assert warn_due_clocks(platform, uow, clock) == []


def test_each_recorded_service_keeps_its_own_dates(platform, uow, clock, people):
    worker = people["worker"]
    instance_id = start(platform, uow, clock, worker)
    complete(platform, uow, clock, worker, instance_id, {"second_handler": "sakari"})
    complete(platform, uow, clock, worker, instance_id,
             {"assessment_summary": "Tarve on.", "assessment_done_on": "2026-11-23"})  # fmt: skip
    complete(platform, uow, clock, worker, instance_id,
             {"decision": "osittain", "legal_basis": "SHL 19 §", "decided_on": "2026-11-23",
              "appeal_instructions": True})  # fmt: skip
    complete(platform, uow, clock, worker, instance_id,
             {"service_key": "kotipalvelu", "service_start": "2026-12-01",
              "service_end": "2027-05-31", "another_service": True})  # fmt: skip
    last = {"service_key": "perhetyo", "service_start": "2026-12-07", "another_service": False}
    complete(platform, uow, clock, worker, instance_id, last)
    with uow() as unit:
        instance = unit.instances.get(instance_id)
        workflow, _ = platform.load_workflow(
            instance, RunContext(instance_id, "client_case", "test", clock)
        )
        data = platform.runtime.current_data(workflow)
    assert data["services"] == [
        {"service_key": "kotipalvelu", "start": "2026-12-01", "end": "2027-05-31"},
        {"service_key": "perhetyo", "start": "2026-12-07", "end": ""},
    ]
    assert data["service_starts_at"] == "2026-11-30T22:00:00+00:00"  # 1.12. 0.00 Finnish time
