"""A process bundle: one BPMN diagram plus the form (.json) and decision (.dmn) files it uses,
and the diagram's translation catalogue (<diagram>.translations.json) when there is one."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sote_flow.domain.diagram_texts import translations_file_name

BPMN_SUFFIX = ".bpmn"
ALLOWED_SUFFIXES = (".bpmn", ".json", ".dmn")


@dataclass(frozen=True)
class ProcessBundle:
    """File name -> content. Immutable once built; its checksum identifies a version."""

    files: Mapping[str, bytes]

    @property
    def checksum(self) -> str:
        """SHA-256 over the sorted file names and contents."""
        digest = hashlib.sha256()
        for name in sorted(self.files):
            digest.update(name.encode("utf-8") + b"\0" + self.files[name] + b"\0")
        return digest.hexdigest()

    @property
    def bpmn_files(self) -> list[str]:
        """Names of the BPMN files in the bundle."""
        return sorted(name for name in self.files if name.endswith(BPMN_SUFFIX))

    def text(self, name: str) -> str:
        """Return a file's content as text."""
        return self.files[name].decode("utf-8")

    @classmethod
    def from_texts(cls, texts: Mapping[str, str]) -> ProcessBundle:
        """Build a bundle from stored texts (as kept in the database)."""
        return cls({name: text.encode("utf-8") for name, text in texts.items()})


def bundle_from_diagram(path: Path) -> ProcessBundle:
    """Collect a diagram, the form/DMN files beside it that it uses, and its translations."""
    xml = path.read_bytes()
    files = {path.name: xml}
    # The diagram does not name its catalogue: it is found by the diagram's own name.
    catalog = translations_file_name(path.name)
    for sibling in sorted(path.parent.iterdir()):
        named = sibling.suffix == ".json" and sibling.name.encode("utf-8") in xml
        if named or sibling.name == catalog:
            files[sibling.name] = sibling.read_bytes()
        elif sibling.suffix == ".dmn":
            content = sibling.read_bytes()
            if any(decision_id in xml for decision_id in _DECISION_ID.findall(content)):
                files[sibling.name] = content
    return ProcessBundle(files)


# Diagrams refer to DMN tables by decision id (calledDecisionId), not by file name.
_DECISION_ID = re.compile(rb"<(?:\w+:)?decision\s[^>]*\bid=\"([^\"]+)\"")


def safe_file_name(name: str) -> str:
    """Return the bare file name, refusing paths (an upload may not name directories)."""
    bare = PurePosixPath(name.replace("\\", "/")).name
    if not bare or bare in (".", ".."):
        raise ValueError(f"invalid file name {name!r}")
    return bare
