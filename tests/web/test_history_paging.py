"""Issue 17: an instance's history is read a page at a time, in the API and on the pages."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from sote_flow.persistence.models import AccessLogEntry
from sote_flow.web.deps import unit_of_work
from tests.web.conftest import api_token, csrf_token, login

REQUEST = {"client_number": "1234567", "amount": 2}
ADDED = 245  # claims appended to the history: with the start, three pages of 100


@pytest.fixture
def long_instance(client, app, clock) -> tuple[int, int]:
    """An approval with a long history; returns (instance id, its number of entries)."""
    sanna = api_token(client, "sanna")
    started = client.post(
        "/api/v1/process-instances",
        headers=sanna,
        json={"process_key": "approval", "data": REQUEST},
    )
    instance_id = started.get_json()["id"]
    with app.app_context(), unit_of_work() as uow:
        before = uow.history.count_for_instance(instance_id)
        for n in range(ADDED):
            uow.history.append(
                at=clock(), actor="tuomas", action="task_claimed", instance_id=instance_id,
                task_name="review", data={"n": n},
            )  # fmt: skip
        uow.commit()
    return instance_id, before + ADDED


def _history(client, headers, instance_id: int, query: str = ""):
    return client.get(f"/api/v1/process-instances/{instance_id}/history{query}", headers=headers)


def _links(response) -> dict[str, str]:
    return {
        rel: url
        for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers.get("Link", ""))
    }


def test_api_pages_the_history_oldest_first_with_count_and_links(client, app, long_instance):
    instance_id, total = long_instance
    sanna = api_token(client, "sanna")

    first = _history(client, sanna, instance_id)
    assert first.status_code == 200
    assert first.headers["X-Total-Count"] == str(total)
    entries = first.get_json()
    assert len(entries) == 100 and entries[0]["action"] == "instance_started"
    links = _links(first)
    assert set(links) == {"first", "next", "last"}
    assert "page=2" in links["next"] and "page=3" in links["last"]

    second = client.get(links["next"], headers=sanna)
    last = _history(client, sanna, instance_id, "?page=3")
    ids = [e["id"] for page in (first, second, last) for e in page.get_json()]
    assert len(ids) == total and ids == sorted(ids) and len(set(ids)) == total
    assert set(_links(last)) == {"first", "prev", "last"}

    sized = _history(client, sanna, instance_id, "?page=2&page_size=50").get_json()
    assert [e["id"] for e in sized] == ids[50:100]
    assert len(_history(client, sanna, instance_id, "?page_size=500").get_json()) == total

    with app.app_context(), unit_of_work() as uow:
        assert uow.history.verify().ok  # paging reads; the audit chain is untouched
        reads = uow.session.scalars(
            select(AccessLogEntry.object_type).where(AccessLogEntry.instance_id == instance_id)
        ).all()
    assert "instance_history" in reads


def test_api_refuses_pages_out_of_bounds_in_finnish(client, long_instance):
    instance_id, _ = long_instance
    sanna = api_token(client, "sanna")
    beyond = _history(client, sanna, instance_id, "?page=4")
    assert beyond.status_code == 404
    assert "Sivua 4 ei ole" in beyond.get_json()["message"]
    for query, field in (
        ("?page=0", "page"),
        ("?page=abc", "page"),
        ("?page=-1", "page"),
        ("?page=%C2%B2", "page"),
        ("?page=99999999999999999999", "page"),
        ("?page_size=0", "page_size"),
        ("?page_size=501", "page_size"),
    ):
        refused = _history(client, sanna, instance_id, query)
        assert refused.status_code == 422, query
        body = refused.get_json()
        assert body["message"] == "Virheellinen sivunumero tai sivun koko."
        assert [e["field"] for e in body["errors"]] == [field]
        assert "kokonaisluku" in body["errors"][0]["message"]
    assert _history(client, sanna, 999999, "").status_code == 404


def test_a_short_history_is_one_page(client):
    sanna = api_token(client, "sanna")
    started = client.post(
        "/api/v1/process-instances",
        headers=sanna,
        json={"process_key": "approval", "data": REQUEST},
    )
    response = _history(client, sanna, started.get_json()["id"])
    assert set(_links(response)) == {"first", "last"}
    assert int(response.headers["X-Total-Count"]) == len(response.get_json())


def test_instance_page_shows_the_newest_entries_and_links_to_the_paged_history(
    client, long_instance
):
    instance_id, _ = long_instance
    login(client, "tarja")
    page = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    history = page.split('id="history-heading"')[1]
    assert "Näytetään 20 uusinta tapahtumaa." in history
    assert history.count("<tr>") - 1 == 20  # the header row and the newest 20
    assert f"/instances/{instance_id}/history#timeline-heading" in history
    assert "Käynnistetty" not in history.split("</table>")[0]  # the start is long ago


def test_history_page_pages_the_timeline(client, long_instance):
    instance_id, total = long_instance
    login(client, "tarja")
    path = f"/instances/{instance_id}/history"

    newest = client.get(path).get_data(as_text=True)  # the page holding the newest entry
    assert "Sivu 3 / 3" in newest and f"Tapahtumia yhteensä {total}" in newest
    assert newest.count('<tr id="entry-') == total - 200
    assert 'rel="prev"' in newest and 'rel="next"' not in newest

    oldest = client.get(f"{path}?page=1").get_data(as_text=True)
    assert "Sivu 1 / 3" in oldest and oldest.count('<tr id="entry-') == 100
    assert "Käynnistetty" in oldest.split('class="timeline"')[1]
    first_id = int(re.search(r'<tr id="entry-(\d+)"', oldest).group(1))
    # A step's data link keeps the page it was followed from.
    assert (
        f"entry={first_id + 1}&amp;page=1" in oldest or f"page=1&amp;entry={first_id + 1}" in oldest
    )

    picked = client.get(f"{path}?entry={first_id}").get_data(as_text=True)
    assert "Sivu 1 / 3" in picked and f'<tr id="entry-{first_id}" class="selected"' in picked

    assert client.get(f"{path}?page=4").status_code == 404
    refused = client.get(f"{path}?page=x")
    assert refused.status_code == 422
    assert "Virheellinen sivunumero" in refused.get_data(as_text=True)


def test_who_worked_on_an_instance_may_still_read_it(client):
    from tests.web.test_history import _run_approval_to_fix

    instance_path = _run_approval_to_fix(client)  # tuomas decided; the fix waits for sanna
    login(client, "tuomas")  # no open task for his group, but he is in the history
    assert client.get(instance_path).status_code == 200
    assert client.get(f"{instance_path}/history").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "tiina")  # same group, never touched it
    assert client.get(instance_path).status_code == 403
    tiina = api_token(client, "tiina")
    instance_id = int(instance_path.rsplit("/", 1)[1])
    assert _history(client, tiina, instance_id).status_code == 403
