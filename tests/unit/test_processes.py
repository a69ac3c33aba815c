"""Every diagram in processes/ deploys against the real handler table and the demo's groups."""

from __future__ import annotations

import pytest

from sote_flow.domain.roles import Role
from sote_flow.engine.bundle import bundle_from_diagram
from sote_flow.engine.validation import DeployCatalog, validate_bundle
from sote_flow.registry import all_handlers
from sote_flow.services.demo import DEMO_GROUPS
from tests.support.paths import PROCESSES

CATALOG = DeployCatalog(
    operators=frozenset(all_handlers()),
    groups=frozenset(DEMO_GROUPS),
    roles=frozenset(role.value for role in Role),
)
DIAGRAMS = sorted(PROCESSES.glob("*.bpmn"))


def test_there_are_diagrams():
    assert DIAGRAMS, "processes/ holds no diagrams"


@pytest.mark.parametrize("diagram", DIAGRAMS, ids=[d.stem for d in DIAGRAMS])
def test_diagram_validates(diagram):
    parsed = validate_bundle(bundle_from_diagram(diagram), CATALOG)
    assert parsed.key == diagram.stem
