"""Domain error messages (Finnish `t(...)` in the services) shown in the user's language."""

from __future__ import annotations

import pytest

from tests.web.conftest import api_token, csrf_token, login

# (locale, the password refused as too short, the group name missing, disabling oneself)
EXPECTED = {
    "fi": (
        "Salasanassa on oltava vähintään 12 merkkiä.",
        "Anna ryhmän nimi suomeksi.",
        "Et voi poistaa omaa tunnustasi käytöstä.",
    ),
    "sv": (
        "Lösenordet ska ha minst 12 tecken.",
        "Ange gruppens namn på finska.",
        "Du kan inte inaktivera ditt eget användarkonto.",
    ),
    "en": (
        "The password must have at least 12 characters.",
        "Enter the group&#39;s name in Finnish.",
        "You cannot disable your own account.",
    ),
}


def _post(client, path, data):
    return client.post(path, data={"csrf_token": csrf_token(client, "/admin/users"), **data})


@pytest.mark.parametrize("locale", ["fi", "sv", "en"])
def test_validation_errors_and_a_conflict_in_the_chosen_language(client, locale):
    too_short, name_missing, own_account = EXPECTED[locale]
    login(client, "paavo")
    token = csrf_token(client, "/")
    client.post("/language", data={"locale": locale, "next": "/", "csrf_token": token})

    weak = _post(client, "/admin/users/sanna/password", {"password": "lyhyt"})
    assert weak.status_code == 422
    assert too_short in weak.get_data(as_text=True)  # the value (12) filled in after translation

    nameless = _post(client, "/admin/groups", {"name": "perhetyo", "fi": ""})
    assert nameless.status_code == 422
    assert name_missing in nameless.get_data(as_text=True)  # a translated value in a translation

    own = _post(client, "/admin/users/paavo/disable", {})
    assert own.status_code == 409
    assert own_account in own.get_data(as_text=True)


def test_the_api_answers_in_finnish(client):
    headers = {**api_token(client, "paavo"), "Accept-Language": "sv"}
    own = client.post("/api/v1/users/paavo/disable", headers=headers)
    assert own.status_code == 409
    assert own.get_json()["message"] == "Et voi poistaa omaa tunnustasi käytöstä."
