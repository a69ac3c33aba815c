"""Process owners' use cases on a real database: deploy from the modeler, compare versions and
move waiting instances to a newer version (or be told why not)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from sote_flow.domain.errors import Conflict, DeployRefused, PermissionDenied
from sote_flow.persistence.models import DueTimer
from sote_flow.services import migration, process_versions, tasks
from sote_flow.services.platform import Platform
from tests.support.factories import DIAGRAMS, deploy, make_actor, make_groups, start

APPROVAL_XML = (DIAGRAMS / "approval.bpmn").read_text(encoding="utf-8")
REQUEST = {"client_number": "1234567", "amount": 3, "reason": "Arjen tuki"}
NEW_FORM = '{"type": "object", "properties": {"note": {"type": "string", "title": "Huomio"}}}'


@pytest.fixture
def people(platform: Platform, uow, clock):
    make_groups(uow, "hakijat", "kasittelijat")
    deploy(platform, uow, clock, DIAGRAMS / "approval.bpmn")
    return {
        "owner": make_actor(uow, clock, "olli", ["process_owner"]),
        "orderer": make_actor(uow, clock, "sanna", ["social_worker"], ["hakijat"]),
        "handler": make_actor(uow, clock, "tuomas", ["producer_admin"], ["kasittelijat"]),
        "auditor": make_actor(uow, clock, "tarja", ["auditor"]),
    }


def _deploy(platform, uow, clock, actor, xml=APPROVAL_XML, forms=None, key="approval"):
    with uow() as unit:
        return process_versions.deploy_from_editor(
            platform, actor, unit, clock, key, xml, forms or {}
        )


def _without_review(xml: str) -> str:
    """Version in which the review task is gone: number → decide, fix_request → decide."""
    xml = re.sub(r'<bpmn:userTask id="review".*?</bpmn:userTask>', "", xml, flags=re.S)
    xml = xml.replace("<bpmn:flowNodeRef>review</bpmn:flowNodeRef>", "")
    xml = xml.replace('<bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="decide" />', "")
    xml = xml.replace('targetRef="review"', 'targetRef="decide"')
    return xml.replace(
        "<bpmn:incoming>f3</bpmn:incoming>",
        "<bpmn:incoming>f2</bpmn:incoming><bpmn:incoming>f5</bpmn:incoming>",
    )


def test_deploy_from_editor_carries_forms_over_and_replaces_edited_ones(
    platform, uow, clock, people
):
    renamed = APPROVAL_XML.replace("Käsittele hakemus", "Tarkista hakemus")
    result = _deploy(
        platform, uow, clock, people["owner"], renamed, {"approval-review.json": NEW_FORM}
    )
    assert result.created and result.version.version == 2
    assert result.version.deployed_by == "olli"
    with uow() as unit:
        overview = process_versions.process_overview(people["owner"], unit)
        bundle = process_versions.editor_bundle(platform, people["owner"], unit, "approval")
    assert [v.version.version for v in overview[0].versions] == [2, 1]
    assert bundle.forms["approval-review.json"] == NEW_FORM
    assert "approval-request.json" in bundle.forms and "approval-fix.json" in bundle.forms
    assert "Tarkista hakemus" in bundle.diagram
    assert "case/assign_number" in bundle.operators and "kasittelijat" in bundle.groups
    unchanged = _deploy(
        platform, uow, clock, people["owner"], renamed, {"approval-review.json": NEW_FORM}
    )
    assert not unchanged.created and unchanged.version.version == 2


def test_deploy_from_editor_refuses_with_problems_located_on_elements(platform, uow, clock, people):
    broken = APPROVAL_XML.replace("approval-fix.json", "ei-ole.json")
    broken = broken.replace('name="kasittelijat"', 'name="tuntematon"')
    with pytest.raises(DeployRefused) as refused:
        _deploy(platform, uow, clock, people["owner"], broken)
    located = {(p.element_id, p.message.split(" ")[0]) for p in refused.value.problems}
    assert ("fix_request", "Lomaketiedosto") in located
    assert ("review", "Kaistan") in located
    with pytest.raises(DeployRefused) as refused:
        _deploy(platform, uow, clock, people["owner"], forms={"approval-review.json": "[1, 2"})
    assert refused.value.problems[0].file == "approval-review.json"
    with pytest.raises(DeployRefused):
        _deploy(platform, uow, clock, people["owner"], forms={"sub/x.json": "{}"})
    with uow() as unit:
        assert [v.version for v in process_versions.versions_of(unit, "approval")] == [1]


@pytest.mark.parametrize("who", ["auditor", "orderer"])
def test_only_owners_deploy_preview_and_migrate(platform, uow, clock, people, who):
    with pytest.raises(PermissionDenied):
        _deploy(platform, uow, clock, people[who])
    with pytest.raises(PermissionDenied):
        process_versions.preview_form(people[who], NEW_FORM)
    with uow() as unit, pytest.raises(PermissionDenied):
        migration.migrate_instance(platform, people[who], unit, clock, 1, 2)


def test_diff_names_added_removed_and_changed_elements_and_forms(platform, uow, clock, people):
    changed = _without_review(APPROVAL_XML).replace('decision == "fix"', 'decision != "approve"')
    _deploy(platform, uow, clock, people["owner"], changed, {"approval-review.json": NEW_FORM})
    with uow() as unit:
        diff = process_versions.diff_versions(platform, people["owner"], unit, "approval", 1, 2)
    assert [e.element_id for e in diff.elements.removed] == ["review"]
    changes = {c.element.element_id: c.attributes for c in diff.elements.changed}
    assert changes["decide"] == ("cond_task_specs",)
    assert [(f.name, f.status) for f in diff.files] == [("approval-review.json", "changed")]
    assert '+{"type": "object"' in diff.files[0].diff
    with uow() as unit:
        back = process_versions.diff_versions(platform, people["owner"], unit, "approval", 2, 1)
    assert [e.element_id for e in back.elements.added] == ["review"]


def test_waiting_instance_moves_to_the_new_version_and_the_move_is_logged(
    platform, uow, clock, people
):
    instance = start(platform, uow, clock, people["orderer"], "approval", REQUEST)
    with uow() as unit:
        task = tasks.group_tasks(people["handler"], unit, 1, 10).tasks[0]
        tasks.claim_task(people["handler"], unit, clock, task.id)
    v2 = _deploy(
        platform, uow, clock, people["owner"], APPROVAL_XML.replace("Käsittele hakemus", "Tarkista")
    ).version
    with uow() as unit:
        check = migration.check_migration(platform, people["owner"], unit, clock, instance.id)
        candidates = migration.migration_candidates(people["owner"], unit, "approval")
    assert check.plan.possible and check.target.version == 2
    assert [ref.element_id for ref in check.plan.changed_current] == ["review"]
    assert [c.id for c in candidates] == [instance.id]
    with uow() as unit:
        migration.migrate_instance(platform, people["owner"], unit, clock, instance.id, 2)
    with uow() as unit:
        moved = unit.instances.get(instance.id)
        (open_task,) = unit.tasks.for_instance(instance.id)
        entries = unit.history.for_instance(instance.id)
        assert moved.process_version_id == v2.id and moved.status == "running"
        assert migration.migration_candidates(people["owner"], unit, "approval") == []
    assert (open_task.id, open_task.title) == (task.id, "Tarkista")
    assert open_task.assignee_id == people["handler"].user_id  # the claim survives the move
    logged = [e for e in entries if e.action == "instance_migrated"]
    assert len(logged) == 1 and logged[0].actor == "olli"
    assert logged[0].data["from_version"] == 1 and logged[0].data["to_version"] == 2
    assert logged[0].process_version_id == v2.id
    with uow() as unit:
        tasks.complete_task(
            platform, people["handler"], unit, clock, task.id, {"decision": "approve"}
        )
    with uow() as unit:
        assert unit.instances.get(instance.id).status == "completed"


def test_move_is_refused_when_the_waiting_task_is_gone_and_nothing_changes(
    platform, uow, clock, people
):
    instance = start(platform, uow, clock, people["orderer"], "approval", REQUEST)
    _deploy(platform, uow, clock, people["owner"], _without_review(APPROVAL_XML))
    with uow() as unit:
        check = migration.check_migration(platform, people["owner"], unit, clock, instance.id, 2)
    assert not check.plan.possible
    assert "review (Käsittele hakemus): asia odottaa tässä" in check.plan.blockers[0]
    with uow() as unit, pytest.raises(Conflict, match="Siirto ei ole mahdollinen"):
        migration.migrate_instance(platform, people["owner"], unit, clock, instance.id, 2)
    with uow() as unit:
        same = unit.instances.get(instance.id)
        assert same.process_version.version == 1
        assert "instance_migrated" not in [e.action for e in unit.history.for_instance(1)]
        older = migration.check_migration(platform, people["owner"], unit, clock, instance.id, 1)
    assert "uudempi versio" in older.plan.blockers[0]


def test_a_waiting_timer_keeps_its_due_time_when_moved(platform, uow, clock, people):
    deploy(platform, uow, clock, DIAGRAMS / "timer_once.bpmn")
    fire_at = (clock() + timedelta(days=2)).isoformat()
    instance = start(platform, uow, clock, people["orderer"], "timer_once", {"fire_at": fire_at})
    with uow() as unit:
        due_before = unit.session.scalars(select(DueTimer.due_at)).all()
    xml = (DIAGRAMS / "timer_once.bpmn").read_text(encoding="utf-8")
    _deploy(
        platform,
        uow,
        clock,
        people["owner"],
        xml.replace("Ajastettu", "Ajastettu työ"),
        key="timer_once",
    )
    clock.advance(timedelta(hours=5))
    with uow() as unit:
        migration.migrate_instance(platform, people["owner"], unit, clock, instance.id)
    with uow() as unit:
        assert unit.session.scalars(select(DueTimer.due_at)).all() == due_before
        assert unit.instances.get(instance.id).process_version.version == 2
