"""Issue 17: an instance's read shows its newest history and case states, however long its life."""

from __future__ import annotations

from sote_flow.services import instances
from sote_flow.services.instances import view_instance
from tests.support.orders import OrderDriver, make_order_people


def test_returned_order_shows_its_newest_entries_and_states(platform, uow, clock):
    people = make_order_people(platform, uow, clock)
    driver = OrderDriver(platform, uow, clock, people)
    driver.order()
    driver.process()
    for _ in range(6):
        driver.return_to_queue()
        driver.process()
    with uow() as unit:
        everything = unit.history.for_instance(driver.instance_id)
        states = unit.cases.state_log(driver.instance_id)
    assert len(states) > instances.RECENT_CHANGES

    with uow() as unit:
        view = view_instance(platform, people.admin, unit, clock, driver.instance_id)
    assert [e.id for e in view.history] == [e.id for e in everything[-instances.RECENT_HISTORY :]]
    assert view.history_more
    assert view.case is not None and view.case.changes_more
    assert [c.id for c in view.case.changes] == [c.id for c in states[-instances.RECENT_CHANGES :]]

    fresh = OrderDriver(platform, uow, clock, people)
    fresh.order()
    with uow() as unit:
        short = view_instance(platform, people.admin, unit, clock, fresh.instance_id)
    assert not short.history_more and short.history[0].action == "instance_started"
    assert short.case is not None and not short.case.changes_more
