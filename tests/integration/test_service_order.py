"""The service-order process (processes/service_order.bpmn) through the use cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from sote_flow.domain.errors import Conflict, InvalidInput, PermissionDenied
from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.persistence.models import DueTimer, HistoryEntry, OutboxMail, ProcessInstance
from sote_flow.service_order import actions
from sote_flow.service_order.models import OrderStateChange
from sote_flow.services import tasks
from sote_flow.services.timers import fire_due_timers
from tests.support.orders import OrderDriver, make_order_people


@pytest.fixture
def people(platform, uow, clock):
    return make_order_people(platform, uow, clock)


@pytest.fixture
def driver(platform, uow, clock, people):
    return OrderDriver(platform, uow, clock, people)


def _outbox(uow):
    with uow() as unit:
        return [
            (m.to_address, m.subject)
            for m in unit.session.scalars(select(OutboxMail).order_by(OutboxMail.id))
        ]


def _states(uow, instance_id):
    with uow() as unit:
        query = select(OrderStateChange.state).where(OrderStateChange.instance_id == instance_id)
        return list(unit.session.scalars(query.order_by(OrderStateChange.id)))


def _history(uow, instance_id, action):
    with uow() as unit:
        query = select(HistoryEntry).where(
            HistoryEntry.instance_id == instance_id, HistoryEntry.action == action
        )
        return list(unit.session.scalars(query))


def test_order_through_an_information_request_to_started(platform, uow, clock, people, driver):
    instance = driver.order()
    order = driver.projection()
    assert (order.state, order.order_number) == ("saapunut", f"PT-2026-{instance.id:06d}")
    assert (order.client_number, order.orderer, order.municipality) == ("1000234", "sofia", "Kotka")

    clock.now += timedelta(hours=2)
    driver.take()
    order = driver.projection()
    assert (order.state, order.handler, order.taken_at) == ("kasittelyssa", "aino", clock.now)
    assert driver.open_elements() == ["plan_service"]
    with uow() as unit:  # the plan task suggests the family worker whose skills and area fit
        (plan,) = unit.tasks.for_instance(instance.id)
        view = tasks.open_task(platform, people.admin, unit, clock, plan.id)
    (suggestion,) = view.data["worker_suggestions"]
    assert (suggestion["username"], suggestion["matched_skills"]) == ("pekka", ["arjen_hallinta"])
    assert view.form["properties"]["family_worker"]["oneOf"][0]["const"] == "pekka"
    with pytest.raises(InvalidInput) as refused:  # only a listed family worker is accepted
        driver.complete(people.admin, "plan_service", {"decision": "suunniteltu",
                        "planned_start": "2026-12-07", "family_worker": "otto"})  # fmt: skip
    assert [e.field for e in refused.value.errors] == ["family_worker"]

    question = {"decision": "lisatietoja", "info_request": "Onko perheessä alle 3-vuotiaita?"}
    driver.complete(people.admin, "plan_service", question)
    assert driver.projection().waiting_for_info is True
    with uow() as unit:  # the question is the orderer's own task
        (answer,) = unit.tasks.for_instance(instance.id)
        assert (answer.element_id, answer.assignee_id) == ("answer_info", people.orderer.user_id)
    driver.complete(people.orderer, "answer_info", {"info_answer": "Kyllä, yksi."})
    order = driver.projection()
    assert (order.state, order.waiting_for_info) == ("kasittelyssa", False)
    with uow() as unit:  # back to the admin who took it, not to the whole group
        (plan,) = unit.tasks.for_instance(instance.id)
        assert (plan.element_id, plan.assignee_id) == ("plan_service", people.admin.user_id)

    driver.plan(planned_start="2026-12-07")
    order = driver.projection()
    assert (order.state, order.planned_start, order.family_worker) == (
        "jonossa",
        "2026-12-07",
        "pekka",
    )
    with pytest.raises(InvalidInput) as refused:  # a start cannot be recorded ahead of time
        driver.record_start(actual_start="2026-12-08")
    assert [e.field for e in refused.value.errors] == ["actual_start"]
    clock.now = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
    driver.record_start(actual_start="2026-12-08")
    order = driver.projection()
    assert (order.state, order.started_on, order.closed_at) == ("kasitelty", "2026-12-08", None)
    assert driver.open_elements() == ["record_end"]  # the service runs until its end is recorded
    with pytest.raises(InvalidInput) as refused:
        driver.record_end(end_date="2026-12-07")
    assert [e.message for e in refused.value.errors] == [
        "Palvelu ei voi päättyä ennen kuin se alkoi (8.12.2026)."
    ]
    driver.record_end(reason="muutto")
    order = driver.projection()
    assert (order.state, order.ended_on, order.end_reason) == ("paattynyt", "2026-12-08", "muutto")
    assert order.closed_at == clock.now
    assert _states(uow, instance.id) == [
        "saapunut", "kasittelyssa", "jonossa", "kasitelty", "paattynyt"
    ]  # fmt: skip
    number = order.order_number
    assert _outbox(uow) == [  # the orderer hears of the question, the plan and the start
        ("aino@ex.test", f"Uusi palvelutilaus {number}"),
        ("sofia@ex.test", f"Palvelutilaukseen {number} pyydetään lisätietoja"),
        ("pekka@ex.test", f"Sinulle on suunniteltu palvelutilaus {number}"),
        ("sofia@ex.test", f"Palvelutilaus {number} on suunniteltu"),
        ("sofia@ex.test", f"Palvelutilauksen {number} palvelu on alkanut"),
    ]


def test_another_admin_takes_over_and_both_names_are_logged(platform, uow, clock, people, driver):
    driver.order()
    driver.take()
    with uow() as unit:
        actions.take_over_order(platform, people.other_admin, unit, clock, driver.instance_id)
    assert driver.projection().handler == "anni"
    (entry,) = _history(uow, driver.instance_id, "order_taken_over")
    assert (entry.actor, entry.data) == ("anni", {"from": "aino", "to": "anni"})
    with pytest.raises(PermissionDenied):  # the task is no longer aino's
        driver.plan(people.admin)
    driver.plan(people.other_admin)
    assert driver.projection().state == "jonossa"


@pytest.mark.parametrize("who", ["outsider_admin", "manager", "orderer"])
def test_only_an_admin_of_the_group_may_take_over(platform, uow, clock, people, driver, who):
    driver.order()
    driver.take()
    with uow() as unit, pytest.raises(PermissionDenied):
        actions.take_over_order(platform, getattr(people, who), unit, clock, driver.instance_id)
    assert driver.projection().handler == "aino"


def test_orderer_cancels_with_a_reason_before_the_service_starts(
    platform, uow, clock, people, driver
):
    instance = driver.order()
    with uow() as unit, pytest.raises(InvalidInput):
        actions.cancel_order(platform, people.orderer, unit, clock, instance.id, "  ")
    with uow() as unit, pytest.raises(PermissionDenied):
        actions.cancel_order(platform, people.admin, unit, clock, instance.id, "Ei tarvita")
    assert driver.projection().state == "saapunut"

    with uow() as unit:
        actions.cancel_order(platform, people.orderer, unit, clock, instance.id, "Perhe muutti.")
    assert driver.projection().state == "peruttu"
    assert driver.open_elements() == []
    with uow() as unit:
        assert unit.session.get(ProcessInstance, instance.id).status == "cancelled"
        assert unit.session.scalars(select(DueTimer)).all() == []  # no reminder will follow
    (entry,) = _history(uow, instance.id, "order_cancelled")
    assert entry.data == {"reason": "Perhe muutti."}
    assert _outbox(uow)[-1] == ("aino@ex.test", f"Palvelutilaus PT-2026-{instance.id:06d} peruttu")
    with uow() as unit, pytest.raises(Conflict):
        actions.cancel_order(platform, people.orderer, unit, clock, instance.id, "Uudestaan")


def test_a_started_service_cannot_be_cancelled(platform, uow, clock, people, driver):
    driver.order()
    driver.process()
    with uow() as unit, pytest.raises(Conflict):
        actions.cancel_order(platform, people.orderer, unit, clock, driver.instance_id, "Myöhään")
    assert driver.projection().state == "kasitelty"


def test_a_personal_identity_code_in_a_reason_is_refused(platform, uow, clock, people, driver):
    driver.order()
    with uow() as unit, pytest.raises(InvalidInput) as refused:
        actions.cancel_order(
            platform, people.orderer, unit, clock, driver.instance_id, "Asiakas 131052-308T"
        )
    assert refused.value.errors[0].field == "reason"
    assert driver.projection().state == "saapunut"


def test_a_returned_order_is_processed_again_from_the_queue(uow, clock, people, driver):
    driver.order()
    with pytest.raises(Conflict):  # only a processed order goes back to the queue
        driver.return_to_queue()
    driver.process()
    clock.now += timedelta(days=30)
    driver.return_to_queue("Palvelu keskeytyi, jatketaan uudelleen.")
    order = driver.projection()
    assert (order.state, order.return_count, order.queued_at) == ("saapunut", 1, clock.now)
    # The last plan is kept for the new round to review; its start date is not.
    assert (order.handler, order.planned_start, order.started_on) == ("aino", "2026-12-07", None)
    assert order.family_worker == "pekka"
    assert order.order_number is not None and order.client_number == "1000234"
    assert driver.open_elements() == ["take_order"]
    (entry,) = _history(uow, driver.instance_id, "order_returned")
    assert entry.data == {"reason": "Palvelu keskeytyi, jatketaan uudelleen.", "round": 2}
    number = order.order_number
    assert _outbox(uow)[-2:] == [
        ("aino@ex.test", f"Palvelutilaus {number} palautettiin jonoon"),
        ("sofia@ex.test", f"Palvelutilaus {number} palautettiin jonoon"),
    ]
    driver.process()
    assert driver.projection().state == "kasitelty"


def test_an_order_returned_500_times_stays_small_and_completes(
    platform, uow, clock, people, driver
):
    driver.order()
    driver.process()
    with uow() as unit:
        first_size = len(unit.session.get(ProcessInstance, driver.instance_id).state)
    for _ in range(500):
        driver.return_to_queue()
        driver.process()
    driver.record_end()
    with uow() as unit:
        instance = unit.session.get(ProcessInstance, driver.instance_id)
        size = len(instance.state)
        assert instance.status == "completed"
    order = driver.projection()
    assert (order.state, order.return_count) == ("paattynyt", 500)
    # The stored workflow holds one round, whatever the number of rounds before it.
    assert size <= first_size * 1.1, (first_size, size)
    assert len(_history(uow, driver.instance_id, "order_returned")) == 500


@pytest.mark.parametrize(
    ("urgency", "due_local"),
    [
        ("kiireellinen", datetime(2026, 11, 23, 16, 0, tzinfo=FINNISH_TIME)),  # same weekday
        ("tavallinen", datetime(2026, 11, 26, 16, 0, tzinfo=FINNISH_TIME)),  # 3 weekdays
    ],
)
def test_arrival_mail_and_escalation_when_not_taken_up_in_time(
    platform, uow, clock, people, driver, urgency, due_local
):
    instance = driver.order(urgency=urgency)
    number = f"PT-2026-{instance.id:06d}"
    assert _outbox(uow) == [("aino@ex.test", f"Uusi palvelutilaus {number}")]
    with uow() as unit:
        (take,) = unit.tasks.for_instance(instance.id)
    assert take.due_at == due_local

    clock.now = due_local - timedelta(minutes=1)
    assert fire_due_timers(platform, uow, clock) == 0
    clock.now = due_local + timedelta(minutes=1)
    assert fire_due_timers(platform, uow, clock) == 1
    assert _outbox(uow)[1:] == [
        ("aino@ex.test", f"Muistutus: palvelutilaus {number} odottaa käsittelyä"),
        ("maria@ex.test", f"Hälytys: palvelutilaus {number} myöhässä"),
    ]
    # The reminder does not take the task away: it is still open in the producer's queue.
    assert driver.open_elements() == ["take_order"]
    assert driver.projection().state == "saapunut"


def test_queue_report_counts_weekdays_and_daily_queue_length(platform, uow, clock, people):
    from datetime import date

    from sote_flow.service_order.report import Durations, ReportQuery, order_report

    first = OrderDriver(platform, uow, clock, people)
    first.order()
    urgent = OrderDriver(platform, uow, clock, people)
    urgent.order(urgency="kiireellinen", municipality="Hamina")
    urgent.take()  # the same Monday: 0 weekdays
    OrderDriver(platform, uow, clock, people).order()  # still waiting
    clock.now += timedelta(days=1)  # Tuesday 24.11.
    first.take()  # 1 weekday
    first.plan(planned_start="2026-12-07")  # 10 weekdays after Monday 23.11.
    clock.now = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
    first.record_start(actual_start="2026-12-08")  # 11 weekdays

    query = ReportQuery(date(2026, 11, 23), date(2026, 11, 24), "psykososiaalinen_kotikuntoutus")
    with uow() as unit:
        report = order_report(platform, people.manager, unit, clock, query)
    assert report.total.received == 3
    assert report.total.taken == Durations(2, 0.5, 0.9)
    assert report.total.planned == Durations(1, 10.0, 10.0)
    assert report.total.started == Durations(1, 11.0, 11.0)
    by_urgency = {r.value: r for r in report.rows if r.dimension == "urgency"}
    assert by_urgency["kiireellinen"].taken == Durations(1, 0.0, 0.0)
    # The first order leaves the queue only when its service starts (8.12.), after the period.
    assert report.queue_per_day == [(date(2026, 11, 23), 3), (date(2026, 11, 24), 3)]
    with uow() as unit, pytest.raises(PermissionDenied):  # not the admin's own group
        order_report(platform, people.outsider_admin, unit, clock, query)


def test_arrival_mail_reaches_the_group_over_smtp_without_client_data(
    platform, uow, clock, driver, smtp_server
):
    from sote_flow.scheduler.smtp import SmtpSender
    from sote_flow.services.mail import deliver_due_mails
    from tests.support.factories import make_platform

    instance = driver.order(description="Perheessä on kaksi lasta.")
    sender = SmtpSender(make_platform("sqlite://", smtp_port=smtp_server.port).settings)
    assert deliver_due_mails(platform, uow, clock, sender) == 1
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "aino@ex.test"
    assert message["Subject"] == f"Uusi palvelutilaus PT-2026-{instance.id:06d}"
    body = message.get_content()
    assert f"/orders/{instance.id}" in body  # the link opens the order card
    for private in ("1000234", "Vuorokausirytmi", "kaksi lasta", "Kotka"):
        assert private not in body and private not in message["Subject"]


def test_the_report_keeps_every_rounds_milestones(platform, uow, clock, people, driver):
    from datetime import date

    from sote_flow.service_order.report import Durations, ReportQuery, order_report

    driver.order()  # Mon 23.11.
    driver.take()
    driver.plan(planned_start="2026-11-25")  # 2 weekdays
    clock.now += timedelta(days=2)  # Wed 25.11.
    driver.record_start()  # 2 weekdays
    clock.now += timedelta(days=2)  # Fri 27.11.
    driver.return_to_queue()
    clock.now += timedelta(days=3)  # Mon 30.11.
    driver.take()  # 1 weekday after its return
    driver.plan(planned_start="2026-12-02")  # 3 weekdays after its return

    query = ReportQuery(date(2026, 11, 23), date(2026, 11, 30), "psykososiaalinen_kotikuntoutus")
    with uow() as unit:
        report = order_report(platform, people.manager, unit, clock, query)
    assert report.total.received == 2  # the order, and its return to the queue
    assert report.total.taken == Durations(2, 0.5, 0.9)
    assert report.total.planned == Durations(2, 2.5, 2.9)
    assert report.total.started == Durations(1, 2.0, 2.0)  # the first round's start is kept
