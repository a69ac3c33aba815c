"""The layering rules of design §3 hold in the code."""

from __future__ import annotations

import ast
from pathlib import Path

from sote_flow.registry import PROCESS_PACKAGES, load_packages
from tests.support.paths import PROCESSES

SRC = Path(__file__).resolve().parents[2] / "src" / "sote_flow"


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _package_dirs() -> list[Path]:
    return [SRC / name.removeprefix("sote_flow.").replace(".", "/") for name in PROCESS_PACKAGES]


def _is_web(path: Path) -> bool:
    web_dirs = [SRC / "web", *(package / "web" for package in _package_dirs())]
    return any(web in path.parents for web in web_dirs)


def test_only_web_imports_flask():
    offenders = []
    for path in SRC.rglob("*.py"):
        if _is_web(path):
            continue
        flask_imports = {n for n in _imports(path) if n.split(".")[0].startswith("flask")}
        if flask_imports:
            offenders.append(f"{path.relative_to(SRC)}: {sorted(flask_imports)}")
    assert offenders == []


def test_only_the_engine_imports_spiffworkflow():
    # The services hold a workflow between loading and saving it and read it through the
    # runtime (one snapshot per step); SpiffWorkflow's types stay behind engine/.
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if path.relative_to(SRC).parts[0] != "engine"
        and any(name.split(".")[0] == "SpiffWorkflow" for name in _imports(path))
    ]
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


def test_services_build_no_sql():
    # Queries live in persistence/ repositories reached through the unit of work, so use cases
    # can be tested with a fake one.
    offenders = []
    for path in (SRC / "services").rglob("*.py"):
        bad = {n for n in _imports(path) if n.split(".")[0] == "sqlalchemy"}
        if bad:
            offenders.append(f"{path.relative_to(SRC)}: {sorted(bad)}")
    assert offenders == []


def test_general_code_never_imports_a_process_package():
    # General code loops over the registry; only the registry names the packages.
    packages = _package_dirs()
    offenders = []
    for path in SRC.rglob("*.py"):
        if path == SRC / "registry.py" or any(p in path.parents for p in packages):
            continue
        bad = {n for n in _imports(path) if n.startswith(PROCESS_PACKAGES)}
        if bad:
            offenders.append(f"{path.relative_to(SRC)}: {sorted(bad)}")
    assert offenders == []


def test_general_code_and_templates_never_name_a_process():
    keys = [name.rsplit(".", 1)[-1] for name in PROCESS_PACKAGES]
    packages = _package_dirs()
    offenders = [
        str(path.relative_to(SRC))
        for path in [*SRC.rglob("*.py"), *SRC.rglob("*.html")]
        if path != SRC / "registry.py"
        and "migrations" not in path.parts  # the schema's history names what it migrated
        and not any(p in path.parents for p in packages)
        and any(key in path.read_text(encoding="utf-8") for key in keys)
    ]
    assert offenders == []


def test_every_registered_package_declares_its_process():
    for package in load_packages():
        assert (PROCESSES / f"{package.key}.bpmn").exists(), package.key


def test_source_files_stay_small():
    too_long = [
        f"{path.relative_to(SRC)} ({n} lines)"
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts and (n := len(path.read_text().splitlines())) > 400
    ]
    assert too_long == []
