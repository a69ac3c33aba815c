"""Seed the demo: groups, a user for every role, every diagram in processes/, sample instances."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import DomainError
from sote_flow.engine.bundle import bundle_from_diagram
from sote_flow.persistence.models import FamilyWorker
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.accounts import create_user, ensure_group
from sote_flow.services.actors import actor_from_user
from sote_flow.services.deployment import deploy_bundle
from sote_flow.services.instances import start_instance
from sote_flow.services.platform import Platform
from sote_flow.services.system import SYSTEM_ACTOR

DEMO_PASSWORD = "sote-demo-2026"
# A reserved test domain: demo mail can never reach a real person.
DEMO_MAIL_DOMAIN = "demo.example.test"


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    roles: tuple[str, ...]
    groups: tuple[str, ...]


DEMO_GROUPS = {
    "sosiaalityontekijat": "Sosiaalityöntekijät",
    "lapsiperheiden_avopalvelut": "Lapsiperheiden avopalvelut (tuottaja)",
    "psykososiaalinen_kotikuntoutus": "Psykososiaalinen kotikuntoutus (tuottaja)",
    "perhetyontekijat": "Perhetyöntekijät",
    "asiakasneuvonta": "Asiakasneuvonta",
    "erityistyontekijat": "Konsultoivat erityistyöntekijät",
    "lastenvalvojat": "Lastenvalvojat",
}

DEMO_USERS = (
    DemoUser(
        "sosiaalityontekija",
        "Sanna Sosiaalityöntekijä",
        ("social_worker",),
        ("sosiaalityontekijat",),
    ),
    DemoUser("tuottaja", "Tuomas Tuottaja", ("producer_admin",), ("lapsiperheiden_avopalvelut",)),
    DemoUser(
        "tuottaja2",
        "Tiina Tuottaja",
        ("producer_admin",),
        ("lapsiperheiden_avopalvelut", "psykososiaalinen_kotikuntoutus"),
    ),
    DemoUser("paallikko", "Paula Päällikkö", ("service_manager",), ()),
    DemoUser("perhetyontekija", "Pekka Perhetyöntekijä", ("family_worker",), ("perhetyontekijat",)),
    DemoUser("perhetyontekija2", "Kaisa Kotilainen", ("family_worker",), ("perhetyontekijat",)),
    DemoUser("perhetyontekija3", "Ville Virtanen", ("family_worker",), ("perhetyontekijat",)),
    DemoUser("neuvoja", "Noora Neuvoja", ("client_advisor",), ("asiakasneuvonta",)),
    DemoUser(
        "erityistyontekija", "Eero Erityistyöntekijä", ("specialist",), ("erityistyontekijat",)
    ),
    DemoUser(
        "lastenvalvoja", "Laura Lastenvalvoja", ("child_welfare_officer",), ("lastenvalvojat",)
    ),
    DemoUser("prosessinomistaja", "Olli Prosessinomistaja", ("process_owner",), ()),
    DemoUser("tarkastaja", "Tarja Tarkastaja", ("auditor",), ()),
    DemoUser("paakayttaja", "Paavo Pääkäyttäjä", ("administrator",), ()),
)

# Skills (the order form's change needs) and areas of the demo family workers.
DEMO_FAMILY_WORKERS = {
    "perhetyontekija": (("arjen_hallinta", "lapsen_perushoito_ja_kasvatus"), ("Kotka", "Hamina")),
    "perhetyontekija2": (("vuorovaikutustaidot", "lapsen_perushoito_ja_kasvatus"), ("Kouvola",)),
    "perhetyontekija3": (
        ("arjen_hallinta", "sosiaaliohjaus", "vuorovaikutustaidot"),
        ("Kotka", "Pyhtää", "Virolahti", "Miehikkälä"),
    ),
}

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
    platform: Platform,
    unit_of_work: Callable[[], UnitOfWork],
    clock: Clock,
    processes_dir: Path,
) -> list[str]:
    """Create what the demo needs unless it already exists; returns what was done."""
    done: list[str] = []
    with unit_of_work() as uow:
        for name, display in DEMO_GROUPS.items():
            ensure_group(uow, name, display)
        uow.commit()
    for user in DEMO_USERS:
        with unit_of_work() as uow:
            if uow.users.by_username(user.username) is None:
                create_user(
                    uow,
                    clock,
                    username=user.username,
                    password=DEMO_PASSWORD,
                    display_name=user.display_name,
                    roles=user.roles,
                    groups=user.groups,
                    email=f"{user.username}@{DEMO_MAIL_DOMAIN}",
                )
                done.append(f"user {user.username}")
    done.extend(_family_workers(unit_of_work))
    for diagram in sorted(processes_dir.glob("*.bpmn")):
        with unit_of_work() as uow:
            result = deploy_bundle(platform, SYSTEM_ACTOR, uow, clock, bundle_from_diagram(diagram))
            if result.created:
                done.append(f"deployed {result.version.key} v{result.version.version}")
    done.extend(_sample_instances(platform, unit_of_work, clock))
    return done


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


def _sample_instances(
    platform: Platform, unit_of_work: Callable[[], UnitOfWork], clock: Clock
) -> list[str]:
    with unit_of_work() as uow:
        if uow.processes.latest("service_order") is None or uow.instances.recent(1):
            return []
        orderer = uow.users.by_username("sosiaalityontekija")
        assert orderer is not None
        actor = actor_from_user(orderer)
    started = []
    for order in SAMPLE_ORDERS:
        try:
            with unit_of_work() as uow:
                instance = start_instance(platform, actor, uow, clock, "service_order", order)
        except DomainError as exc:  # a changed diagram may no longer accept the sample data
            started.append(f"sample order not started: {exc.message}")
            continue
        started.append(f"sample order #{instance.id}")
    return started
