"""The auditors' history of an instance: path over restarted rounds, data replay, access log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sote_flow.domain.errors import PermissionDenied
from sote_flow.persistence.models import AccessLogEntry
from sote_flow.services.history_view import instance_history
from tests.support.factories import make_actor
from tests.support.orders import OrderDriver, make_order_people


@pytest.fixture
def people(platform, uow, clock):
    return make_order_people(platform, uow, clock)


@pytest.fixture
def driver(platform, uow, clock, people):
    return OrderDriver(platform, uow, clock, people)


def test_returned_order_shows_both_rounds_and_waits_in_the_new_one(
    platform, uow, clock, people, driver
):
    auditor = make_actor(uow, clock, "tarja", ["auditor"])
    driver.order()
    driver.process()
    driver.return_to_queue("Perhe muutti.")
    with uow() as unit:
        view = instance_history(platform, auditor, unit, clock, driver.instance_id)

    # Round 1 went all the way to the start of the service; the restarted workflow only knows
    # round 2, so those elements come from the history.
    for element in ("assign_number", "plan_service", "record_start", "notify_orderer"):
        assert element in view.path.elements, element
    assert {"flow_returned", "flow_returned_to_take", "flow_planned"} <= view.path.flows
    waiting = {p.element_id: p.kind for p in view.waiting}
    assert waiting["take_order"] == "task" and waiting["take_up_overdue"] == "timer"
    # Taken once in round 1 (the history says so), waiting again now: both passed and waiting.
    assert "take_order" in view.path.elements

    actions = [row.entry.action for row in view.timeline]
    assert actions[0] == "instance_started" and "order_returned" in actions
    data = dict(view.data_at)
    assert data["Asiakasnumero"] == "1000234" and data["Palautuksen syy"] == "Perhe muutti."
    assert "round_number" not in data  # the engine's bookkeeping is not for people
    assert data["Perhetyöntekijä"] == "pekka"  # the plan is kept for the new round

    with uow() as unit:
        reads = unit.session.scalars(select(AccessLogEntry)).all()
    assert [(r.username, r.object_type, r.purpose) for r in reads] == [
        ("tarja", "instance_history", "valvonta")
    ]


def test_outsiders_may_not_read_the_history(platform, uow, clock, people, driver):
    driver.order()
    with uow() as unit, pytest.raises(PermissionDenied):
        instance_history(platform, people.worker, unit, clock, driver.instance_id)
    with uow() as unit:
        assert unit.session.scalars(select(AccessLogEntry)).all() == []
