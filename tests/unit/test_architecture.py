"""The layering rules of design §3 hold in the code."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "sote_flow"


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_only_web_imports_flask():
    offenders = []
    for path in SRC.rglob("*.py"):
        if SRC / "web" in path.parents:
            continue
        flask_imports = {n for n in _imports(path) if n.split(".")[0].startswith("flask")}
        if flask_imports:
            offenders.append(f"{path.relative_to(SRC)}: {sorted(flask_imports)}")
    assert offenders == []


def test_inner_layers_do_not_import_outer_ones():
    forbidden = {
        "domain": (
            "sote_flow.engine",
            "sote_flow.services",
            "sote_flow.persistence",
            "sote_flow.web",
        ),
        "engine": ("sote_flow.services", "sote_flow.persistence", "sote_flow.web"),
        "handlers": ("sote_flow.services", "sote_flow.web"),
        "persistence": ("sote_flow.services", "sote_flow.web", "sote_flow.engine"),
        "services": ("sote_flow.web",),
    }
    offenders = []
    for layer, outer in forbidden.items():
        for path in (SRC / layer).rglob("*.py"):
            bad = {n for n in _imports(path) if n.startswith(outer)}
            if bad:
                offenders.append(f"{path.relative_to(SRC)}: {sorted(bad)}")
    assert offenders == []


def test_source_files_stay_small():
    too_long = [
        f"{path.relative_to(SRC)} ({n} lines)"
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts and (n := len(path.read_text().splitlines())) > 400
    ]
    assert too_long == []
