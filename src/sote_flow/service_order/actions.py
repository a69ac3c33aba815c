"""What people do to a service order besides its tasks: view, take over, return, cancel."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import Conflict, FieldError, InvalidInput, NotFound, PermissionDenied
from sote_flow.domain.privacy import find_personal_identity_codes
from sote_flow.domain.roles import Role
from sote_flow.domain.text import t
from sote_flow.engine.cases import CaseDeclaration
from sote_flow.handlers.context import OutgoingMail
from sote_flow.persistence.models import HumanTask, ProcessInstance
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.service_order.card import OrderCard, order_card
from sote_flow.service_order.labels import Labels, order_declaration, order_labels
from sote_flow.service_order.models import ServiceOrder
from sote_flow.service_order.projection import CANCELLED, IN_PROGRESS, PROCESSED
from sote_flow.service_order.replay import CANCELLED as CANCELLED_ACTION
from sote_flow.service_order.replay import HANDLER_FIELD, ORDER_FIELDS, RETURNED, TAKEN_OVER
from sote_flow.services.actors import Actor, require_writer
from sote_flow.services.instances import log_read
from sote_flow.services.platform import Platform
from sote_flow.services.workflow_state import save_workflow

REASON_MAX = 2000


@dataclass(frozen=True)
class OrderView:
    """An order as shown on its page, with the actions the viewer may take."""

    order: ServiceOrder
    open_tasks: Sequence[HumanTask]
    may_take_over: bool
    may_return: bool
    may_cancel: bool
    labels: Labels
    states: CaseDeclaration
    card: OrderCard
    # The general instance page and history: for the orderer, the producer group and oversight.
    may_see_history: bool = False


def view_order(
    platform: Platform, actor: Actor, uow: UnitOfWork, clock: Clock, instance_id: int
) -> OrderView:
    """Return an order and what the actor may do to it; the read is logged."""
    order = _order(uow, instance_id)
    if not _may_read(actor, order):
        raise PermissionDenied(t("Sinulla ei ole oikeutta tähän tilaukseen."))
    open_tasks = uow.tasks.for_instance(instance_id)
    instance = uow.instances.get(instance_id)
    if instance is None:
        raise NotFound(t("Tilausta ei löydy."))
    admin = _is_group_admin(actor, order)
    view = OrderView(
        order=order,
        open_tasks=open_tasks,
        may_take_over=admin and order.state == IN_PROGRESS and order.handler != actor.username,
        may_return=admin and order.state == PROCESSED,
        may_cancel=_is_orderer(actor, order) and _is_cancellable(order),
        labels=order_labels(platform, uow),
        states=order_declaration(platform, uow),
        card=order_card(platform, uow, clock, actor.username, instance, order),
        may_see_history=actor.oversees
        or order.orderer == actor.username
        or order.producer_group in actor.groups,
    )
    log_read(uow, clock, actor, "order", order.order_number or str(instance_id), instance_id,
             actor.purpose)  # fmt: skip
    uow.commit()
    return view


def take_over_order(
    platform: Platform, actor: Actor, uow: UnitOfWork, clock: Clock, instance_id: int
) -> ServiceOrder:
    """Make the actor the order's handler (substitution); both names go to the history."""
    require_writer(actor)
    instance, order = _lock(uow, instance_id)
    if not _is_group_admin(actor, order):
        raise PermissionDenied(t("Vain tuottajaryhmän pääkäyttäjä voi ottaa tilauksen itselleen."))
    if order.state != IN_PROGRESS:
        raise Conflict(t("Vain käsittelyssä olevan tilauksen voi ottaa itselleen."))
    previous = order.handler
    if previous == actor.username:
        raise Conflict(t("Tilaus on jo sinulla."))
    workflow, report = platform.load_workflow(
        instance, platform.run_context(uow, instance, actor.username, clock)
    )
    platform.runtime.set_ready_data(workflow, {HANDLER_FIELD: actor.username})
    previous_user = uow.users.by_username(previous) if previous else None
    for task in uow.tasks.for_instance(instance_id):
        if previous_user is not None and task.assignee_id == previous_user.id:
            task.assignee_id = actor.user_id
    _history(uow, clock, actor, instance, TAKEN_OVER, {"from": previous, "to": actor.username})
    save_workflow(platform, uow, clock, instance, workflow, report, actor.username)
    uow.commit()
    return order


