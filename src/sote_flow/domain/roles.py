"""The roles of design §1 and what each may do."""

from __future__ import annotations

from enum import StrEnum

from sote_flow.domain.text import t


class Role(StrEnum):
    SOCIAL_WORKER = "social_worker"
    PRODUCER_ADMIN = "producer_admin"
    SERVICE_MANAGER = "service_manager"
    FAMILY_WORKER = "family_worker"
    TEAM_LEAD = "team_lead"
    CLIENT_ADVISOR = "client_advisor"
    SPECIALIST = "specialist"
    CHILD_WELFARE_OFFICER = "child_welfare_officer"
    PROCESS_OWNER = "process_owner"
    AUDITOR = "auditor"
    ADMINISTRATOR = "administrator"


# Finnish labels, translated where shown (`t`: the web's catalogue has their sv and en).
ROLE_LABELS_FI: dict[Role, str] = {
    Role.SOCIAL_WORKER: t("Sosiaalityöntekijä"),
    Role.PRODUCER_ADMIN: t("Palveluntuottajan pääkäyttäjä"),
    Role.SERVICE_MANAGER: t("Avopalveluiden päällikkö"),
    Role.FAMILY_WORKER: t("Perhetyöntekijä"),
    Role.TEAM_LEAD: t("Tiimin esihenkilö"),
    Role.CLIENT_ADVISOR: t("Asiakasneuvoja"),
    Role.SPECIALIST: t("Konsultoiva erityistyöntekijä"),
    Role.CHILD_WELFARE_OFFICER: t("Lastenvalvoja"),
    Role.PROCESS_OWNER: t("Prosessinomistaja"),
    Role.AUDITOR: t("Tarkastaja"),
    Role.ADMINISTRATOR: t("Järjestelmän pääkäyttäjä"),
}

# Roles whose holders only read. A user holding *only* these roles can change nothing.
READ_ONLY_ROLES = frozenset({Role.AUDITOR})


def parse_roles(names: list[str] | tuple[str, ...]) -> frozenset[Role]:
    """Turn role names into roles; raise ValueError naming the first unknown one."""
    roles = set()
    for name in names:
        try:
            roles.add(Role(name))
        except ValueError:
            known = ", ".join(r.value for r in Role)
            raise ValueError(f"unknown role {name!r} (known: {known})") from None
    return frozenset(roles)
