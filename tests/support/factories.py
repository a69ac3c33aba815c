"""Factories for the objects tests need: platforms, actors, deployed diagrams, started instances."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sote_flow.config import load_settings
from sote_flow.domain.clock import Clock
from sote_flow.engine.bundle import bundle_from_diagram
from sote_flow.persistence.database import make_engine, make_session_factory
from sote_flow.persistence.models import HumanTask, ProcessInstance, ProcessVersion
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.accounts import create_user, ensure_group
from sote_flow.services.actors import Actor, actor_from_user
from sote_flow.services.deployment import deploy_bundle
from sote_flow.services.instances import start_instance
from sote_flow.services.platform import Platform
from sote_flow.services.system import SYSTEM_ACTOR
from tests.support.paths import DIAGRAMS, PROCESSES

__all__ = ["DIAGRAMS", "PROCESSES"]

TEST_SECRET = "test-secret-key-0123456789"
PASSWORD = "salasana-123"

UnitOfWorkFactory = Callable[[], UnitOfWork]


def make_platform(database_url: str, **settings: Any) -> Platform:
    """Return a platform with test settings."""
    return Platform(
        load_settings({}, {"database_url": database_url, "secret_key": TEST_SECRET, **settings})
    )


def make_uow_factory(database_url: str) -> UnitOfWorkFactory:
    """Return a unit-of-work factory on its own engine."""
    sessions = make_session_factory(make_engine(database_url))
    return lambda: UnitOfWork(sessions)


def make_actor(
    uow: UnitOfWorkFactory,
    clock: Clock,
    username: str,
    roles: Iterable[str] = (),
    groups: Iterable[str] = (),
    email: str | None = None,
) -> Actor:
    """Create a user and return it as an actor."""
    with uow() as unit:
        user = create_user(
            unit,
            clock,
            username=username,
            password=PASSWORD,
            roles=tuple(roles),
            groups=tuple(groups),
            email=email,
        )
    return actor_from_user(user)


def make_groups(uow: UnitOfWorkFactory, *names: str) -> None:
    """Create groups (a diagram's lanes must name existing groups)."""
    with uow() as unit:
        for name in names:
            ensure_group(unit, name)
        unit.commit()


def deploy(
    platform: Platform, uow: UnitOfWorkFactory, clock: Clock, diagram: Path
) -> ProcessVersion:
    """Deploy a diagram with its forms as the system actor."""
    with uow() as unit:
        return deploy_bundle(
            platform, SYSTEM_ACTOR, unit, clock, bundle_from_diagram(diagram)
        ).version


def start(
    platform: Platform,
    uow: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    key: str,
    data: dict[str, Any],
) -> ProcessInstance:
    """Start an instance (its warnings confirmed: tests start one client's orders at will)."""
    with uow() as unit:
        return start_instance(platform, actor, unit, clock, key, data, confirmed=True)


def open_task(uow: UnitOfWorkFactory, instance_id: int) -> HumanTask:
    """Return the instance's one open task."""
    with uow() as unit:
        (task,) = unit.tasks.for_instance(instance_id)
        return task
