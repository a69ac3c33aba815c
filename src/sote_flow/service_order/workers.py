"""Administrators keep the family workers' skills and areas that order planning relies on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import FieldError, InvalidInput
from sote_flow.domain.forms import choices, properties_of
from sote_flow.domain.roles import Role
from sote_flow.domain.text import t
from sote_flow.persistence.models import FamilyWorker, User, UserRole
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.service_order.labels import ORDER_FORM, order_labels
from sote_flow.service_order.projection import PROCESS_KEY
from sote_flow.services.actors import Actor, require_role, require_writer
from sote_flow.services.platform import Platform

SKILLS_FIELD = "needs"


@dataclass(frozen=True)
class WorkerRow:
    """A user with the family-worker role and, if set, their skills, areas and caseload."""

    username: str
    name: str
    skills: Sequence[str]
    municipalities: Sequence[str]
    active: bool
    caseload: int


@dataclass(frozen=True)
class WorkersView:
    """Every family worker, and the skill and area choices (from the order form)."""

    workers: Sequence[WorkerRow]
    skills: Sequence[tuple[str, str]]
    municipalities: Sequence[tuple[str, str]]


def list_workers(platform: Platform, actor: Actor, uow: UnitOfWork) -> WorkersView:
    """Return every user with the family-worker role with their skills and areas."""
    require_role(actor, Role.ADMINISTRATOR)
    caseload = {w.username: w.caseload for w in platform.staff_directory(uow).family_workers()}
    rows = uow.session.execute(
        select(User, FamilyWorker)
        .join(UserRole, UserRole.user_id == User.id)
        .outerjoin(FamilyWorker, FamilyWorker.user_id == User.id)
        .where(UserRole.role == Role.FAMILY_WORKER.value)
        .order_by(User.display_name)
    ).all()
    labels = order_labels(platform, uow)
    return WorkersView(
        workers=[_row(user, worker, caseload.get(user.username, 0)) for user, worker in rows],
        skills=_skill_choices(platform, uow),
        municipalities=list(labels["municipality"].items()),
    )


def save_worker(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    username: str,
    skills: Sequence[str],
    municipalities: Sequence[str],
    active: bool,
) -> None:
    """Set a family worker's skills, areas and availability; the change is in the history."""
    require_writer(actor)
    require_role(actor, Role.ADMINISTRATOR)
    user = uow.users.by_username(username)
    if user is None or Role.FAMILY_WORKER.value not in {r.role for r in user.roles}:
        raise InvalidInput([FieldError("username", t("Käyttäjä ei ole perhetyöntekijä."))])
    view = list_workers(platform, actor, uow)
    _check("skills", skills, {value for value, _ in view.skills})
    _check("municipalities", municipalities, {value for value, _ in view.municipalities})
    worker = uow.session.get(FamilyWorker, user.id)
    before = (
        {"skills": worker.skills, "municipalities": worker.municipalities, "active": worker.active}
        if worker else None
    )  # fmt: skip
    if worker is None:
        worker = FamilyWorker(user_id=user.id)
        uow.session.add(worker)
    worker.skills, worker.municipalities, worker.active = list(skills), list(municipalities), active
    after = {"skills": list(skills), "municipalities": list(municipalities), "active": active}
    uow.history.append(
        at=clock(), actor=actor.username, action="family_worker_saved", instance_id=None,
        data={"username": username, "before": before, "after": after},
    )  # fmt: skip
    uow.commit()


def _row(user: User, worker: FamilyWorker | None, caseload: int) -> WorkerRow:
    if worker is None:
        return WorkerRow(user.username, user.display_name, [], [], False, caseload)
    return WorkerRow(
        user.username,
        user.display_name,
        list(worker.skills),
        list(worker.municipalities),
        worker.active,
        caseload,
    )


def _skill_choices(platform: Platform, uow: UnitOfWork) -> list[tuple[str, str]]:
    # Skills are the change needs an order can name (the order form's `needs` items).
    version = uow.processes.latest(PROCESS_KEY)
    form = platform.form(version, ORDER_FORM) if version is not None else None
    needs = properties_of(form).get(SKILLS_FIELD) if form else None
    return choices((needs or {}).get("items") or {})


def _check(field: str, values: Sequence[str], allowed: set[str]) -> None:
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise InvalidInput(
            [FieldError(field, t("Tuntematon valinta: {values}.", values=", ".join(unknown)))]
        )
