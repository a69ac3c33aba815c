"""The long-lived parts use cases share: the workflow runtime, the spec cache and the policies."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sote_flow.config import Settings
from sote_flow.domain.clock import Clock
from sote_flow.domain.diagram_texts import Catalog, is_translations_file
from sote_flow.domain.privacy import ClientNumberPolicy
from sote_flow.domain.weekdays import warm_holidays
from sote_flow.engine.bundle import ProcessBundle
from sote_flow.engine.cases import CaseDeclaration, case_declaration
from sote_flow.engine.diagram_strings import bundle_catalog
from sote_flow.engine.functions import DIAGRAM_FUNCTIONS
from sote_flow.engine.parsing import ParsedProcess, SpecCache
from sote_flow.engine.runtime import RunContext, StepReport, Workflow, WorkflowRuntime
from sote_flow.engine.tasks import form_ref, start_event_spec
from sote_flow.packages import ProcessPackage
from sote_flow.persistence.models import ProcessInstance, ProcessVersion
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.registry import all_handlers, load_packages
from sote_flow.services.staff_directory import DatabaseStaffDirectory


@dataclass
class Platform:
    """Created once per process (web worker, scheduler, CLI) and shared by its threads."""

    settings: Settings
    packages: tuple[ProcessPackage, ...] = field(default_factory=load_packages)
    runtime: WorkflowRuntime = field(init=False)
    specs: SpecCache = field(default_factory=SpecCache)
    # Called after commit with the new earliest due time whenever a save sets a timer.
    timer_listeners: list[Callable[[datetime | None], None]] = field(default_factory=list)
    # Called after commit whenever a use case queued mail or threw a message.
    outbox_listeners: list[Callable[[], None]] = field(default_factory=list)
    _form_cache: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict, repr=False)
    _case_cache: dict[str, CaseDeclaration | None] = field(default_factory=dict, repr=False)
    _text_cache: dict[str, Catalog] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.runtime = WorkflowRuntime(all_handlers(self.packages), DIAGRAM_FUNCTIONS)
        # The first weekday sum of a year builds its holiday table: do it before any request.
        warm_holidays(date.today())

    def package(self, process_key: str) -> ProcessPackage | None:
        """Return the package of a process, if it has one."""
        return next((p for p in self.packages if p.key == process_key), None)

    def staff_directory(self, uow: UnitOfWork) -> DatabaseStaffDirectory:
        """Return the staff directory handlers read, with every package's caseload."""
        return DatabaseStaffDirectory(uow, [p.caseload for p in self.packages if p.caseload])

    def run_context(
        self, uow: UnitOfWork, instance: ProcessInstance, actor: str, clock: Clock
    ) -> RunContext:
        """Return what an engine run on `instance` needs: who acts, the clock, the directory."""
        return RunContext(
            instance.id, instance.process_key, actor, clock, self.staff_directory(uow)
        )

    @property
    def client_numbers(self) -> ClientNumberPolicy:
        """The configured client-number rule."""
        return ClientNumberPolicy(
            self.settings.client_number_pattern, self.settings.client_number_hint or None
        )

    def form(self, version: ProcessVersion, file_name: str | None) -> dict[str, Any] | None:
        """Return a form's JSON Schema (or UI schema) from a deployed version, if named."""
        return self._forms(version).get(file_name) if file_name else None

    def form_schemas(self, version: ProcessVersion) -> list[dict[str, Any]]:
        """Return every form schema of a version, the start form first."""
        forms = self._forms(version)
        start = self.start_form(version)
        names = sorted(name for name in forms if "uischema" not in name)
        names.sort(key=lambda name: name != start)
        package = self.package(version.key)
        # Fields a package's own actions write (e.g. a reason to return an order) are declared
        # by the package, read last, like one more form.
        fields = package.data_fields if package else {}
        extra = [{"properties": dict(fields)}] if fields else []
        return [forms[name] for name in names] + extra

    def _forms(self, version: ProcessVersion) -> dict[str, dict[str, Any]]:
        # Versions are immutable, so parsed forms are kept per checksum like parsed specs.
        forms = self._form_cache.get(version.checksum)
        if forms is None:
            bundle = self.parsed(version).bundle
            forms = {
                n: json.loads(bundle.files[n])
                for n in bundle.files
                if n.endswith(".json") and not is_translations_file(n)
            }
            self._form_cache[version.checksum] = forms
        return forms

    def translations(self, version: ProcessVersion) -> Catalog:
        """Return the Swedish and English texts a version's diagram carries (cached)."""
        catalog = self._text_cache.get(version.checksum)
        if catalog is None:
            catalog = bundle_catalog(self.parsed(version).bundle)
            self._text_cache[version.checksum] = catalog
        return catalog

    def cached_translations(self, checksum: str) -> Catalog | None:
        """Return a version's catalogue if it was read already (no database access)."""
        return self._text_cache.get(checksum)

    def start_form(self, version: ProcessVersion) -> str | None:
        """Return the file name of a version's start form, if it has one."""
        start = start_event_spec(self.parsed(version).spec)
        return form_ref(start).schema_file if start is not None else None

    def case_declaration(self, version: ProcessVersion) -> CaseDeclaration | None:
        """Return what a version's diagram declares about its cases (None: nothing)."""
        if version.checksum not in self._case_cache:
            parsed = self.parsed(version)
            declaration = case_declaration(parsed.spec, parsed.subprocess_specs)
            self._case_cache[version.checksum] = declaration
        return self._case_cache[version.checksum]

    def load_workflow(
        self, instance: ProcessInstance, ctx: RunContext
    ) -> tuple[Workflow, StepReport]:
        """Restore an instance's workflow on its version's (cached) spec, ready to run."""
        return self.runtime.load(instance.state, ctx, self.parsed(instance.process_version))

    def parsed(self, version: ProcessVersion) -> ParsedProcess:
        """Return the parsed spec of a deployed version (parsed once per checksum)."""
        return self.specs.get(version.checksum, lambda: ProcessBundle.from_texts(version.files))
