"""Messages reach the instances waiting for them; nothing waiting means a clear 'not found'."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sote_flow.domain.errors import InvalidInput, NotFound
from sote_flow.persistence.models import OutgoingMessage
from sote_flow.services import instances, tasks
from sote_flow.services.messages import route_thrown_messages, send_message
from tests.support.factories import DIAGRAMS, deploy, make_actor, make_groups, start


@pytest.fixture
def handler(platform, uow, clock):
    make_groups(uow, "kasittelijat")
    deploy(platform, uow, clock, DIAGRAMS / "message_wait.bpmn")
    return make_actor(uow, clock, "tuomas", ["producer_admin"], ["kasittelijat"])


def test_message_to_one_instance_moves_it_on_with_the_payload(platform, uow, clock, handler):
    first = start(platform, uow, clock, handler, "message_wait", {})
    second = start(platform, uow, clock, handler, "message_wait", {})
    with uow() as unit:
        delivered = send_message(
            platform,
            handler,
            unit,
            clock,
            "vastaus_saapui",
            {"reply": "Kyllä"},
            instance_id=first.id,
        )
    assert delivered == [first.id]
    with uow() as unit:
        view = instances.view_instance(platform, handler, unit, clock, first.id)
    assert view.data["answer"] == {"reply": "Kyllä"}
    assert [t.title for t in view.open_tasks] == ["Käsittele vastaus"]
    received = [e.data["message"] for e in view.history if e.action == "message_received"]
    assert received == ["vastaus_saapui"]
    with uow() as unit:
        open_titles = [t.instance_id for t in tasks.group_tasks(handler, unit, 1, 10).tasks]
    assert second.id not in open_titles  # still waiting


def test_message_nobody_waits_for_is_refused(platform, uow, clock, handler):
    first = start(platform, uow, clock, handler, "message_wait", {})
    with uow() as unit:
        send_message(platform, handler, unit, clock, "vastaus_saapui", {}, instance_id=first.id)
    with uow() as unit, pytest.raises(NotFound, match="vastaus_saapui"):
        send_message(platform, handler, unit, clock, "vastaus_saapui", {}, instance_id=first.id)
    with uow() as unit, pytest.raises(NotFound):
        send_message(platform, handler, unit, clock, "tuntematon", {})


def test_identity_code_in_a_message_is_refused(platform, uow, clock, handler):
    first = start(platform, uow, clock, handler, "message_wait", {})
    with uow() as unit, pytest.raises(InvalidInput):
        send_message(
            platform,
            handler,
            unit,
            clock,
            "vastaus_saapui",
            {"note": "131052-308T"},
            instance_id=first.id,
        )


def test_message_thrown_by_one_instance_reaches_the_waiting_one(platform, uow, clock, handler):
    deploy(platform, uow, clock, DIAGRAMS / "message_throw.bpmn")
    waiting = start(platform, uow, clock, handler, "message_wait", {})
    start(platform, uow, clock, handler, "message_throw", {"reply": "automaatti"})
    with uow() as unit:
        (queued,) = unit.session.scalars(select(OutgoingMessage)).all()
    assert (queued.name, queued.status) == ("vastaus_saapui", "pending")

    assert route_thrown_messages(platform, uow, clock) == 1
    assert route_thrown_messages(platform, uow, clock) == 0  # routed once
    with uow() as unit:
        view = instances.view_instance(platform, handler, unit, clock, waiting.id)
        (routed,) = unit.session.scalars(select(OutgoingMessage)).all()
    assert view.data["answer"] == {"reply": "automaatti"}
    assert (routed.status, routed.delivered_to) == ("delivered", {"instances": [waiting.id]})


def test_message_nobody_waits_for_is_marked_unheard(platform, uow, clock, handler):
    deploy(platform, uow, clock, DIAGRAMS / "message_throw.bpmn")
    start(platform, uow, clock, handler, "message_throw", {"reply": "kukaan ei kuule"})
    assert route_thrown_messages(platform, uow, clock) == 1
    with uow() as unit:
        (routed,) = unit.session.scalars(select(OutgoingMessage)).all()
    assert routed.status == "unheard"
