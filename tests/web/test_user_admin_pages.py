"""The administrator's user and group pages: lists, forms, errors by the field, read-only audit."""

from __future__ import annotations

from tests.web.conftest import csrf_token, login

GOOD = "kuusi-korppia-lensi-7"


def _post(client, path, data):
    return client.post(path, data={"csrf_token": csrf_token(client, "/admin/users"), **data})


def test_administrator_lists_searches_and_creates_users(client):
    login(client, "paavo")
    page = client.get("/admin/users?q=tuo").get_data(as_text=True)
    assert "tuomas" in page and "sanna" not in page and "Kirjautumistavat" in page
    bad = {"username": "X Y", "display_name": "", "password": "password1234", "roles": "wizard"}
    refused = _post(client, "/admin/users", bad)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'id="username-error"' in html and 'id="display_name-error"' in html
    assert "Salasana on liian yleinen" in html and 'aria-invalid="true"' in html
    created = _post(client, "/admin/users", {"username": "ville", "display_name": "Ville",
                                             "password": GOOD, "roles": "social_worker",
                                             "groups": "hakijat"})  # fmt: skip
    assert created.status_code == 302 and created.headers["Location"] == "/admin/users/ville"
    detail = client.get("/admin/users/ville").get_data(as_text=True)
    assert 'value="social_worker" checked' in detail and 'value="hakijat" checked' in detail


def test_disable_enable_access_and_password_on_the_user_page(client):
    login(client, "paavo")
    disabled = _post(client, "/admin/users/sanna/disable", {})
    assert disabled.status_code == 200
    assert "Käyttäjä poistettu käytöstä" in disabled.get_data(as_text=True)
    assert _post(client, "/admin/users/sanna/enable", {}).status_code == 302
    own = _post(client, "/admin/users/paavo/disable", {})
    assert own.status_code == 409
    bad = _post(client, "/admin/users/sanna/access", {"roles": "wizard"})
    assert bad.status_code == 422 and 'id="roles-error"' in bad.get_data(as_text=True)
    assert _post(client, "/admin/users/sanna/access", {"roles": "team_lead"}).status_code == 302
    weak = _post(client, "/admin/users/sanna/password", {"password": "lyhyt"})
    assert weak.status_code == 422 and 'id="password-error"' in weak.get_data(as_text=True)
    assert _post(client, "/admin/users/sanna/password", {"password": GOOD}).status_code == 302
    assert client.get("/admin/users/nobody").status_code == 404


def test_local_login_switch(client):
    login(client, "paavo")
    assert _post(client, "/admin/local-login", {"enabled": "off"}).status_code == 302
    assert "on estetty" in client.get("/admin/users").get_data(as_text=True)
    assert _post(client, "/admin/local-login", {"enabled": "on"}).status_code == 302


def test_groups_page_creates_renames_and_sets_members(client):
    login(client, "paavo")
    page = client.get("/admin/groups").get_data(as_text=True)
    assert "kasittelijat" in page and "approval v1" in page
    bad = _post(client, "/admin/groups", {"name": "Iso", "fi": ""})
    assert bad.status_code == 422 and 'id="name-error"' in bad.get_data(as_text=True)
    assert _post(client, "/admin/groups", {"name": "perhetyo", "fi": "Perhetyö"}).status_code == 302
    renamed = _post(client, "/admin/groups/perhetyo/rename", {"fi": "", "sv": "Familj"})
    assert renamed.status_code == 422 and 'id="perhetyo-fi-error"' in renamed.get_data(as_text=True)
    assert _post(client, "/admin/groups/perhetyo/rename", {"fi": "Perhetyö L"}).status_code == 302
    unknown = _post(client, "/admin/groups/perhetyo/members", {"members": "sanna\nnobody"})
    assert unknown.status_code == 422 and "nobody" in unknown.get_data(as_text=True)
    members = _post(client, "/admin/groups/perhetyo/members", {"members": "sanna, tuomas"})
    assert members.status_code == 302
    assert "2: sanna, tuomas" in client.get("/admin/groups").get_data(as_text=True)


def test_auditor_sees_the_pages_without_forms_and_others_get_403(client):
    login(client, "tarja")
    for path in ("/admin/users", "/admin/users/sanna", "/admin/groups"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert 'method="post"' not in response.get_data(as_text=True).split("<main", 1)[-1]
    assert _post(client, "/admin/users/sanna/disable", {}).status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "sanna")
    for path in ("/admin/users", "/admin/users/sanna", "/admin/groups"):
        assert client.get(path).status_code == 403, path
    assert _post(client, "/admin/groups", {"name": "x1", "fi": "X"}).status_code == 403
