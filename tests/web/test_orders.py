"""Service orders in the browser's terms: the queue, the order page and its actions."""

from __future__ import annotations

import re
import shutil

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sote_flow.service_order.models import ServiceOrder
from sote_flow.web.deps import unit_of_work
from tests.support.factories import PROCESSES, deploy
from tests.support.orders import ORDER, make_order_people
from tests.web.conftest import api_token, csrf_token, login, logout, send_order


@pytest.fixture
def people(app: Flask, clock):
    with app.app_context():
        return make_order_people(app.extensions["sote_flow.platform"], unit_of_work, clock)


def _rows(page: str) -> list[str]:
    return re.findall(r'<a href="/orders/\d+">([^<]+)</a>', page)


def _open_task(client: FlaskClient, instance_id: int) -> str:
    page = client.get(f"/orders/{instance_id}").get_data(as_text=True)
    match = re.search(r'href="/tasks/([0-9a-f-]+)"', page)
    assert match, page
    return match.group(1)


def test_queue_shows_urgent_first_with_counts_and_filters(client, people):
    normal = send_order(client)
    urgent = send_order(client, urgency="kiireellinen", municipality="Hamina")
    login(client, "aino")
    page = client.get("/orders/").get_data(as_text=True)
    assert _rows(page) == [f"PT-2026-{urgent:06d}", f"PT-2026-{normal:06d}"]
    assert 'Saapunut <span class="count">(2)</span>' in page
    assert 'Käsittelyssä <span class="count">(0)</span>' in page
    hamina = client.get("/orders/?municipality=Hamina").get_data(as_text=True)
    assert _rows(hamina) == [f"PT-2026-{urgent:06d}"]
    assert client.get("/orders/?group=lapsiperheiden_avopalvelut").status_code == 403


def test_admin_takes_and_colleague_takes_over_manager_reads_only(client, people):
    instance_id = send_order(client)
    login(client, "aino")
    task_id = _open_task(client, instance_id)
    token = csrf_token(client, f"/tasks/{task_id}")
    assert client.post(f"/tasks/{task_id}", data={"csrf_token": token}).status_code == 302
    page = client.get("/orders/?state=kasittelyssa").get_data(as_text=True)
    assert _rows(page) == [f"PT-2026-{instance_id:06d}"] and "aino" in page
    logout(client)

    login(client, "anni")
    order_page = client.get(f"/orders/{instance_id}").get_data(as_text=True)
    assert "Ota tilaus itselleni" in order_page
    token = csrf_token(client, f"/orders/{instance_id}")
    taken = client.post(f"/orders/{instance_id}/take-over", data={"csrf_token": token})
    assert taken.status_code == 302
    assert "Käsittelijä</dt><dd>anni" in client.get(f"/orders/{instance_id}").get_data(as_text=True)
    logout(client)

    login(client, "maria")
    manager_page = client.get("/orders/?state=kasittelyssa").get_data(as_text=True)
    assert _rows(manager_page) == [f"PT-2026-{instance_id:06d}"]
    assert "lukuoikeudella" in manager_page
    order_page = client.get(f"/orders/{instance_id}").get_data(as_text=True)
    assert '<form method="post" action="/orders' not in order_page
    token = csrf_token(client, "/")
    refused = client.post(f"/orders/{instance_id}/take-over", data={"csrf_token": token})
    assert refused.status_code == 403


def test_cancel_needs_a_reason_shown_next_to_the_field(client, people):
    instance_id = send_order(client)
    login(client, "sofia")
    token = csrf_token(client, f"/orders/{instance_id}")
    empty = client.post(f"/orders/{instance_id}/cancel", data={"csrf_token": token, "reason": ""})
    assert empty.status_code == 422
    body = empty.get_data(as_text=True)
    assert 'aria-invalid="true"' in body and "Kirjoita syy." in body
    done = client.post(
        f"/orders/{instance_id}/cancel", data={"csrf_token": token, "reason": "Perhe muutti."}
    )
    assert done.status_code == 302
    assert "Peruttu" in client.get(f"/orders/{instance_id}").get_data(as_text=True)


def test_queue_rows_shown_are_in_the_access_log(client, people):
    instance_id = send_order(client)
    login(client, "aino")
    client.get("/orders/")
    logout(client)
    login(client, "tarja")
    log = client.get("/audit/access-log?client_number=1000234&format=json").get_json()
    assert ("aino", "order", instance_id) in {
        (r["username"], r["object_type"], r["instance_id"]) for r in log
    }


