"""The long-lived parts use cases share: the workflow runtime, the spec cache and the policies."""

from __future__ import annotations

from dataclasses import dataclass, field

from sote_flow.config import Settings
from sote_flow.domain.privacy import ClientNumberPolicy
from sote_flow.engine.bundle import ProcessBundle
from sote_flow.engine.parsing import ParsedProcess, SpecCache
from sote_flow.engine.runtime import WorkflowRuntime
from sote_flow.engine.tasks import form_ref, start_event_spec
from sote_flow.handlers import HANDLERS
from sote_flow.persistence.models import ProcessVersion


@dataclass
class Platform:
    """Created once per process (web worker, scheduler, CLI) and shared by its threads."""

    settings: Settings
    runtime: WorkflowRuntime = field(default_factory=lambda: WorkflowRuntime(HANDLERS))
    specs: SpecCache = field(default_factory=SpecCache)

    @property
    def client_numbers(self) -> ClientNumberPolicy:
        """The configured client-number rule."""
        return ClientNumberPolicy(self.settings.client_number_pattern)

    def start_form(self, version: ProcessVersion) -> str | None:
        """Return the file name of a version's start form, if it has one."""
        start = start_event_spec(self.parsed(version).spec)
        return form_ref(start).schema_file if start is not None else None

    def parsed(self, version: ProcessVersion) -> ParsedProcess:
        """Return the parsed spec of a deployed version (parsed once per checksum)."""
        return self.specs.get(version.checksum, lambda: ProcessBundle.from_texts(version.files))
