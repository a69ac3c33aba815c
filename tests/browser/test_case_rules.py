"""A process owner edits the service order's case queue (columns, urgency, group) and legal clocks
in the modeler's side panel and deploys: the clocks are declared in the diagram, not in Python."""

from __future__ import annotations

from tests.browser.axe import serious_violations
from tests.browser.test_modeler import _shot, order_owner_server  # noqa: F401 (fixture)
from tests.browser.test_task_flow import _login

ALOITUS = "aloitus=Palvelu alkaa|3 months|SHL 45 §|kasitelty,peruttu"
RATKAISU = "ratkaisu=Päätös palvelusta|7 weekdays|SHL 36 §|jonossa"

_START_PROPERTIES = """() => {
  const bo = window.soteModeler.get('elementRegistry').get('order_received').businessObject;
  const holder = bo.extensionElements.values.find((v) => v.$type === 'spiffworkflow:properties');
  return Object.fromEntries(holder.properties.map((p) => [p.name, p.value]));
}"""

_SET_CLOCKS = """(value) => {
  const modeler = window.soteModeler;
  const element = modeler.get('elementRegistry').get('order_received');
  const holder = element.businessObject.extensionElements.values
    .find((v) => v.$type === 'spiffworkflow:properties');
  const clocks = holder.properties.find((p) => p.name === 'caseClocks');
  modeler.get('modeling').updateModdleProperties(element, clocks, {value: value});
}"""


def _open_start_event(page, base: str):
    page.goto(f"{base}/process-admin/service_order/modeler")
    page.wait_for_selector("#canvas[data-ready='true']")
    picker = page.get_by_label("Valitse elementti")
    picker.select_option("order_received")
    return picker


def _checked_stops(page, n: int) -> list[str]:
    return page.locator(f"#case-clock-{n}-stops input:checked").evaluate_all(
        "boxes => boxes.map((b) => b.value)"
    )


def test_owner_adds_a_legal_clock_and_changes_the_queue_columns(order_owner_server, page):  # noqa: F811
    _login(page, order_owner_server, "olli")
    _open_start_event(page, order_owner_server)
    page.get_by_role("group", name="Määräaika 1: aloitus").wait_for()
    assert page.get_by_label("Määräajan 1 Avain").input_value() == "aloitus"
    assert page.get_by_label("Määräajan 1 Nimi").input_value() == "Palvelu alkaa"
    assert page.get_by_label("Määräajan 1 Määrä").input_value() == "3"
    unit = page.get_by_label("Määräajan 1 Yksikkö")
    assert unit.locator("option:checked").inner_text() == "kuukautta"
    assert page.get_by_label("Määräajan 1 Lainkohta").input_value() == "SHL 45 §"
    assert _checked_stops(page, 1) == ["kasitelty", "peruttu"]
    urgent = page.get_by_label("Kiireellisyys (caseUrgent)").input_value()
    assert urgent == 'urgency == "kiireellinen"'
    assert page.get_by_label("Jonon ryhmä (caseGroup)").input_value() == "producer_group"
    columns = page.get_by_label("Jonon sarakkeet (caseColumns)")
    assert columns.input_value().startswith("service, urgency, municipality")
    columns.fill("service, urgency, municipality")
    columns.press("Tab")

    page.get_by_role("button", name="Lisää määräaika").click()
    assert page.evaluate("document.activeElement.id") == "case-clock-2-key"  # keyboard flow
    page.keyboard.type("ratkaisu")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "case-clock-2-label"
    page.keyboard.type("Päätös palvelusta")
    page.get_by_label("Määräajan 2 Määrä").fill("7")
    page.get_by_label("Määräajan 2 Yksikkö").select_option(label="arkipäivää")
    page.get_by_label("Määräajan 2 Lainkohta").fill("SHL 36 §")
    stops = page.get_by_role("group", name="Määräajan 2 Pysäyttävät tilat")
    stops.get_by_label("Jonossa (jonossa)").focus()
    page.keyboard.press("Space")
    assert _checked_stops(page, 2) == ["jonossa"]
    page.get_by_role("group", name="Määräaika 2: ratkaisu").wait_for()  # named by its key
    assert page.get_by_role("button", name="Poista määräaika 2 ratkaisu").is_visible()
    assert serious_violations(page) == []  # the clock editor included
    _shot(page, "modeler-case-clocks")
    properties = page.evaluate(_START_PROPERTIES)
    assert properties["caseClocks"] == f"{ALOITUS}; {RATKAISU}"
    assert properties["caseColumns"] == "service, urgency, municipality"

    page.get_by_role("button", name="Ota käyttöön").click()
    page.get_by_text("Versio 2 otettiin käyttöön.").wait_for()
    newest = page.get_by_role("table", name="Versiot: Palvelutilaus").locator("tbody tr").first
    cells = newest.locator("td").all_inner_texts()
    assert cells[0].startswith("2") and cells[1] == "olli"

    _open_start_event(page, order_owner_server)  # the new version, as deployed
    properties = page.evaluate(_START_PROPERTIES)
    assert properties["caseClocks"] == f"{ALOITUS}; {RATKAISU}"
    assert properties["caseColumns"] == "service, urgency, municipality"
    assert page.get_by_label("Määräajan 2 Nimi").input_value() == "Päätös palvelusta"
    assert page.get_by_label("Määräajan 2 Määrä").input_value() == "7"
    assert _checked_stops(page, 2) == ["jonossa"]
    assert page.get_by_label("Jonon sarakkeet (caseColumns)").input_value() == (
        "service, urgency, municipality"
    )


