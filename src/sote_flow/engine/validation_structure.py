"""Deploy-time checks on the diagram's XML: schema errors by element, pools and processes,
messages, flows, subprocess starts and service operators, each with what to do in Finnish."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree
from SpiffWorkflow.spiff.parser import VALIDATOR

from sote_flow.engine.parsing_prepare import BPMN_NS, bpmn, local_name, xml_parser

Finding = tuple[str | None, str]

_GATEWAYS_WITH_CONDITIONS = ("exclusiveGateway", "inclusiveGateway", "complexGateway")
_GATEWAY_FI = {
    "exclusiveGateway": "poissulkevan haarautumisen",
    "inclusiveGateway": "sisällyttävän haarautumisen",
    "complexGateway": "monimutkaisen haarautumisen",
}
_PREFIXES = {BPMN_NS: "bpmn", "http://spiffworkflow.org/bpmn/schema/1.0/core": "spiffworkflow"}
_CLARK = re.compile(r"\{([^}]*)\}(\w+)")
_XSD_ELEMENT = re.compile(r"Element '([^']+)'(?:, attribute '([^']+)')?: (.*)", re.S)


def schema_problems(xml: bytes) -> Iterator[Finding]:
    """Yield every BPMN 2.0 schema error, naming the element (id or tag) and its line."""
    root = etree.fromstring(xml, parser=xml_parser())
    VALIDATOR.preprocess(root)  # as SpiffWorkflow does (bpmn-js correlation expressions)
    if VALIDATOR.validator.validate(root):
        return
    for error in VALIDATOR.validator.error_log:
        found = _XSD_ELEMENT.match(error.message)
        tag = found.group(1) if found else ""
        element = _element_at(root, error.line, tag)
        element_id = _nearest_id(element)
        name = _short_tag(tag) if tag else "kaavio"
        own_id = element.get("id") if element is not None else None
        where = f"Elementti {name}" + (f" ({own_id})" if own_id else "") + f", rivi {error.line}"
        detail = _schema_detail(found.group(2), found.group(3)) if found else None
        yield element_id, f"{where}: {detail or 'ei noudata BPMN 2.0 -skeemaa.'}"


def _schema_detail(attribute: str | None, text: str) -> str | None:
    text = text.strip()
    if text.startswith("This element is not expected"):
        expected = _expected(text)
        return "ei kuulu tähän kohtaan" + (f" (tähän sopii: {expected})." if expected else ".")
    if text.startswith("Missing child element"):
        expected = _expected(text)
        return "siltä puuttuu pakollinen alielementti" + (f" ({expected})." if expected else ".")
    if attribute and "is not allowed" in text:
        return f"attribuuttia {attribute} ei sallita tässä elementissä; poista se."
    if attribute is None and (missing := re.search(r"attribute '([^']+)' is required", text)):
        return f"siltä puuttuu pakollinen attribuutti {missing.group(1)}."
    if attribute and (value := re.match(r"'([^']*)' is not a valid value", text)):
        if attribute == "id":
            return (
                f"tunniste ”{value.group(1)}” ei kelpaa tai on jo käytössä; anna yksilöllinen "
                "tunniste."
            )
        return f"attribuutin {attribute} arvo ”{value.group(1)}” ei kelpaa."
    if "Duplicate" in text or "duplicate" in text:
        return "tunniste on jo käytössä toisessa elementissä; anna yksilöllinen tunniste."
    return None


def _expected(text: str) -> str:
    names = [
        _short_tag(f"{{{ns}}}{name}") for ns, name in _CLARK.findall(text.split("Expected", 1)[-1])
    ]
    return ", ".join(names[:6]) + (" …" if len(names) > 6 else "")


def _short_tag(clark: str) -> str:
    found = _CLARK.fullmatch(clark)
    if not found:
        return clark
    prefix = _PREFIXES.get(found.group(1))
    return f"{prefix}:{found.group(2)}" if prefix else found.group(2)


def _element_at(root: etree._Element, line: int, tag: str) -> etree._Element | None:
    candidates = [
        e for e in root.iter() if isinstance(e.tag, str) and getattr(e, "sourceline", None) == line
    ]
    return next((e for e in candidates if e.tag == tag), candidates[0] if candidates else None)


def _nearest_id(element: etree._Element | None) -> str | None:
    while element is not None:
        if element.get("id"):
            return element.get("id")
        element = element.getparent()
    return None


def structure_problems(root: etree._Element) -> tuple[list[Finding], list[Finding]]:
    """Return (problems, warnings) about the diagram's processes, pools, messages and flows."""
    problems: list[Finding] = []
    warnings: list[Finding] = []
    _processes(root, problems, warnings)
    problems.extend(_messages(root))
    problems.extend(_flows(root))
    problems.extend(_subprocesses(root))
    problems.extend(_service_tasks(root))
    return problems, warnings


