"""Process owners' pages: versions, modeler, deploy from the editor, preview, diff, migration."""

from __future__ import annotations

import re

from tests.support.factories import DIAGRAMS
from tests.web.conftest import csrf_token, login

APPROVAL = (DIAGRAMS / "approval.bpmn").read_text(encoding="utf-8")


def _deploy(client, diagram: str, forms: dict[str, str] | None = None):
    token = csrf_token(client, "/process-admin/approval/modeler")
    return client.post(
        "/process-admin/approval/deploy",
        json={"diagram": diagram, "forms": forms or {}},
        headers={"X-CSRFToken": token},
    )


def _start(client) -> None:
    token = csrf_token(client, "/processes/approval/start")
    form = {"client_number": "1234567", "amount": "3", "reason": "Tarve", "csrf_token": token}
    assert client.post("/processes/approval/start", data=form).status_code == 302


def test_processes_page_lists_versions_with_running_instances(client):
    login(client, "sanna")
    _start(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "olli")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/process-admin/"' in home and "Prosessit" in home
    page = client.get("/process-admin/").get_data(as_text=True)
    assert "Hyväksyntä" in page and "approval" in page
    row = re.search(r"<tr>\s*<td>1 <span class=\"badge\">uusin</span></td>(.*?)</tr>", page, re.S)
    assert row, page
    cells = re.findall(r"<td>(.*?)</td>", row.group(1), re.S)
    assert cells[0] == "system" and cells[3] == "1"  # deployed by, active instances
    assert "klo" in cells[1] and re.search(r"<code[^>]*>[0-9a-f]{12}</code>", cells[2])


def test_processes_page_is_for_owners_and_administrators(client):
    login(client, "sanna")
    assert 'href="/process-admin/"' not in client.get("/").get_data(as_text=True)
    assert client.get("/process-admin/").status_code == 403
    assert client.get("/process-admin/approval/modeler").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "paavo")
    assert client.get("/process-admin/").status_code == 200


def test_modeler_opens_the_newest_version_with_its_forms_and_operators(client):
    login(client, "olli")
    page = client.get("/process-admin/approval/modeler").get_data(as_text=True)
    assert "bpmn-modeler.production.min.js" in page and "modeler/modeler.js" in page
    assert "approval-review.json" in page and "case/assign_number" in page
    assert 'id="deploy"' in page and "Ota käyttöön" in page
    assert client.get("/process-admin/nothing/modeler").status_code == 404


def test_deploy_from_the_editor_makes_a_new_version_and_keeps_the_forms(client):
    login(client, "olli")
    changed = APPROVAL.replace('name="Käsittele hakemus"', 'name="Tarkista hakemus"')
    response = _deploy(client, changed)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["version"] == 2
    page = client.get("/process-admin/").get_data(as_text=True)
    assert "Versio 2 otettiin käyttöön." in page
    modeler = client.get("/process-admin/approval/modeler").get_data(as_text=True)
    assert "Tarkista hakemus" in modeler and "approval-review.json" in modeler
    again = _deploy(client, changed)
    assert again.status_code == 200 and again.get_json()["created"] is False


def test_refused_deploy_answers_json_problems_naming_the_element(client):
    login(client, "olli")
    broken = APPROVAL.replace('id="case/assign_number"', 'id="case/unknown"')
    response = _deploy(client, broken)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert [e["element_id"] for e in errors] == ["number"]
    assert "case/unknown" in errors[0]["message"] and "ei ole rekisteröity" in errors[0]["message"]
    missing_form = APPROVAL.replace("approval-review.json", "puuttuva.json")
    errors = _deploy(client, missing_form).get_json()["errors"]
    found = [(e["element_id"], "puuttuva.json" in e["message"]) for e in errors]
    assert found == [("review", True)]
    renamed = APPROVAL.replace('<bpmn:process id="approval"', '<bpmn:process id="toinen"')
    assert "tunnus on muuttunut" in _deploy(client, renamed).get_json()["errors"][0]["message"]


