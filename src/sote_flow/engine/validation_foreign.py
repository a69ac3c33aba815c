"""Other engines' extensions (Camunda 7, Zeebe, Activiti, Flowable) in a diagram: sote-flow
ignores them, and deploy lists each as a warning saying what replaces it in sote-flow."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from sote_flow.engine.parsing_prepare import BPMN_NS

FOREIGN_NAMESPACES = {
    "http://camunda.org/schema/1.0/bpmn": "camunda",
    "http://camunda.org/schema/zeebe/1.0": "zeebe",
    "http://activiti.org/bpmn": "activiti",
    "http://flowable.org/bpmn": "flowable",
}
_GROUP = 'spiffworkflow:property name="group" (tai kaista, jonka nimi on ryhmä)'
_ASSIGNEE = 'spiffworkflow:property name="assignee"'
_OPERATOR = "spiffworkflow:serviceTaskOperator"
_FORM = "spiffworkflow:formJsonSchemaFilename"
_SCRIPTS = "spiffworkflow:preScript / spiffworkflow:postScript"
_PARAMETERS = "spiffworkflow:parameters (palvelutehtävän parametrit) tai skriptit"
_NOT_NEEDED = "ei tarvita sote-flow’ssa"
REPLACEMENTS = {
    "assignee": _ASSIGNEE,
    "candidateUsers": _ASSIGNEE,
    "candidateGroups": _GROUP,
    "assignmentDefinition": f"{_GROUP} tai {_ASSIGNEE}",
    "formKey": _FORM,
    "formRef": _FORM,
    "formData": _FORM,
    "userTaskForm": _FORM,
    "formDefinition": _FORM,
    "class": _OPERATOR,
    "delegateExpression": _OPERATOR,
    "expression": _OPERATOR,
    "type": _OPERATOR,
    "topic": _OPERATOR,
    "taskDefinition": _OPERATOR,
    "connector": _OPERATOR,
    "taskHeaders": _PARAMETERS,
    "ioMapping": _PARAMETERS,
    "inputOutput": _PARAMETERS,
    "field": _PARAMETERS,
    "resultVariable": f'{_OPERATOR} resultVariable="…"',
    "dueDate": 'spiffworkflow:property name="dueAt"',
    "executionListener": _SCRIPTS,
    "taskListener": _SCRIPTS,
    "executionListeners": _SCRIPTS,
    "taskListeners": _SCRIPTS,
    "script": "bpmn:script (Python sote-flow’n hiekkalaatikossa)",
    "calledElement": 'bpmn:callActivity calledElement="…"',
    "calledDecision": "spiffworkflow:calledDecisionId",
    "decisionRef": "spiffworkflow:calledDecisionId",
    "properties": "spiffworkflow:properties",
    "property": "spiffworkflow:properties",
    "asyncBefore": _NOT_NEEDED,
    "asyncAfter": _NOT_NEEDED,
    "async": _NOT_NEEDED,
    "exclusive": _NOT_NEEDED,
    "jobPriority": _NOT_NEEDED,
    "historyTimeToLive": _NOT_NEEDED,
    "versionTag": _NOT_NEEDED,
    "isStartableInTasklist": 'spiffworkflow:property name="startRoles" alkutapahtumassa',
    "initiator": _NOT_NEEDED,
    "failedJobRetryTimeCycle": _NOT_NEEDED,
}


def foreign_extension_warnings(root: etree._Element) -> Iterator[tuple[str | None, str]]:
    """Yield (element id, Finnish warning) for each other engine's attribute or extension."""
    seen: set[tuple[str | None, str]] = set()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        qname = etree.QName(element)
        found = [
            (etree.QName(attribute).namespace, etree.QName(attribute).localname)
            for attribute in element.attrib
            if etree.QName(attribute).namespace in FOREIGN_NAMESPACES
        ]
        parent = element.getparent()
        if qname.namespace in FOREIGN_NAMESPACES and (
            parent is None or etree.QName(parent).namespace not in FOREIGN_NAMESPACES
        ):
            found.append((qname.namespace, qname.localname))
        for namespace, name in found:
            owner = _owner(element)
            label = f"{FOREIGN_NAMESPACES[str(namespace)]}:{name}"
            if (owner, label) in seen:
                continue
            seen.add((owner, label))
            replacement = REPLACEMENTS.get(name, "ei vastinetta sote-flow’ssa")
            yield (
                owner,
                f"{label} → {replacement}: sote-flow ohittaa toisen moottorin laajennuksen.",
            )


def _owner(element: etree._Element) -> str | None:
    node: etree._Element | None = element
    while node is not None:
        if etree.QName(node).namespace == BPMN_NS and node.get("id"):
            return node.get("id")
        node = node.getparent()
    return None
