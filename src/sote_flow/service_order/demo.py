"""Demo data of service ordering: the family workers' skills and areas, and sample orders (one
of them taken and planned, so the family worker's own list and the orderer's mails show it)."""

from __future__ import annotations

from collections.abc import Callable

from sote_flow.domain import weekdays
from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import DomainError
from sote_flow.persistence.models import FamilyWorker
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.service_order.projection import PROCESS_KEY
from sote_flow.services.actors import actor_from_user
from sote_flow.services.instances import start_instance
from sote_flow.services.platform import Platform
from sote_flow.services.tasks import complete_task

# Skills (the order form's change needs) and areas of the demo family workers.
DEMO_FAMILY_WORKERS = {
    "perhetyontekija": (("arjen_hallinta", "lapsen_perushoito_ja_kasvatus"), ("Kotka", "Hamina")),
    "perhetyontekija2": (("vuorovaikutustaidot", "lapsen_perushoito_ja_kasvatus"), ("Kouvola",)),
    "perhetyontekija3": (
        ("arjen_hallinta", "sosiaaliohjaus", "vuorovaikutustaidot"),
        ("Kotka", "Pyhtää", "Virolahti", "Miehikkälä"),
    ),
}
DEMO_ORDERER = "sosiaalityontekija"
DEMO_PRODUCER_ADMIN = "tuottaja"
DEMO_PLANNED_WORKER = "perhetyontekija2"

SAMPLE_ORDERS = (
    {
        "client_number": "1000234",
        "municipality": "Kotka",
        "urgency": "kiireellinen",
        "law": "sosiaalihuoltolaki",
        "service": "perhetyo",
        "producer_group": "lapsiperheiden_avopalvelut",
        "needs": ["arjen_hallinta", "lapsen_perushoito_ja_kasvatus"],
    },
    {
        "client_number": "1000871",
        "municipality": "Kouvola",
        "urgency": "tavallinen",
        "law": "sosiaalihuoltolaki",
        "service": "lapsiperheiden_kotipalvelu",
        "producer_group": "lapsiperheiden_avopalvelut",
        "needs": ["vuorovaikutustaidot"],
    },
)


def seed_demo(
    platform: Platform, unit_of_work: Callable[[], UnitOfWork], clock: Clock
) -> list[str]:
    """Give the demo family workers skills and areas and start the sample orders (once)."""
    return _family_workers(unit_of_work) + _sample_orders(platform, unit_of_work, clock)


def _family_workers(unit_of_work: Callable[[], UnitOfWork]) -> list[str]:
    done = []
    with unit_of_work() as uow:
        for username, (skills, areas) in DEMO_FAMILY_WORKERS.items():
            user = uow.users.by_username(username)
            if user is None or uow.session.get(FamilyWorker, user.id) is not None:
                continue
            uow.session.add(
                FamilyWorker(user_id=user.id, skills=list(skills), municipalities=list(areas))
            )
            done.append(f"family worker {username}")
        uow.commit()
    return done


def _sample_orders(
    platform: Platform, unit_of_work: Callable[[], UnitOfWork], clock: Clock
) -> list[str]:
    with unit_of_work() as uow:
        if uow.processes.latest(PROCESS_KEY) is None or uow.instances.recent(1):
            return []
        orderer = uow.users.by_username(DEMO_ORDERER)
        if orderer is None:
            return []
        actor = actor_from_user(orderer)
    started = []
    for order in SAMPLE_ORDERS:
        try:
            with unit_of_work() as uow:
                instance = start_instance(platform, actor, uow, clock, PROCESS_KEY, order)
            if order is SAMPLE_ORDERS[-1]:
                _take_and_plan(platform, unit_of_work, clock, instance.id)
        except DomainError as exc:  # a changed diagram may no longer accept the sample data
            started.append(f"sample order not started or planned: {exc.message}")
            continue
        started.append(f"sample order #{instance.id}")
    return started


def _take_and_plan(
    platform: Platform, unit_of_work: Callable[[], UnitOfWork], clock: Clock, instance_id: int
) -> None:
    with unit_of_work() as uow:
        admin = uow.users.by_username(DEMO_PRODUCER_ADMIN)
    if admin is None:
        return
    actor = actor_from_user(admin)
    planned_start = weekdays.add_weekdays(clock(), 5).astimezone(weekdays.FINNISH_TIME).date()
    plan = {
        "decision": "suunniteltu",
        "planned_start": planned_start.isoformat(),
        "family_worker": DEMO_PLANNED_WORKER,
    }
    for data in ({}, plan):
        with unit_of_work() as uow:
            (task,) = uow.tasks.for_instance(instance_id)
            task_id = task.id
        with unit_of_work() as uow:
            complete_task(platform, actor, uow, clock, task_id, data)
