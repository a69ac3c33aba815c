"""Deploy process bundles as immutable, versioned definitions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import DeployProblem
from sote_flow.domain.roles import Role
from sote_flow.engine.bundle import ProcessBundle
from sote_flow.engine.validation import DeployCatalog, check_bundle
from sote_flow.persistence.models import ProcessVersion
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor, require_role
from sote_flow.services.platform import Platform


@dataclass(frozen=True)
class DeployResult:
    """The deployed version, whether it is new (identical content deploys nothing), and what
    the diagram has that sote-flow ignores (foreign extensions, descriptive data parts)."""

    version: ProcessVersion
    created: bool
    warnings: tuple[DeployProblem, ...] = field(default=())


def deploy_bundle(
    platform: Platform, actor: Actor, uow: UnitOfWork, clock: Clock, bundle: ProcessBundle
) -> DeployResult:
    """Validate a bundle and store it as the next version of its process."""
    require_role(actor, Role.PROCESS_OWNER, Role.ADMINISTRATOR)
    catalog = DeployCatalog(
        operators=platform.runtime.operators,
        groups=frozenset(g.name for g in uow.users.groups()),
        empty_groups=frozenset(uow.user_admin.empty_group_names()),
        roles=frozenset(r.value for r in Role),
        max_file_bytes=platform.settings.max_diagram_bytes,
    )
    checked = check_bundle(bundle, catalog)
    parsed = checked.parsed
    existing = uow.processes.by_checksum(parsed.key, parsed.checksum)
    if existing is not None:
        return DeployResult(existing, created=False, warnings=checked.warnings)
    latest = uow.processes.latest(parsed.key)
    (main,) = bundle.bpmn_files
    version = ProcessVersion(
        key=parsed.key,
        version=(latest.version + 1) if latest else 1,
        name=parsed.name,
        checksum=parsed.checksum,
        main_file=main,
        files={name: bundle.text(name) for name in bundle.files},
        deployed_by=actor.username,
        deployed_at=clock(),
    )
    uow.processes.add(version)
    uow.history.append(
        at=clock(),
        actor=actor.username,
        action="process_deployed",
        process_version_id=version.id,
        data={"key": version.key, "version": version.version, "checksum": version.checksum},
    )
    uow.commit()
    return DeployResult(version, created=True, warnings=checked.warnings)


def list_processes(uow: UnitOfWork) -> Sequence[ProcessVersion]:
    """Return the newest version of each deployed process."""
    return uow.processes.latest_of_each()