def test_edited_form_is_deployed_with_the_diagram(client):
    login(client, "olli")
    form = '{"type": "object", "properties": {"note": {"type": "string", "title": "Huomio"}}}'
    response = _deploy(client, APPROVAL, {"approval-review.json": form})
    assert response.status_code == 201
    bad = _deploy(client, APPROVAL, {"approval-review.json": "{not json"})
    assert bad.status_code == 422
    assert bad.get_json()["errors"][0]["file"] == "approval-review.json"
    sneaky = _deploy(client, APPROVAL, {"../x.json": "{}"})
    assert sneaky.status_code == 422


def test_form_preview_renders_the_staff_form_or_a_finnish_error(client):
    login(client, "olli")
    token = csrf_token(client, "/process-admin/approval/modeler")
    schema = (
        '{"type": "object", "required": ["a"],'
        ' "properties": {"a": {"type": "string", "title": "Asia"}}}'
    )
    page = client.post(
        "/process-admin/approval/forms/preview", data={"schema": schema, "csrf_token": token}
    ).get_data(as_text=True)
    assert '<label for="a">Asia' in page and "pakollinen" in page
    broken = client.post(
        "/process-admin/approval/forms/preview", data={"schema": "{", "csrf_token": token}
    ).get_data(as_text=True)
    assert "ei ole kelvollista JSONia (rivi 1" in broken
    not_object = client.post(
        "/process-admin/approval/forms/preview",
        data={"schema": '{"type": "string"}', "csrf_token": token},
    ).get_data(as_text=True)
    assert "Lomakkeen skeema ei kelpaa" in not_object


def test_version_diff_names_changed_elements_and_forms(client):
    login(client, "olli")
    changed = APPROVAL.replace('name="Käsittele hakemus"', 'name="Tarkista hakemus"')
    form = '{"type": "object", "properties": {"note": {"type": "string", "title": "Huomio"}}}'
    assert _deploy(client, changed, {"approval-review.json": form}).status_code == 201
    page = client.get("/process-admin/approval/diff?old=1&new=2").get_data(as_text=True)
    assert "Muuttuneet elementit" in page and "<code>review</code>" in page and "nimi" in page
    assert "approval-review.json</code>: muutettu" in page and "+  &#34;properties&#34;" not in page
    same = client.get("/process-admin/approval/diff?old=2&new=2").get_data(as_text=True)
    assert "Versioissa ei ole eroja." in same


def test_owner_migrates_a_waiting_instance_and_is_refused_when_not_possible(client):
    login(client, "sanna")
    _start(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "olli")
    assert _deploy(client, APPROVAL.replace("Käsittele hakemus", "Tarkista")).status_code == 201
    listing = client.get("/process-admin/approval/instances").get_data(as_text=True)
    assert "/process-admin/instances/1/migrate?version=2" in listing
    check = client.get("/process-admin/instances/1/migrate?version=2").get_data(as_text=True)
    assert "Siirto on mahdollinen." in check and "<code>review</code>" in check
    token = csrf_token(client, "/process-admin/instances/1/migrate?version=2")
    done = client.post(
        "/process-admin/instances/1/migrate", data={"csrf_token": token, "version": "2"}
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/instances/1")
    instance_page = client.get("/instances/1").get_data(as_text=True)
    assert "Asia siirrettiin versioon 2." in instance_page
    assert "Siirretty uuteen versioon" in instance_page
    refused = client.get("/process-admin/instances/1/migrate?version=2").get_data(as_text=True)
    assert "Siirto ei ole mahdollinen" in refused and "uudempi versio" in refused
    post = client.post(
        "/process-admin/instances/1/migrate", data={"csrf_token": token, "version": "2"}
    )
    assert post.status_code == 302
    assert "uudempi versio" in client.get(post.headers["Location"]).get_data(as_text=True)
