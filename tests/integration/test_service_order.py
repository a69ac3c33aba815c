"""The service-order process (processes/service_order.bpmn) through the use cases."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.persistence.models import OutboxMail
from sote_flow.services import instances, tasks
from sote_flow.services.demo import DEMO_GROUPS
from sote_flow.services.timers import fire_due_timers
from tests.support.factories import PROCESSES, deploy, make_actor, make_groups, start

ORDER = {
    "client_number": "1000234",
    "municipality": "Kotka",
    "urgency": "kiireellinen",
    "law": "sosiaalihuoltolaki",
    "service": "perhetyo",
    "producer_group": "psykososiaalinen_kotikuntoutus",
    "needs": ["arjen_hallinta", "muu"],
    "needs_other": "Vuorokausirytmi",
}


@pytest.fixture
def people(platform, uow, clock):
    make_groups(uow, *DEMO_GROUPS)
    deploy(platform, uow, clock, PROCESSES / "service_order.bpmn")
    return {
        "orderer": make_actor(uow, clock, "sanna", ["social_worker"], ["sosiaalityontekijat"]),
        "family_admin": make_actor(
            uow, clock, "tuomas", ["producer_admin"], ["lapsiperheiden_avopalvelut"]
        ),
        "rehab_admin": make_actor(
            uow,
            clock,
            "tiina",
            ["producer_admin"],
            ["psykososiaalinen_kotikuntoutus"],
            email="tiina@example.test",
        ),
        "manager": make_actor(uow, clock, "paula", ["service_manager"], email="paula@example.test"),
    }


def _only_task(uow, actor, scope="group"):
    with uow() as unit:
        page = (tasks.group_tasks if scope == "group" else tasks.my_tasks)(actor, unit, 1, 10)
    assert page.total == 1, [t.title for t in page.tasks]
    return page.tasks[0]


def _complete(platform, uow, clock, actor, task, data):
    with uow() as unit:
        tasks.complete_task(platform, actor, unit, clock, task.id, data)


def test_order_goes_to_the_chosen_producer_and_through_an_info_request(
    platform, uow, clock, people
):
    instance = start(platform, uow, clock, people["orderer"], "service_order", ORDER)
    with uow() as unit:
        assert tasks.group_tasks(people["family_admin"], unit, 1, 10).total == 0
    take = _only_task(uow, people["rehab_admin"])
    assert take.title == "Ota tilaus käsittelyyn"
    _complete(
        platform,
        uow,
        clock,
        people["rehab_admin"],
        take,
        {"decision": "lisatietoja", "info_request": "Onko perheessä alle 3-vuotiaita?"},
    )

    answer = _only_task(uow, people["orderer"], scope="mine")
    assert answer.title == "Täydennä tilausta"
    _complete(platform, uow, clock, people["orderer"], answer, {"info_answer": "Kyllä, yksi."})

    take_again = _only_task(uow, people["rehab_admin"])
    _complete(platform, uow, clock, people["rehab_admin"], take_again, {"decision": "kasittelyyn"})
    plan = _only_task(uow, people["rehab_admin"])
    _complete(
        platform,
        uow,
        clock,
        people["rehab_admin"],
        plan,
        {"planned_start": "2026-12-01", "family_worker": "pekka"},
    )
    record = _only_task(uow, people["rehab_admin"])
    _complete(platform, uow, clock, people["rehab_admin"], record, {"actual_start": "2026-12-02"})

    with uow() as unit:
        view = instances.view_instance(platform, people["manager"], unit, clock, instance.id)
    assert view.instance.status == "completed"
    assert view.data["order_number"] == f"PT-2026-{instance.id:06d}"
    assert view.data["info_answer"] == "Kyllä, yksi."
    assert view.data["actual_start"] == "2026-12-02"


def _outbox(uow):
    with uow() as unit:
        return [
            (m.to_address, m.subject)
            for m in unit.session.scalars(select(OutboxMail).order_by(OutboxMail.id))
        ]


@pytest.mark.parametrize(
    ("urgency", "due_local"),
    [
        ("kiireellinen", datetime(2026, 11, 23, 16, 0, tzinfo=FINNISH_TIME)),  # same weekday
        ("tavallinen", datetime(2026, 11, 26, 16, 0, tzinfo=FINNISH_TIME)),  # 3 weekdays
    ],
)
def test_arrival_mail_and_escalation_when_not_taken_up_in_time(
    platform, uow, clock, people, urgency, due_local
):
    instance = start(
        platform, uow, clock, people["orderer"], "service_order", {**ORDER, "urgency": urgency}
    )
    number = f"PT-2026-{instance.id:06d}"
    assert _outbox(uow) == [("tiina@example.test", f"Uusi palvelutilaus {number}")]
    take = _only_task(uow, people["rehab_admin"])
    assert take.due_at == due_local

    clock.now = due_local - timedelta(minutes=1)
    assert fire_due_timers(platform, uow, clock) == 0
    clock.now = due_local + timedelta(minutes=1)
    assert fire_due_timers(platform, uow, clock) == 1
    assert _outbox(uow)[1:] == [
        ("tiina@example.test", f"Muistutus: palvelutilaus {number} odottaa käsittelyä"),
        ("paula@example.test", f"Hälytys: palvelutilaus {number} myöhässä"),
    ]
    # The reminder does not take the task away: it is still open in the producer's queue.
    assert _only_task(uow, people["rehab_admin"]).id == take.id
