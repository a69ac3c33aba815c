"""Seed the demo: groups, a user for every role, every diagram in processes/, sample instances."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sote_flow.domain.clock import Clock
from sote_flow.engine.bundle import bundle_from_diagram
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.accounts import create_user, ensure_group
from sote_flow.services.calendar_demo import seed_demo_calendars
from sote_flow.services.deployment import deploy_bundle
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
    DemoUser("tiiminvetaja", "Leena Lähiesihenkilö", ("team_lead",), ("perhetyontekijat",)),
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
    for diagram in sorted(processes_dir.glob("*.bpmn")):
        with unit_of_work() as uow:
            result = deploy_bundle(platform, SYSTEM_ACTOR, uow, clock, bundle_from_diagram(diagram))
            if result.created:
                done.append(f"deployed {result.version.key} v{result.version.version}")
    done.extend(seed_demo_calendars(platform, unit_of_work, clock))
    for package in platform.packages:
        if package.seed_demo is not None:
            done.extend(package.seed_demo(platform, unit_of_work, clock))
    return done
