"""Escalating legal clocks before they run out: on the day a diagram's `warn=N` sets (N Finnish
weekdays before the last day) the service managers are mailed, once, with a link to the case."""

from __future__ import annotations

from collections.abc import Callable

from sote_flow.domain.clock import Clock
from sote_flow.domain.diagram_texts import DiagramText
from sote_flow.domain.text import t
from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.handlers.context import OutgoingMail
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.mail import queue_mails
from sote_flow.services.platform import Platform
from sote_flow.services.system import SYSTEM_ACTOR
from sote_flow.services.upkeep import each_in_own_transaction

BATCH = 500  # clocks per round; the next round takes the rest
ESCALATE_TO = "service_manager"


def warn_due_clocks(
    platform: Platform, unit_of_work: Callable[[], UnitOfWork], clock: Clock
) -> list[str]:
    """Mail the escalation of every running clock whose warning day has come; a line each."""
    today = clock().astimezone(FINNISH_TIME).date()
    with unit_of_work() as uow:
        due = uow.cases.clocks_to_warn(today, BATCH)
    return each_in_own_transaction(
        unit_of_work,
        due,
        lambda uow, clock_id: _warn(platform, uow, clock, clock_id),
        lambda clock_id: f"määräajasta ilmoitettu: {clock_id}",
    )


def _warn(platform: Platform, uow: UnitOfWork, clock: Clock, clock_id: int) -> bool:
    row = uow.cases.clock_to_warn(clock_id)
    instance = uow.instances.get(row.instance_id) if row is not None else None
    if row is None or instance is None:
        return False
    case = uow.cases.get(instance.id)
    declaration = platform.case_declaration(instance.process_version)
    legal = (
        next((c for c in declaration.rules.clocks if c.key == row.key), None)
        if declaration
        else None
    )
    # The clock's label and legal basis are the diagram's texts: its catalogue translates them.
    label = DiagramText(legal.label) if legal else row.key
    reference = case.case_number if case is not None and case.case_number else f"#{instance.id}"
    due = f"{row.due_on.day}.{row.due_on.month}.{row.due_on.year}"
    if legal:
        body = t(
            "Asian {reference} lakisääteinen määräaika ”{label}” ({basis}) päättyy {due}, "
            "eikä asia ole vielä edennyt sen edellyttämään vaiheeseen. Avaa asia linkistä.",
            reference=reference,
            label=label,
            basis=DiagramText(legal.basis),
            due=due,
        )
    else:
        body = t(
            "Asian {reference} lakisääteinen määräaika ”{label}” päättyy {due}, "
            "eikä asia ole vielä edennyt sen edellyttämään vaiheeseen. Avaa asia linkistä.",
            reference=reference,
            label=label,
            due=due,
        )
    mail = OutgoingMail(
        subject=t(
            "Määräaika lähestyy: {label}, asia {reference}", label=label, reference=reference
        ),
        body=body,
        to_role=ESCALATE_TO,
    )
    queue_mails(platform, uow, clock, instance.id, [mail])
    row.warned_at = clock()
    uow.history.append(
        at=clock(),
        actor=SYSTEM_ACTOR.username,
        action="clock_warning_sent",
        instance_id=instance.id,
        data={"clock": row.key, "due_on": row.due_on.isoformat()},
    )
    uow.commit()
    return True
