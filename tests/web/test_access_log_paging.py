"""Issue 15: the auditor's access log is paged, names roles in Finnish and names what was read."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from sote_flow.persistence.models import AccessLogEntry, Case
from sote_flow.web.deps import unit_of_work
from sote_flow.web.extensions import db
from tests.web.conftest import csrf_token, login

PAGE_SIZE = 25  # the settings' default page size


def _start(client, client_number: str = "7654321") -> int:
    token = csrf_token(client, "/processes/approval/start")
    form = {"client_number": client_number, "amount": "3", "reason": "Tarve", "csrf_token": token}
    location = client.post("/processes/approval/start", data=form).headers["Location"]
    return int(location.rstrip("/").rsplit("/", 1)[1])


def _add_reads(app, clock, count: int, **fields) -> None:
    # Entries as services.instances.log_read writes them, a minute apart, oldest first.
    with app.app_context(), unit_of_work() as uow:
        for n in range(count):
            uow.access_log.record(
                AccessLogEntry(
                    at=clock() + timedelta(minutes=n),
                    username=fields.get("username", "sanna"),
                    roles=fields.get("roles", "social_worker"),
                    action="read",
                    object_type=fields.get("object_type", "process_instance"),
                    object_id=fields.get("object_id", str(n)),
                    instance_id=fields.get("instance_id"),
                    purpose="asiakasasian käsittely",
                )
            )
        uow.commit()


def _rows(page: str) -> list[str]:
    body = page.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


def test_the_log_is_paged_with_the_filters_kept_in_the_links(app, client, clock):
    _add_reads(app, clock, PAGE_SIZE + 5)
    login(client, "tarja")
    first = client.get("/audit/access-log?username=sanna&since=2026-01-01").get_data(as_text=True)
    assert f"1–{PAGE_SIZE} / {PAGE_SIZE + 5}" in first
    assert len(_rows(first)) == PAGE_SIZE
    assert "Sivu 1 / 2" in first
    next_link = re.search(r'<a rel="next" href="([^"]+)"', first)
    assert next_link is not None
    href = next_link.group(1).replace("&amp;", "&")
    assert "username=sanna" in href and "since=2026-01-01" in href and "page=2" in href
    second = client.get(href).get_data(as_text=True)
    assert f"{PAGE_SIZE + 1}–{PAGE_SIZE + 5} / {PAGE_SIZE + 5}" in second
    assert len(_rows(second)) == 5
    assert 'rel="prev"' in second and 'rel="next"' not in second
    # Newest first: the oldest entry (object 0) is the last row of the last page.
    assert ">process_instance 0<" in _rows(second)[-1].replace("</td>", "<")
    # A page past the end shows the last page rather than nothing.
    beyond = client.get("/audit/access-log?username=sanna&page=99").get_data(as_text=True)
    assert f"{PAGE_SIZE + 1}–{PAGE_SIZE + 5} / {PAGE_SIZE + 5}" in beyond


def test_an_empty_search_says_so_without_paging(client):
    login(client, "tarja")
    page = client.get("/audit/access-log?username=nobody").get_data(as_text=True)
    assert "Ei merkintöjä." in page and "0 / 0" in page and 'rel="next"' not in page


def test_roles_are_shown_by_their_finnish_names(app, client, clock):
    _add_reads(app, clock, 1, roles="process_owner,social_worker")
    _add_reads(app, clock, 1, username="vanha", roles="retired_role")
    login(client, "tarja")
    rows = _rows(client.get("/audit/access-log?username=sanna").get_data(as_text=True))
    assert "<td>Prosessinomistaja, Sosiaalityöntekijä</td>" in rows[0]
    assert "social_worker" not in "".join(rows)
    # A role no longer known is shown as it was stored, never an error.
    old = client.get("/audit/access-log?username=vanha").get_data(as_text=True)
    assert "retired_role" in old


def test_reads_name_the_matter_and_the_task(app, client, clock):
    login(client, "sanna")
    instance_id = _start(client)
    client.get(f"/instances/{instance_id}")
    login(client, "tuomas")
    inbox = client.get("/").get_data(as_text=True)
    task_id = re.search(r"/tasks/([0-9a-f-]{36})", inbox).group(1)
    client.get(f"/tasks/{task_id}")
    login(client, "tarja")
    page = client.get("/audit/access-log?client_number=7654321").get_data(as_text=True)
    assert f"Hyväksyntä #{instance_id}" in page
    title = re.search(r"Tehtävä: ([^,<]+), Hyväksyntä #", page)
    assert title is not None and title.group(1).strip()
    # With a case number the matter is named by it, the task read too.
    with app.app_context(), unit_of_work() as uow:
        uow.session.add(
            Case(
                instance_id=instance_id, process_key="approval", case_number="HY-2026-000007",
                state="avoin", group_name="kasittelijat", urgent_rank=1, columns={},
                client_number="7654321", opened_at=clock(), opened_on=clock().date(),
                state_since=clock(),
            )
        )  # fmt: skip
        uow.commit()
    page = client.get("/audit/access-log?client_number=7654321").get_data(as_text=True)
    assert "Hyväksyntä HY-2026-000007" in page
    assert f"Tehtävä: {title.group(1)}, HY-2026-000007" in page


def test_a_page_of_task_reads_costs_the_same_queries_as_one(app, client, clock):
    login(client, "sanna")
    instance_id = _start(client)
    login(client, "tarja")

    def statements(path: str) -> int:
        seen: list[str] = []
        with app.app_context():
            engine = db.engine
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get(path).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    _add_reads(app, clock, 1, username="one", object_type="task", instance_id=instance_id)
    _add_reads(app, clock, PAGE_SIZE, username="many", object_type="task", instance_id=instance_id)
    assert statements("/audit/access-log?username=many") == statements(
        "/audit/access-log?username=one"
    )


def test_the_csv_export_has_finnish_headers_and_readable_columns(app, client, clock):
    login(client, "sanna")
    instance_id = _start(client, client_number="1112223")
    client.get(f"/instances/{instance_id}")
    login(client, "tarja")
    response = client.get("/audit/access-log?client_number=1112223&format=csv")
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeffAika;Käyttäjä;Roolit;Toiminto;Mitä luettiin;")
    rows = [line.split(";") for line in text.lstrip("\ufeff").splitlines()[1:]]
    read = next(r for r in rows if r[5] == "process_instance")
    assert read[1] == "sanna" and read[2] == "Sosiaalityöntekijä"
    assert read[4] == f"Hyväksyntä #{instance_id}" and read[8] == "1112223"
    assert re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4} klo \d\d\.\d\d", read[0])
    exported = client.get("/audit/access-log?client_number=1112223&format=json").get_json()
    assert f"Hyväksyntä #{instance_id}" in {r["object"] for r in exported}


@pytest.mark.parametrize("query", ["page=0", "page=-3", "page=abc", "page=99999999999"])
def test_odd_page_numbers_show_a_page(client, query):
    login(client, "tarja")
    assert client.get(f"/audit/access-log?{query}").status_code == 200


def test_the_access_log_search_itself_is_logged_once_per_page(app, client):
    login(client, "tarja")
    client.get("/audit/access-log?username=sanna&page=2")
    with app.app_context(), unit_of_work() as uow:
        logged = uow.session.scalars(
            select(AccessLogEntry).where(AccessLogEntry.object_type == "access_log")
        ).all()
    assert [(e.username, e.object_id) for e in logged] == [("tarja", "*")]
