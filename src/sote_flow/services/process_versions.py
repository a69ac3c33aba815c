"""Process owners' use cases: versions of every process, the editor's bundle, deploying from the
modeler, previewing a form, and comparing two versions."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import DeployProblem, DeployRefused, FieldError, InvalidInput, NotFound
from sote_flow.domain.forms import check_form_schema
from sote_flow.domain.roles import Role
from sote_flow.domain.text import t
from sote_flow.engine.bundle import ProcessBundle, safe_file_name
from sote_flow.engine.layout import with_layout
from sote_flow.engine.parsing import executable_process
from sote_flow.engine.versions import SpecChanges, compare_specs
from sote_flow.persistence.models import ProcessVersion
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor, require_role, require_writer
from sote_flow.services.deployment import DeployResult, deploy_bundle
from sote_flow.services.platform import Platform

OWNER_ROLES = (Role.PROCESS_OWNER, Role.ADMINISTRATOR)
# Instances in these states still run on their version (an instance in error can be retried).
ACTIVE_STATUSES = ("running", "error")


@dataclass(frozen=True)
class VersionRow:
    """One deployed version with the number of instances still running on it."""

    version: ProcessVersion
    active_instances: int


@dataclass(frozen=True)
class ProcessSummary:
    """A process key with its versions, newest first."""

    key: str
    name: str
    versions: list[VersionRow]

    @property
    def latest(self) -> ProcessVersion:
        """The newest version (the one the modeler opens)."""
        return self.versions[0].version


@dataclass(frozen=True)
class EditorBundle:
    """What the modeler opens: a version, its diagram and its form files, and the choices."""

    version: ProcessVersion
    diagram: str
    forms: dict[str, str]
    operators: list[str]
    groups: list[str]
    roles: list[str]


def process_overview(actor: Actor, uow: UnitOfWork) -> list[ProcessSummary]:
    """Return every process with all its versions and the active instances on each."""
    require_role(actor, *OWNER_ROLES)
    counts = uow.instances.count_by_version(ACTIVE_STATUSES)
    summaries: dict[str, ProcessSummary] = {}
    for version in uow.processes.all_versions():
        summary = summaries.setdefault(version.key, ProcessSummary(version.key, version.name, []))
        summary.versions.append(VersionRow(version, counts.get(version.id, 0)))
    return list(summaries.values())


def process_version(
    actor: Actor, uow: UnitOfWork, key: str, number: int | None = None
) -> ProcessVersion:
    """Return version `number` of process `key` (the newest when None)."""
    require_role(actor, *OWNER_ROLES)
    return _version(uow, key, number)


def editor_bundle(
    platform: Platform, actor: Actor, uow: UnitOfWork, key: str, number: int | None = None
) -> EditorBundle:
    """Return a version's diagram and forms for the modeler (the newest version by default)."""
    require_role(actor, *OWNER_ROLES)
    version = _version(uow, key, number)
    files = dict(version.files)
    return EditorBundle(
        version=version,
        # A diagram deployed without drawing information gets a generated layout to edit.
        diagram=with_layout(str(files[version.main_file]), version.key),
        forms={name: str(text) for name, text in sorted(files.items()) if name.endswith(".json")},
        operators=sorted(platform.runtime.operators),
        groups=[group.name for group in uow.users.groups()],
        roles=sorted(role.value for role in Role),
    )


def deploy_from_editor(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    key: str,
    diagram: str,
    forms: Mapping[str, str],
) -> DeployResult:
    """Deploy the modeler's diagram as the next version of `key`.

    Form (and DMN) files of the newest version are carried over; `forms` adds or replaces files.
    """
    require_role(actor, *OWNER_ROLES)
    require_writer(actor)
    current = _version(uow, key, None)
    files: dict[str, bytes] = {
        name: str(text).encode("utf-8")
        for name, text in current.files.items()
        if name != current.main_file
    }
    problems: list[DeployProblem] = []
    for name, text in forms.items():
        try:
            bare = safe_file_name(name)
        except ValueError:
            bare = ""
        if not bare.endswith(".json") or bare != name:
            problems.append(DeployProblem(name, None, "Lomaketiedoston nimen on päätyttävä .json."))
            continue
        files[bare] = text.encode("utf-8")
    xml = diagram.encode("utf-8")
    try:
        new_key, _ = executable_process(xml)
    except Exception:  # validate_bundle below names the XML problem precisely
        new_key = key
    if new_key != key:
        problems.append(
            DeployProblem(
                current.main_file,
                new_key or None,
                f"Prosessin tunnus on muuttunut ({key} → {new_key}); "
                "uusi versio tarvitsee saman tunnuksen.",
            )
        )
    if problems:
        raise DeployRefused(problems)
    files[current.main_file] = xml
    return deploy_bundle(platform, actor, uow, clock, ProcessBundle(files))


