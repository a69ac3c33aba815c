"""The kinds of performed work: client work on a case, and employee work without a client."""

from __future__ import annotations

# Client work (tehty asiakastyö), recorded on a case.
CLIENT_WORK: dict[str, str] = {
    "asiakastapaaminen": "Asiakastapaaminen",
    "vaativa_tapaaminen": "Vaativa asiakastapaaminen",
    "puhelu": "Puhelu",
    "suunnitelma_laadittu": "Asiakassuunnitelma laadittu",
    "suunnitelma_tarkistettu": "Asiakassuunnitelma tarkistettu",
    "lausunto": "Lausunto",
    "kotikaynti": "Kotikäynti",
    "konsultaatio": "Konsultaatio",
    "neuvottelu": "Neuvottelu",
}
# Employee work not tied to a client.
EMPLOYEE_WORK: dict[str, str] = {
    "tyonohjaus": "Työnohjaus",
    "koulutus": "Koulutus",
    "kehittamistyo": "Kehittämistyö",
    "hallinto": "Hallinto ja kokoukset",
}
EVENT_TYPES: dict[str, str] = {**CLIENT_WORK, **EMPLOYEE_WORK}
# Calendar entry types whose appointments arrive as client work to confirm, and as what.
FROM_CALENDAR: dict[str, str] = {
    "office_visit": "asiakastapaaminen",
    "remote_meeting": "asiakastapaaminen",
    "home_visit": "kotikaynti",
    "phone_call": "puhelu",
    "network_meeting": "neuvottelu",
    "consultation": "konsultaatio",
}
STATUSES = ("suggested", "confirmed", "dismissed")
UNITS = {"kaynti": "käynti", "tunti": "tunti", "paiva": "päivä"}