def return_order(
    platform: Platform, actor: Actor, uow: UnitOfWork, clock: Clock, instance_id: int, reason: str
) -> ServiceOrder:
    """Return a processed order to the queue for a new round of processing (reason required)."""
    require_writer(actor)
    reason = _reason(reason)
    instance, order = _lock(uow, instance_id)
    if not _is_group_admin(actor, order):
        raise PermissionDenied(t("Vain tuottajaryhmän pääkäyttäjä voi palauttaa tilauksen jonoon."))
    if order.state != PROCESSED:
        raise Conflict(t("Vain käsitelty tilaus voidaan palauttaa jonoon."))
    ctx = platform.run_context(uow, instance, actor.username, clock)
    finished, _ = platform.load_workflow(instance, ctx)
    data = platform.runtime.current_data(finished)
    round_number = int(data.get("round_number") or 1) + 1
    carried = {name: data[name] for name in ORDER_FIELDS if name in data}
    seed = {**carried, "round_number": round_number, "return_reason": reason}
    # Continue as new: a fresh workflow on the same version, so the state stays the size of one
    # round however many times the order comes back; earlier rounds live in the history.
    workflow, report = platform.runtime.start(platform.parsed(instance.process_version), seed, ctx)
    _history(uow, clock, actor, instance, RETURNED, {"reason": reason, "round": round_number})
    number = order.order_number or str(instance_id)
    report.mails.append(
        OutgoingMail(
            subject=t("Palvelutilaus {order_number} palautettiin jonoon", order_number=number),
            # Mails carry a number and a link only: the reason stays behind the login.
            body=t(
                "Palveluntuottaja palautti tilauksen jonoon uudelleen käsiteltäväksi. "
                "Syy näkyy tilauksella. Avaa tilaus linkistä."
            ),
            to_user=order.orderer,
        )
    )
    instance.ended_at = None
    order.queued_at = clock()
    save_workflow(platform, uow, clock, instance, workflow, report, actor.username)
    uow.commit()
    return order


def cancel_order(
    platform: Platform, actor: Actor, uow: UnitOfWork, clock: Clock, instance_id: int, reason: str
) -> ServiceOrder:
    """Cancel an order before its service starts (the orderer, reason required)."""
    require_writer(actor)
    reason = _reason(reason)
    instance, order = _lock(uow, instance_id)
    if not _is_orderer(actor, order):
        raise PermissionDenied(t("Vain tilaaja voi perua tilauksen."))
    if not _is_cancellable(order):
        raise Conflict(
            t("Tilausta ei voi enää perua: palvelu on jo alkanut tai tilaus on peruttu.")
        )
    workflow, report = platform.load_workflow(
        instance, platform.run_context(uow, instance, actor.username, clock)
    )
    platform.runtime.cancel(workflow, {"cancel_reason": reason, "cancelled_by": actor.username})
    number = order.order_number or str(instance_id)
    report.mails.append(
        OutgoingMail(
            subject=t("Palvelutilaus {order_number} peruttu", order_number=number),
            body=t("Tilaaja perui palvelutilauksen. Avaa tilaus linkistä."),
            to_group=order.producer_group,
        )
    )
    _history(uow, clock, actor, instance, CANCELLED_ACTION, {"reason": reason})
    save_workflow(platform, uow, clock, instance, workflow, report, actor.username)
    instance.status = "cancelled"
    uow.commit()
    return order


def _order(uow: UnitOfWork, instance_id: int) -> ServiceOrder:
    order = uow.session.get(ServiceOrder, instance_id)
    if order is None:
        raise NotFound(t("Tilausta ei löydy."))
    return order


def _lock(uow: UnitOfWork, instance_id: int) -> tuple[ProcessInstance, ServiceOrder]:
    # The instance row lock serialises every change to an order, as for its tasks.
    instance = uow.instances.lock(instance_id)
    if instance is None:
        raise NotFound(t("Tilausta ei löydy."))
    order = _order(uow, instance_id)
    uow.session.refresh(order)
    if order.state == CANCELLED:
        raise Conflict(t("Tilaus on peruttu."))
    return instance, order


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidInput([FieldError("reason", t("Kirjoita syy."))])
    if len(text) > REASON_MAX:
        raise InvalidInput([FieldError("reason", t("Enintään {limit} merkkiä.", limit=REASON_MAX))])
    if find_personal_identity_codes(text):
        raise InvalidInput(
            [FieldError("reason", t("Kentässä on henkilötunnus. Käytä vain asiakasnumeroa."))]
        )
    return text


def _history(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    instance: ProcessInstance,
    action: str,
    data: Mapping[str, Any],
) -> None:
    uow.history.append(
        at=clock(),
        actor=actor.username,
        action=action,
        instance_id=instance.id,
        process_version_id=instance.process_version_id,
        data=dict(data),
    )


def _is_cancellable(order: ServiceOrder) -> bool:
    # Whatever states the diagram declares, an order can be cancelled until its service starts.
    return order.closed_at is None and order.started_on is None


def _is_group_admin(actor: Actor, order: ServiceOrder) -> bool:
    return actor.has_role(Role.PRODUCER_ADMIN) and order.producer_group in actor.groups


def _is_orderer(actor: Actor, order: ServiceOrder) -> bool:
    return not actor.read_only and order.orderer == actor.username


def _may_read(actor: Actor, order: ServiceOrder) -> bool:
    return (
        actor.oversees
        or _is_orderer(actor, order)
        or order.producer_group in actor.groups
        or order.family_worker == actor.username
    )