@dataclass(frozen=True)
class FormPreview:
    """A form checked for the preview: schema and UI schema, or the problems found."""

    schema: dict[str, Any]
    ui_schema: dict[str, Any] | None


def preview_form(actor: Actor, schema_text: str, ui_schema_text: str = "") -> FormPreview:
    """Parse and check a form being edited; raise InvalidInput with Finnish messages."""
    require_role(actor, *OWNER_ROLES)
    require_writer(actor)
    schema = _parse_json("schema", schema_text, t("Lomakkeen skeema"))
    errors = [
        FieldError("schema", t("Lomakkeen skeema ei kelpaa: {problem}", problem=problem))
        for problem in check_form_schema(schema)
    ]
    ui_schema = None
    if ui_schema_text.strip():
        ui_schema = _parse_json("ui_schema", ui_schema_text, t("Käyttöliittymäskeema"))
        if not isinstance(ui_schema, dict):
            errors.append(FieldError("ui_schema", t("Käyttöliittymäskeeman on oltava JSON-olio.")))
    if errors:
        raise InvalidInput(errors, t("Lomaketta ei voi esikatsella."))
    return FormPreview(schema, ui_schema)


def _parse_json(field: str, text: str, label: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        message = t(
            "{label} ei ole kelvollista JSONia (rivi {line}, sarake {column}).",
            label=label,
            line=exc.lineno,
            column=exc.colno,
        )
        raise InvalidInput([FieldError(field, message)], message) from None


@dataclass(frozen=True)
class FileChange:
    """A form or decision file that differs between two versions, with a unified diff."""

    name: str
    status: str  # added | removed | changed
    diff: str


@dataclass(frozen=True)
class VersionDiff:
    """What changed from one version of a process to another."""

    old: ProcessVersion
    new: ProcessVersion
    elements: SpecChanges
    files: list[FileChange]

    @property
    def unchanged(self) -> bool:
        """True when neither elements nor files differ."""
        e = self.elements
        return not (e.added or e.removed or e.changed or self.files)


def diff_versions(
    platform: Platform, actor: Actor, uow: UnitOfWork, key: str, old: int, new: int
) -> VersionDiff:
    """Compare two versions of a process: BPMN elements and form files."""
    require_role(actor, *OWNER_ROLES)
    old_version, new_version = _version(uow, key, old), _version(uow, key, new)
    elements = compare_specs(platform.parsed(old_version), platform.parsed(new_version))
    return VersionDiff(old_version, new_version, elements, _file_changes(old_version, new_version))


def _file_changes(old: ProcessVersion, new: ProcessVersion) -> list[FileChange]:
    old_files = {n: str(t) for n, t in old.files.items() if n != old.main_file}
    new_files = {n: str(t) for n, t in new.files.items() if n != new.main_file}
    changes = []
    for name in sorted(set(old_files) | set(new_files)):
        before, after = old_files.get(name), new_files.get(name)
        if before == after:
            continue
        status = "added" if before is None else "removed" if after is None else "changed"
        lines = difflib.unified_diff(
            (before or "").splitlines(),
            (after or "").splitlines(),
            f"v{old.version}/{name}",
            f"v{new.version}/{name}",
            lineterm="",
        )
        changes.append(FileChange(name, status, "\n".join(lines)))
    return changes


def _version(uow: UnitOfWork, key: str, number: int | None) -> ProcessVersion:
    version = uow.processes.latest(key) if number is None else uow.processes.by_number(key, number)
    if version is None:
        if number is None:
            raise NotFound(t("Prosessia {key} ei löytynyt.", key=key))
        raise NotFound(t("Prosessin {key} versiota {number} ei löytynyt.", key=key, number=number))
    return version


def versions_of(uow: UnitOfWork, key: str) -> Sequence[ProcessVersion]:
    """Return every version of `key`, newest first (no role check: callers have done it)."""
    return uow.processes.versions_of(key)