def test_administrator_sets_a_family_workers_skills_and_areas(app, client, people):
    login(client, "paavo")
    page = client.get("/admin/workers").get_data(as_text=True)
    assert "pekka" in page and "Arjen hallinta" in page and "Kotka" in page
    token = csrf_token(client, "/admin/workers")
    form = {"csrf_token": token, "username": "pekka", "skills": ["sosiaaliohjaus"],
            "municipalities": ["Kouvola"], "active": "on"}  # fmt: skip
    assert client.post("/admin/workers", data=form).status_code == 302
    bad = client.post("/admin/workers", data={**form, "municipalities": ["Tampere"]})
    assert bad.status_code == 422 and "Tuntematon valinta: Tampere." in bad.get_data(as_text=True)
    with app.app_context():
        from sote_flow.persistence.models import FamilyWorker

        with unit_of_work() as uow:
            worker = uow.session.get(FamilyWorker, people.worker.user_id)
            assert (worker.skills, worker.municipalities) == (["sosiaaliohjaus"], ["Kouvola"])
            from sqlalchemy import select

            from sote_flow.persistence.models import HistoryEntry

            query = select(HistoryEntry).where(HistoryEntry.action == "family_worker_saved")
            (entry,) = uow.session.scalars(query).all()
            assert entry.actor == "paavo" and entry.data["after"]["municipalities"] == ["Kouvola"]
    logout(client)
    login(client, "aino")  # only administrators manage workers
    assert client.get("/admin/workers").status_code == 403


def test_a_state_added_in_the_diagram_is_a_queue_tab_without_python(
    app: Flask, client, people, clock, tmp_path
):
    # A process owner adds "Odottaa asiakkaan suostumusta" and puts the take-up task in it.
    for form in PROCESSES.glob("service_order-*.json"):
        shutil.copy(form, tmp_path / form.name)
    xml = (PROCESSES / "service_order.bpmn").read_text(encoding="utf-8")
    xml = xml.replace(
        "saapunut=Saapunut|Inkommen|Received;",
        "saapunut=Saapunut|Inkommen|Received; "
        "odottaa_suostumusta=Odottaa asiakkaan suostumusta|Väntar på kundens samtycke|"
        "Awaiting consent;",
    ).replace(
        '<spiffworkflow:property name="caseState" value="saapunut" />',
        '<spiffworkflow:property name="caseState" value="odottaa_suostumusta" />',
    )
    (tmp_path / "service_order.bpmn").write_text(xml, encoding="utf-8")
    with app.app_context():
        version = deploy(
            app.extensions["sote_flow.platform"],
            unit_of_work,
            clock,
            tmp_path / "service_order.bpmn",
        )
    assert version.version == 2
    waiting = send_order(client)
    login(client, "aino")
    page = client.get("/orders/").get_data(as_text=True)
    assert 'Odottaa asiakkaan suostumusta <span class="count">(1)</span>' in page
    assert 'Saapunut <span class="count">(0)</span>' in page
    consent = client.get("/orders/?state=odottaa_suostumusta").get_data(as_text=True)
    assert _rows(consent) == [f"PT-2026-{waiting:06d}"]
    assert "Odottaa asiakkaan suostumusta: 1" in consent
    token = csrf_token(client, "/")
    client.post("/language", data={"locale": "sv", "next": "/", "csrf_token": token})
    swedish = client.get("/orders/?state=odottaa_suostumusta").get_data(as_text=True)
    assert "Väntar på kundens samtycke" in swedish


def test_the_api_refuses_process_variables_a_form_does_not_declare(app, client, people):
    # Reported attack: completing "take order" with started_by and producer_group re-routed the
    # order and its client data to another team.
    instance_id = send_order(client)
    login(client, "aino")
    task_id = _open_task(client, instance_id)
    headers = api_token(client, "aino")
    attempt = {"data": {"started_by": "olavi", "producer_group": "muut"}}
    response = client.post(f"/api/v1/tasks/{task_id}/complete", headers=headers, json=attempt)
    assert response.status_code == 422
    assert sorted(e["field"] for e in response.get_json()["errors"]) == [
        "producer_group",
        "started_by",
    ]
    assert _open_task(client, instance_id) == task_id  # nothing changed: still to be taken
    with app.app_context(), unit_of_work() as uow:
        order = uow.session.get(ServiceOrder, instance_id)
        assert (order.orderer, order.producer_group) == ("sofia", ORDER["producer_group"])