def _processes(root: etree._Element, problems: list[Finding], warnings: list[Finding]) -> None:
    processes = root.findall(bpmn("process"))
    if not processes:
        problems.append((None, "Kaaviossa ei ole prosessia (bpmn:process): piirrä prosessi."))
        return
    pools = {p.get("processRef"): p for p in root.iter(bpmn("participant")) if p.get("processRef")}
    called = {a.get("calledElement") for a in root.iter(bpmn("callActivity"))}
    executable = [p for p in processes if p.get("isExecutable", "true") == "true"]
    if not executable:
        for process in processes:
            problems.append(
                (
                    process.get("id"),
                    f"Prosessia {_label(process, pools)} ei ole merkitty suoritettavaksi: aseta "
                    'prosessille isExecutable="true".',
                )
            )
        return
    main, *others = [p for p in executable if p.get("id") not in called] or executable
    for process in others:
        pool = pools.get(process.get("id"))
        problems.append(
            (
                (pool if pool is not None else process).get("id"),
                f"Kaaviossa on toinenkin suoritettava prosessi {_label(process, pools)}. sote-flow "
                "ajaa yhden prosessin kaaviota kohden: jos allas vain kuvaa toista osapuolta, "
                'aseta sen prosessille isExecutable="false"; muuten ota se käyttöön omana '
                "kaavionaan.",
            )
        )
    for process in processes:
        if process not in executable and process.get("id") not in called and len(process):
            warnings.append(
                (
                    process.get("id"),
                    f"Prosessi {_label(process, pools)} on merkitty ei-suoritettavaksi, joten "
                    "sote-flow ei aja sitä: se jää kaavioon kuvaukseksi.",
                )
            )
    if main.find(bpmn("startEvent")) is None:
        problems.append(
            (
                main.get("id"),
                "Prosessilla ei ole alkutapahtumaa: lisää alkutapahtuma (startEvent), josta "
                "asia alkaa.",
            )
        )


def _label(process: etree._Element, pools: dict[str | None, etree._Element]) -> str:
    pool = pools.get(process.get("id"))
    name = (pool.get("name") if pool is not None else None) or process.get("name")
    return f"”{name}” ({process.get('id')})" if name else f"{process.get('id')}"


def _messages(root: etree._Element) -> Iterator[Finding]:
    for kind, ref_name, fi in (
        ("message", "messageRef", "Sanoma"),
        ("signal", "signalRef", "Signaali"),
    ):
        declared = {e.get("id"): e for e in root.iter(bpmn(kind))}
        for element_id, element in declared.items():
            if not (element.get("name") or "").strip():
                yield (
                    element_id,
                    f"{fi}lta puuttuu nimi: anna sille nimi (name), jolla se lähetetään ja "
                    "vastaanotetaan.",
                )
        for definition in root.iter(
            bpmn(f"{kind}EventDefinition"), bpmn("receiveTask"), bpmn("sendTask")
        ):
            if kind == "signal" and local_name(definition) != "signalEventDefinition":
                continue
            ref = definition.get(ref_name)
            owner = (
                definition if local_name(definition).endswith("Task") else definition.getparent()
            )
            owner_id = owner.get("id") if owner is not None else None
            if ref and ref not in declared:
                yield (
                    owner_id,
                    f'{fi}a {ref} ei ole kaaviossa: lisää se ({kind} id="{ref}" name="…") '
                    "tai valitse olemassa oleva.",
                )
            elif not ref and owner is not None and not (owner.get("name") or "").strip():
                yield (
                    owner_id,
                    f"Valitse tapahtumalle {fi.lower()} ({ref_name}), jolla on nimi: "
                    f"nimetöntä {fi.lower()}a ei voi lähettää eikä vastaanottaa.",
                )


