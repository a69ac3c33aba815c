"""axe-core (from npm, copied to static/vendor by `make install`) run in the page under test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parents[2] / "src/sote_flow/web/static/vendor/axe.min.js"
BLOCKING = ("serious", "critical")

_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
  }));
}"""


def serious_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the current page; return the serious and critical violations."""
    if not AXE.exists():
        raise RuntimeError("axe-core missing: run `make install` (copies it from node_modules)")
    # Loaded from the app's own static files: the pages' policy allows no inline script.
    page.add_script_tag(url="/static/vendor/axe.min.js")
    violations: list[dict[str, Any]] = page.evaluate(_RUN)
    return [v for v in violations if v["impact"] in BLOCKING]
