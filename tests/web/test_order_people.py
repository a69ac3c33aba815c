"""Service ordering for each of its people: the orderer's and family worker's own lists, the
order card as people read it, one take action, and the rules a user expects."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from sote_flow.persistence.models import AccessLogEntry, OutboxMail
from sote_flow.web.deps import unit_of_work
from tests.support.orders import ORDER, make_order_people
from tests.web.conftest import csrf_token, login, logout, send_order


@pytest.fixture
def people(app: Flask, clock):
    with app.app_context():
        return make_order_people(app.extensions["sote_flow.platform"], unit_of_work, clock)


def _task(client: FlaskClient, instance_id: int) -> str:
    page = client.get(f"/orders/{instance_id}").get_data(as_text=True)
    match = re.search(r'href="/tasks/([0-9a-f-]+)"', page)
    assert match, page
    return match.group(1)


def _submit(client: FlaskClient, instance_id: int, **data: object) -> FlaskClient:
    task_id = _task(client, instance_id)
    token = csrf_token(client, f"/tasks/{task_id}")
    response = client.post(f"/tasks/{task_id}", data={**data, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def _planned(client: FlaskClient, **order: str) -> int:
    """An order taken and planned by aino to pekka, after one information request."""
    instance_id = send_order(client, **order)
    login(client, "aino")
    _submit(client, instance_id)  # the take task: its one action
    _submit(client, instance_id, decision="lisatietoja", info_request="Onko lapsia alle 3 v?")
    logout(client)
    login(client, "sofia")
    _submit(client, instance_id, info_answer="Yksi, 2-vuotias.")
    logout(client)
    login(client, "aino")
    _submit(
        client, instance_id, decision="suunniteltu", planned_start="2026-12-07",
        family_worker="pekka",
    )  # fmt: skip
    logout(client)
    return instance_id


def _mails(app: Flask) -> list[tuple[str, str, str]]:
    with app.app_context(), unit_of_work() as uow:
        rows = uow.session.scalars(select(OutboxMail).order_by(OutboxMail.id))
        return [(m.to_address, m.subject, m.body) for m in rows]


def test_family_worker_finds_the_order_from_the_mail_and_in_own_clients(app, client, people):
    instance_id = _planned(client)
    (mail,) = [m for m in _mails(app) if m[0] == "pekka@ex.test"]
    link = re.search(r"http://[^/]+(/\S+)", mail[2])
    assert link and link.group(1) == f"/orders/{instance_id}"  # the order card, not the engine

    login(client, "pekka")
    card = client.get(link.group(1))
    assert card.status_code == 200
    page = card.get_data(as_text=True)
    assert "1000234" in page and "Arjen hallinta, Muu" in page and "7.12.2026" in page
    for internal in ("round_number", "worker_suggestions", "assign_number", "spiff", "{'"):
        assert internal not in page, internal
    assert "Tilauksen kaikki tiedot ja historia" not in page  # the history is not theirs
    clients = client.get("/orders/clients").get_data(as_text=True)
    assert f"PT-2026-{instance_id:06d}" in clients and "Arjen hallinta, Muu" in clients
    assert "7.12.2026" in clients and "aino" in clients  # the admin who planned it
    assert 'href="/orders/clients"' in clients  # in the menu: "Omat asiakkuudet"
    assert "<th" not in clients.split("</head>")[0]  # the columns are in the table only
    with app.app_context(), unit_of_work() as uow:
        reads = uow.session.scalars(
            select(AccessLogEntry).where(AccessLogEntry.username == "pekka")
        ).all()
    assert {(r.object_type, r.action, r.instance_id) for r in reads} >= {
        ("order", "read", instance_id),
        ("order", "list", instance_id),
    }
    assert all(r.purpose for r in reads)


def test_orderer_follows_her_orders_hears_of_each_step_and_cancels(app, client, people):
    planned = _planned(client)
    waiting = send_order(client, client_number="1000555")
    login(client, "sofia")
    mine = client.get("/orders/mine").get_data(as_text=True)
    rows = re.findall(r'<a href="/orders/(\d+)">PT-', mine)
    assert rows == [str(waiting), str(planned)]  # newest first
    assert "Jonossa" in mine and "Pirkko Perhe" not in mine and "pekka" in mine
    assert mine.count('#cancel">Peru tilaus</a>') == 2  # until the service starts
    subjects = [s for to, s, _ in _mails(app) if to == "sofia@ex.test"]
    number = f"PT-2026-{planned:06d}"
    assert subjects == [
        f"Palvelutilaukseen {number} pyydetään lisätietoja",
        f"Palvelutilaus {number} on suunniteltu",
    ]
    planned_mail = next(b for _, s, b in _mails(app) if s.endswith("on suunniteltu"))
    assert "7.12.2026" in planned_mail and "1000234" not in planned_mail

    token = csrf_token(client, f"/orders/{waiting}")
    reason = {"csrf_token": token, "reason": "Ei tarvetta."}
    done = client.post(f"/orders/{waiting}/cancel", data=reason)
    assert done.status_code == 302
    mine = client.get("/orders/mine").get_data(as_text=True)
    assert "Peruttu" in mine and mine.count('#cancel">Peru tilaus</a>') == 1


def test_the_card_shows_the_information_request_as_a_thread(client, people):
    instance_id = _planned(client)
    login(client, "aino")
    page = client.get(f"/orders/{instance_id}").get_data(as_text=True)
    thread = page.split('id="info-thread"')[1].split("</ol>")[0]
    assert thread.index("Onko lapsia alle 3 v?") < thread.index("Yksi, 2-vuotias.")
    assert "kysyi" in thread and "vastasi" in thread
    assert "Käsittelijä</dt><dd>aino" in page and "Perhetyöntekijä</dt><dd>pekka" in page


def test_taking_an_order_is_one_action(client, people):
    instance_id = send_order(client)
    login(client, "aino")
    task_id = _task(client, instance_id)
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    buttons = re.findall(r"<button[^>]*>([^<]+)</button>", page)
    assert [b for b in buttons if "Ota" in b or "Valmis" in b] == ["Ota käsittelyyn"]
    assert f"/tasks/{task_id}/claim" not in page
    _submit(client, instance_id)
    card = client.get(f"/orders/{instance_id}").get_data(as_text=True)
    assert 'id="order-state">Käsittelyssä' in card


def test_order_rules_are_refused_next_to_their_fields(client, people):
    login(client, "sofia")
    token = csrf_token(client, "/processes/service_order/start")
    form = {**ORDER, "urgency": "ennakoiva", "service": "perhetyo", "csrf_token": token}
    refused = client.post("/processes/service_order/start", data=form)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Ennakoivassa tilauksessa toivottu aloituspäivä on pakollinen." in page
    assert "Perhetyötä ja lapsiperheiden kotipalvelua tuottavat" in page
    short = client.post("/processes/service_order/start", data={**form, "client_number": "12"})
    assert "Asiakasnumero ei ole oikeassa muodossa: 6–10 numeroa." in short.get_data(as_text=True)
    assert client.get("/orders/mine").get_data(as_text=True).count("PT-2026") == 0


def test_a_start_ahead_of_today_is_refused_and_the_end_is_recorded(app, client, people, clock):
    instance_id = _planned(client)
    login(client, "aino")
    task_id = _task(client, instance_id)
    token = csrf_token(client, f"/tasks/{task_id}")
    form = {"csrf_token": token, "actual_start": "2026-12-08"}
    ahead = client.post(f"/tasks/{task_id}", data=form)
    assert ahead.status_code == 422
    assert "Palvelun alkamispäivä ei voi olla tulevaisuudessa." in ahead.get_data(as_text=True)
    _submit(client, instance_id, actual_start="2026-11-23")
    assert "Käsitelty" in client.get(f"/orders/{instance_id}").get_data(as_text=True)
    clock.now = datetime(2027, 1, 29, 10, 0, tzinfo=UTC)
    login(client, "aino")  # two months on: a new session
    _submit(client, instance_id, end_date="2027-01-29", end_reason="tavoitteet_saavutettu")
    card = client.get(f"/orders/{instance_id}").get_data(as_text=True)
    assert "Palvelu päättynyt" in card and "29.1.2027" in card
    assert "Tavoitteet saavutettiin" in card


def test_queue_searches_by_number_and_sorts_by_dates(client, people):
    late = send_order(client, urgency="ennakoiva", desired_start="2027-01-15")
    soon = send_order(
        client, urgency="ennakoiva", desired_start="2026-12-01", client_number="2000111"
    )
    plain = send_order(client)
    login(client, "aino")

    def rows(query: str) -> list[int]:
        page = client.get(f"/orders/{query}").get_data(as_text=True)
        return [int(n) for n in re.findall(r'<a href="/orders/(\d+)">PT-', page)]

    assert rows("?sort=desired_start") == [soon, late, plain]  # no wish last
    assert rows("?search=2000111") == [soon]  # a client number
    assert rows(f"?search={plain:06d}") == [plain]  # part of an order number
    page = client.get("/orders/").get_data(as_text=True)
    assert "Saapunut: 3 tilausta" in page and "Odotusaika (arkipäivää)" in page
    # SHL 45 §: three months from pending (23.11.2026) for every order here.
    assert page.count("23.2.2027") == 3 and "15.1.2027" in page
    assert rows("?sort=deadline") == [late, soon, plain]  # the same deadline: arrival order
    one = client.get(f"/orders/?search={plain:06d}").get_data(as_text=True)
    assert "Saapunut: 1 tilaus" in one


def test_a_second_open_order_for_the_client_asks_to_confirm(client, people):
    first = send_order(client)
    login(client, "sofia")
    token = csrf_token(client, "/processes/service_order/start")
    form = {**ORDER, "csrf_token": token}
    warned = client.post("/processes/service_order/start", data=form)
    assert warned.status_code == 200
    page = warned.get_data(as_text=True)
    assert f"Asiakkaalla on jo avoin palvelutilaus PT-2026-{first:06d}." in page
    assert 'name="confirm_warnings" value="1"' in page and "Lähetä silti" in page
    assert client.get("/orders/mine").get_data(as_text=True).count("PT-2026-") == 1
    sent = client.post("/processes/service_order/start", data={**form, "confirm_warnings": "1"})
    assert sent.status_code == 302
    assert client.get("/orders/mine").get_data(as_text=True).count("PT-2026-") == 2
    other = client.post("/processes/service_order/start", data={**form, "client_number": "3000333"})
    assert other.status_code == 302  # another client: no question
    assert "Tilaus lähetetty." in client.get(other.headers["Location"]).get_data(as_text=True)


def test_the_instance_page_shows_sent_data_as_labelled_values_not_raw_records(client, people):
    instance_id = _planned(client)
    login(client, "aino")
    page = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    history = page.split('id="history-heading"')[1]
    assert "Lähetetyt tiedot" in history and "<dt>Perhetyöntekijä</dt><dd>pekka</dd>" in history
    assert "case/assign_number: PT-2026-" in history  # a plain result is shown
    for raw in ("workers/suggest", "{'", "[{", '"decision"'):
        assert raw not in history, raw


def test_completing_a_task_from_its_page_reads_it_once(app, client, people):
    instance_id = send_order(client)
    login(client, "aino")
    task_id = _task(client, instance_id)
    _submit(client, instance_id)  # GET the page (one read of the task), then POST it
    with app.app_context(), unit_of_work() as uow:
        reads = uow.session.scalars(
            select(AccessLogEntry).where(
                AccessLogEntry.object_type == "task", AccessLogEntry.object_id == task_id
            )
        ).all()
    assert len(reads) == 1  # the POST completes it without opening it again


def test_a_task_names_its_group_as_people_know_it(app, client, people):
    from sote_flow.persistence.models import Group

    with app.app_context(), unit_of_work() as uow:
        group = uow.session.scalars(
            select(Group).where(Group.name == "psykososiaalinen_kotikuntoutus")
        ).one()
        group.display_name, group.display_name_sv = "Kotikuntoutus", "Hemrehabilitering"
        uow.commit()
    instance_id = send_order(client)
    login(client, "aino")
    task_id = _task(client, instance_id)
    assert "Ryhmä: Kotikuntoutus" in client.get(f"/tasks/{task_id}").get_data(as_text=True)
    token = csrf_token(client, "/")
    client.post("/language", data={"locale": "sv", "next": "/", "csrf_token": token})
    swedish = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Hemrehabilitering" in swedish and "psykososiaalinen_kotikuntoutus<" not in swedish


def test_the_inbox_offers_no_separate_claim_for_the_take_task(client, people):
    instance_id = send_order(client)
    login(client, "aino")
    task_id = _task(client, instance_id)
    inbox = client.get("/").get_data(as_text=True)
    assert f'href="/tasks/{task_id}"' in inbox and "Avaa tehtävä" in inbox
    assert f"/tasks/{task_id}/claim" not in inbox  # taking is the task's own one action