def _flows(root: etree._Element) -> Iterator[Finding]:
    ids = {e.get("id"): e for e in root.iter() if isinstance(e.tag, str) and e.get("id")}
    outgoing: dict[str, list[etree._Element]] = {}
    for flow in root.iter(bpmn("sequenceFlow")):
        for end in ("sourceRef", "targetRef"):
            if flow.get(end) and flow.get(end) not in ids:
                yield (
                    flow.get("id"),
                    f"Sekvenssivuon {end} viittaa elementtiin {flow.get(end)}, jota ei ole.",
                )
        outgoing.setdefault(flow.get("sourceRef") or "", []).append(flow)
    for source_id, flows in outgoing.items():
        source = ids.get(source_id)
        if source is None:
            continue
        kind = local_name(source)
        conditional = [f for f in flows if (_condition(f) or "").strip()]
        if kind not in _GATEWAYS_WITH_CONDITIONS:
            for flow in conditional:
                yield (
                    flow.get("id"),
                    "Ehdollinen sekvenssivuo lähtee muusta kuin haarautumisesta, eikä sote-flow "
                    "arvioi sitä: lisää väliin poissulkeva (exclusiveGateway) tai sisällyttävä "
                    "haarautuminen (inclusiveGateway) ja siirrä ehto sen lähtevälle vuolle.",
                )
        elif len(flows) > 1:
            for flow in flows:
                if flow not in conditional and source.get("default") != flow.get("id"):
                    yield (
                        flow.get("id"),
                        f"{_GATEWAY_FI[kind].capitalize()} {source_id} lähtevältä vuolta puuttuu "
                        "ehto: lisää ehto (conditionExpression) tai merkitse vuo haarautumisen "
                        "oletuspoluksi (default).",
                    )


def _condition(flow: etree._Element) -> str | None:
    found = flow.find(bpmn("conditionExpression"))
    return found.text if found is not None else None


def _subprocesses(root: etree._Element) -> Iterator[Finding]:
    for subprocess in [*root.iter(bpmn("subProcess")), *root.iter(bpmn("transaction"))]:
        starts = subprocess.findall(bpmn("startEvent"))
        if subprocess.get("triggeredByEvent") == "true":
            if len(starts) != 1:
                yield subprocess.get("id"), "Tapahtuma-aliprosessilla on oltava yksi alkutapahtuma."
        elif len(starts) > 1:
            yield (
                subprocess.get("id"),
                f"Aliprosessissa on {len(starts)} alkutapahtumaa: jätä yksi, tai yhdistä polut "
                "rinnakkaisella haarautumisella yhden alkutapahtuman jälkeen.",
            )
        elif not starts and not any(
            local_name(c) not in ("sequenceFlow",) and c.get("id") for c in subprocess
        ):
            yield (
                subprocess.get("id"),
                "Aliprosessi on tyhjä: lisää siihen tehtävät, jotka se tekee.",
            )


def _service_tasks(root: etree._Element) -> Iterator[Finding]:
    spiff = "{http://spiffworkflow.org/bpmn/schema/1.0/core}serviceTaskOperator"
    for task in root.iter(bpmn("serviceTask")):
        if task.find(f"{bpmn('extensionElements')}/{spiff}") is None:
            yield (
                task.get("id"),
                "Lisää palvelutehtävälle operaattori (spiffworkflow:serviceTaskOperator), joka "
                "kertoo, minkä sote-flow’n palvelun tehtävä kutsuu.",
            )
