"""People who only oversee a task (an administrator, an auditor) see it without forms or buttons."""

from __future__ import annotations

import re

from tests.web.conftest import login
from tests.web.test_pages import _start_request


def _task_path(client) -> str:
    login(client, "tuomas")
    inbox = client.get("/").get_data(as_text=True)
    return re.search(r'href="(/tasks/[0-9a-f-]+)"', inbox).group(1)


def test_overseers_see_the_task_but_are_offered_no_form(client):
    login(client, "sanna")
    assert _start_request(client).status_code == 302
    path = _task_path(client)
    worker_page = client.get(path).get_data(as_text=True)
    assert ">Valmis</button>" in worker_page and "Ota käsittelyyn" in worker_page
    for overseer in ("paavo", "tarja"):
        login(client, overseer)
        page = client.get(path).get_data(as_text=True)
        assert "Näet tehtävän lukuoikeudella" in page
        assert "<button" not in page.split("<main", 1)[1]  # the header's sign-out comes before