def test_an_unreadable_clock_is_kept_and_marked(order_owner_server, page):  # noqa: F811
    _login(page, order_owner_server, "olli")
    picker = _open_start_event(page, order_owner_server)
    odd = "outo=Jotain|kolme viikkoa|X §|peruttu"
    page.evaluate(_SET_CLOCKS, f"{ALOITUS}; {odd}")
    picker.select_option("answer_info")
    picker.select_option("order_received")
    page.get_by_role("group", name="Määräaika 2: ei tulkittavissa").wait_for()
    raw = page.get_by_label("Määräajan 2 teksti")
    assert raw.input_value() == odd
    assert raw.get_attribute("aria-invalid") == "true"
    assert serious_violations(page) == []
    raw.scroll_into_view_if_needed()
    _shot(page, "modeler-case-clock-unreadable")

    name = page.get_by_label("Määräajan 1 Nimi")  # editing another clock keeps the text as it was
    name.fill("Palvelu alkaa viimeistään")
    name.press("Tab")
    kept = ALOITUS.replace("Palvelu alkaa", "Palvelu alkaa viimeistään")
    assert page.evaluate(_START_PROPERTIES)["caseClocks"] == f"{kept}; {odd}"

    raw.fill("outo=Jotain|21 days|X §|peruttu")  # once readable it opens as fields
    raw.press("Tab")
    assert page.evaluate("document.activeElement.id") == "case-clock-2-key"
    assert page.get_by_label("Määräajan 2 Määrä").input_value() == "21"
    unit = page.get_by_label("Määräajan 2 Yksikkö").locator("option:checked").inner_text()
    assert unit == "päivää"

    # A state added above is offered as a stop state at once.
    page.get_by_role("button", name="Lisää tila").click()
    page.get_by_label("Tilan 6 avain").fill("odottaa")
    page.get_by_label("Tilan 6 nimi suomeksi").fill("Odottaa")
    page.get_by_label("Tilan 6 nimi suomeksi").press("Tab")
    page.get_by_role("group", name="Määräajan 1 Pysäyttävät tilat").get_by_label(
        "Odottaa (odottaa)"
    ).wait_for()

    page.get_by_role("button", name="Poista määräaika 2 outo").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "case-clock-1-key"
    assert page.evaluate(_START_PROPERTIES)["caseClocks"] == kept
