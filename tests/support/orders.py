"""Service orders in tests and benchmarks: the demo-like people and a driver for one order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sote_flow.domain.clock import Clock
from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.persistence.models import FamilyWorker, ProcessInstance
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.service_order import actions
from sote_flow.service_order.models import ServiceOrder
from sote_flow.services import tasks
from sote_flow.services.actors import Actor
from sote_flow.services.demo import DEMO_GROUPS
from sote_flow.services.platform import Platform
from tests.support.factories import PROCESSES, deploy, make_actor, make_groups, start

UnitOfWorkFactory = Callable[[], UnitOfWork]

ORDER: dict[str, Any] = {
    "client_number": "1000234",
    "municipality": "Kotka",
    "urgency": "tavallinen",
    "law": "sosiaalihuoltolaki",
    "service": "psykososiaalinen_kotikuntoutus",
    "producer_group": "psykososiaalinen_kotikuntoutus",
    "needs": ["arjen_hallinta", "muu"],
    "needs_other": "Vuorokausirytmi",
}
GROUP = ORDER["producer_group"]


@dataclass(frozen=True)
class OrderPeople:
    """The people of an order: orderer, two admins of the producer group, manager, worker."""

    orderer: Actor
    admin: Actor
    other_admin: Actor
    manager: Actor
    worker: Actor
    outsider_admin: Actor


def make_order_people(platform: Platform, uow: UnitOfWorkFactory, clock: Clock) -> OrderPeople:
    """Create the groups and people and deploy processes/service_order.bpmn."""
    make_groups(uow, *DEMO_GROUPS)
    deploy(platform, uow, clock, PROCESSES / "service_order.bpmn")
    worker = make_actor(
        uow, clock, "pekka", ["family_worker"], ["perhetyontekijat"], email="pekka@ex.test"
    )
    with uow() as unit:
        unit.session.add(
            FamilyWorker(
                user_id=worker.user_id,
                skills=["arjen_hallinta", "sosiaaliohjaus"],
                municipalities=["Kotka", "Hamina"],
                active=True,
            )
        )
        unit.commit()
    return OrderPeople(
        orderer=make_actor(
            uow, clock, "sofia", ["social_worker"], ["sosiaalityontekijat"], email="sofia@ex.test"
        ),
        admin=make_actor(uow, clock, "aino", ["producer_admin"], [GROUP], email="aino@ex.test"),
        other_admin=make_actor(uow, clock, "anni", ["producer_admin"], [GROUP]),
        manager=make_actor(uow, clock, "maria", ["service_manager"], email="maria@ex.test"),
        worker=worker,
        outsider_admin=make_actor(
            uow, clock, "otto", ["producer_admin"], ["lapsiperheiden_avopalvelut"]
        ),
    )


class OrderDriver:
    """Moves one order through its tasks as the given people would in the UI."""

    def __init__(
        self, platform: Platform, uow: UnitOfWorkFactory, clock: Clock, people: OrderPeople
    ) -> None:
        self.platform, self.uow, self.clock, self.people = platform, uow, clock, people
        self.instance_id = 0

    def order(self, **changes: Any) -> ProcessInstance:
        """Send a new order as the orderer."""
        instance = start(
            self.platform, self.uow, self.clock, self.people.orderer, "service_order",
            {**ORDER, **changes},
        )  # fmt: skip
        self.instance_id = instance.id
        return instance

    def open_elements(self) -> list[str]:
        """Return the element ids of the order's open tasks."""
        with self.uow() as unit:
            return sorted(t.element_id for t in unit.tasks.for_instance(self.instance_id))

    def complete(self, actor: Actor, element: str, data: dict[str, Any]) -> None:
        """Complete the open task `element` as `actor`."""
        with self.uow() as unit:
            open_tasks = unit.tasks.for_instance(self.instance_id)
            found = [t for t in open_tasks if t.element_id == element]
        assert found, f"{element} is not open; open: {self.open_elements()}"
        with self.uow() as unit:
            tasks.complete_task(self.platform, actor, unit, self.clock, found[0].id, data)

    def take(self, actor: Actor | None = None) -> None:
        """Take the order into processing."""
        self.complete(actor or self.people.admin, "take_order", {})

    def plan(self, actor: Actor | None = None, planned_start: str = "2026-12-07") -> None:
        """Plan the service: start date and family worker."""
        data = {"decision": "suunniteltu", "planned_start": planned_start, "family_worker": "pekka"}
        self.complete(actor or self.people.admin, "plan_service", data)

    def record_start(self, actor: Actor | None = None, actual_start: str | None = None) -> None:
        """Record the day the service started (by default today, as a start cannot be ahead)."""
        day = actual_start or self._today()
        self.complete(actor or self.people.admin, "record_start", {"actual_start": day})

    def record_end(
        self, end_date: str | None = None, reason: str = "tavoitteet_saavutettu"
    ) -> None:
        """Record the day the service ended and why (by default today)."""
        data = {"end_date": end_date or self._today(), "end_reason": reason}
        self.complete(self.people.admin, "record_end", data)

    def _today(self) -> str:
        return self.clock().astimezone(FINNISH_TIME).date().isoformat()

    def process(self) -> None:
        """Take, plan and start the order."""
        self.take()
        self.plan()
        self.record_start()

    def return_to_queue(self, reason: str = "Perhe muutti, palvelu keskeytyi.") -> None:
        """Return the processed order to the queue as the admin."""
        with self.uow() as unit:
            actions.return_order(
                self.platform, self.people.admin, unit, self.clock, self.instance_id, reason
            )

    def projection(self) -> ServiceOrder:
        """Return the order's projection row."""
        with self.uow() as unit:
            order = unit.session.get(ServiceOrder, self.instance_id)
            assert order is not None
            return order

    def process_after_returns(self, returns: int) -> None:
        """Order, process, then return to the queue and process again `returns` times."""
        self.order()
        self.process()
        for _ in range(returns):
            self.return_to_queue()
            self.process()
