/* A process's case queue and legal clocks in the modeler's side panel, below the case states on the
   start event: caseColumns (data fields shown as queue columns and filters), caseUrgent and
   caseGroup (expressions) as ordinary data-property inputs, and caseClocks edited one clock per
   row: key=label|N weekdays/days/months|legal basis|stop states; … (an entry that cannot be read
   is kept as text and marked). Needs common.js and case-states.js; modeler.js uses
   window.soteFlowModeler.caseRules. */
(function () {
  "use strict";

  const { msg, format, $, el, properties, caseStates } = window.soteFlowModeler;

  const UNITS = ["weekdays", "days", "months"];
  const LIMIT = /^(\d{1,4})\s+(weekdays|days|months)$/;
  const TEXT = Object.assign({
    legend: "Asiajono ja määräajat",
    columnsLabel: "Jonon sarakkeet (caseColumns)",
    columnsHelp: "Lomakkeiden kenttien nimet pilkuin eroteltuina, esim. service, urgency, municipality. Näkyvät jonossa sarakkeina ja suodattimina.",
    urgentLabel: "Kiireellisyys (caseUrgent)",
    urgentHelp: 'Lauseke; tosi-arvoiset asiat jonon kärkeen, esim. urgency == "kiireellinen".',
    groupLabel: "Jonon ryhmä (caseGroup)",
    groupHelp: "Lauseke, joka antaa ryhmän, jonka jonossa asia on, esim. producer_group. Tyhjä: avoimen tehtävän ryhmä.",
    milestonesLabel: "Mitattavat vaiheet (caseMilestones)",
    milestonesHelp: "Raportti mittaa arkipäivät vireilletulosta kuhunkin vaiheeseen; vaihe saavutetaan, kun asia tulee ensi kertaa tilaan. Muoto: avain=nimi|tila; esim. otettu=Otettu käsittelyyn|kasittelyssa.",
    clocksLegend: "Lakisääteiset määräajat (caseClocks)",
    clocksHelp: "Määräajat kulkevat siitä, kun asia tuli vireille, ja pysähtyvät, kun asia saavuttaa jonkin pysäyttävistä tiloista. Avain: pieniä kirjaimia a–z, numeroita ja alaviivoja (alussa kirjain); merkit ; ja | eivät käy nimessä eivätkä lainkohdassa.",
    clockLegend: "Määräaika {n}: {key}",
    clockNoKey: "Määräaika {n}",
    prefix: "Määräajan {n} ",
    key: "Avain", label: "Nimi", number: "Määrä", unit: "Yksikkö", basis: "Lainkohta",
    stops: "Pysäyttävät tilat",
    units: { weekdays: "arkipäivää", days: "päivää", months: "kuukautta" },
    stopUnknown: "{key} (ei esitelty alkutapahtumassa)",
    noStates: "Alkutapahtuma ei esittele asian tiloja; lisää ne ensin kohtaan Asian tilat.",
    raw: "Teksti",
    rawLegend: "Määräaika {n}: ei tulkittavissa",
    rawHelp: "Ei voitu lukea kenttiin; säilytetään tekstinä sellaisenaan. Korjaa muotoon avain=nimi|7 weekdays|lainkohta|tila1,tila2 tai poista.",
    addClock: "Lisää määräaika",
    removeClock: "Poista määräaika {n} {key}",
  }, msg.caseRules || {});

  /* ---- the caseClocks value ----------------------------------------------------------- */

  function splitList(text) {
    return (text || "").split(",").map((part) => part.trim()).filter(Boolean);
  }

  /* One entry as a row, or {raw} when the row's fields cannot hold it without losing something. */
  function parseClock(entry) {
    const at = entry.indexOf("=");
    const parts = entry.slice(at + 1).split("|").map((part) => part.trim());
    const limit = parts[1] === "" ? ["", "", "weekdays"] : LIMIT.exec(parts[1] || "");
    const from = parts.length === 5 && /^(from|after)=\w+$/.test(parts[4]) ? parts[4] : "";
    if (at < 0 || !(parts.length === 4 || from) || !limit) return { raw: entry };
    return {
      key: entry.slice(0, at).trim(), label: parts[0], number: limit[1], unit: limit[2],
      basis: parts[2], stops: splitList(parts[3]), from,
    };
  }

  function parseClocks(text) {
    return (text || "").split(";").map((entry) => entry.trim()).filter(Boolean).map(parseClock);
  }

  function isEmpty(row) {
    return row.raw !== undefined ? !row.raw.trim()
      : !(row.key || row.label || row.number || row.basis || row.stops.length);
  }

  function serializeClock(row) {
    if (row.raw !== undefined) return row.raw.trim();
    const limit = row.number ? `${row.number} ${row.unit}` : "";
    const from = row.from ? `|${row.from}` : "";  // where the clock starts is kept as it was
    return `${row.key}=${row.label}|${limit}|${row.basis}|${row.stops.join(",")}${from}`;
  }

  function serializeClocks(rows) {
    return rows.filter((row) => !isEmpty(row)).map(serializeClock).join("; ");
  }

  /* ---- building the fields -------------------------------------------------------------- */

  function textField(id, property, label, help) {
    return el("div", { class: "field" }, [
      el("label", { for: id, text: label }),
      el("p", { class: "help", id: id + "-help", text: help }),
      el("input", { type: "text", id: id, "data-property": property, "aria-describedby": id + "-help", spellcheck: "false", autocapitalize: "none" }),
    ]);
  }

  /* Adds the start event's queue fields and the clocks editor below the case states; runs after
     caseStates.buildFields and before the panel binds its (data-property) inputs. */
  function buildRuleFields() {
    const rules = el("fieldset", { "data-kinds": "start", id: "case-rules" }, [
      el("legend", { text: TEXT.legend }),
      textField("prop-case-columns", "caseColumns", TEXT.columnsLabel, TEXT.columnsHelp),
      textField("prop-case-urgent", "caseUrgent", TEXT.urgentLabel, TEXT.urgentHelp),
      textField("prop-case-group", "caseGroup", TEXT.groupLabel, TEXT.groupHelp),
      textField("prop-case-milestones", "caseMilestones", TEXT.milestonesLabel, TEXT.milestonesHelp),
      el("fieldset", { id: "case-clocks", "aria-describedby": "case-clocks-help" }, [
        el("legend", { text: TEXT.clocksLegend }),
        el("p", { class: "help", id: "case-clocks-help", text: TEXT.clocksHelp }),
        el("ol", { id: "case-clocks-list" }),
        el("button", { type: "button", id: "add-case-clock", class: "secondary", text: TEXT.addClock }),
      ]),
    ]);
    $("case-states").after(rules);
  }

  /* A label whose visible text is the field's name and whose full name also says which clock. */
  function fieldLabel(forId, n, text) {
    return el("label", { for: forId }, [el("span", { class: "visually-hidden", text: format(TEXT.prefix, { n: n }) }), text]);
  }

  /* ---- the clocks editor ---------------------------------------------------------------- */

  /* Edits the start event's caseClocks; saves through panel.setProperty. The stop-state choices
     follow the states declared on the same start event, also while they are being edited. */
  class ClockEditor {
    constructor(panel) {
      this.panel = panel;
      this.rows = [];
      this.bo = null;
      this.signature = "";
      $("add-case-clock").addEventListener("click", () => {
        this.rows.push({ key: "", label: "", number: "", unit: "weekdays", basis: "", stops: [] });
        this.render();
        $(`case-clock-${this.rows.length}-key`).focus();
      });
      panel.modeler.on("elements.changed", () => {
        if (!this.bo || !this.panel.element || this.panel.element.businessObject !== this.bo) return;
        if (this.stateSignature() === this.signature) return;
        const focused = document.activeElement && document.activeElement.id;
        this.render();
        if (focused && $(focused)) $(focused).focus();
      });
    }

    declared() {
      const seen = new Set();
      return caseStates.parse(properties(this.bo).caseStates)
        .filter((s) => s.key && !seen.has(s.key) && seen.add(s.key));
    }

    stateSignature() {
      return JSON.stringify(this.declared().map((s) => [s.key, s.fi]));
    }

    show(bo) {
      this.bo = bo;
      this.rows = parseClocks(properties(bo).caseClocks);
      this.render();
    }

    render() {
      const declared = this.declared();
      this.signature = this.stateSignature();
      $("case-clocks-list").replaceChildren(...this.rows.map((row, index) => el("li", {}, [
        row.raw !== undefined ? this.rawRow(row, index + 1) : this.clockRow(row, index + 1, declared),
      ])));
    }

    clockRow(row, n, declared) {
      const id = (field) => `case-clock-${n}-${field}`;
      const legend = el("legend");
      const remove = el("button", { type: "button", class: "secondary case-clock-remove", text: "×" });
      const name = () => {
        legend.textContent = format(row.key ? TEXT.clockLegend : TEXT.clockNoKey, { n: n, key: row.key });
        const text = format(TEXT.removeClock, { n: n, key: row.key }).trim();
        remove.setAttribute("aria-label", text);
        remove.title = text;
      };
      const input = (field, attrs) => {
        const node = el("input", Object.assign({ type: "text", id: id(field) }, attrs || {}));
        node.value = row[field];
        node.addEventListener("change", () => {
          row[field] = node.value.trim();
          if (field === "key") name();
          this.save();
        });
        return el("div", { class: `field case-clock-${field}` }, [fieldLabel(node.id, n, TEXT[field]), node]);
      };
      const unit = el("select", { id: id("unit") });
      UNITS.forEach((u) => unit.add(new Option(TEXT.units[u], u)));
      unit.value = row.unit;
      unit.addEventListener("change", () => { row.unit = unit.value; this.save(); });
      remove.addEventListener("click", () => this.remove(n - 1));
      name();
      return el("fieldset", { class: "case-clock", id: `case-clock-${n}` }, [
        legend,
        el("div", { class: "case-clock-grid" }, [
          input("key", { spellcheck: "false", autocapitalize: "none", pattern: "[a-z][a-z0-9_]{0,39}" }),
          input("label", { pattern: "[^;\\|]*" }),
          input("number", { type: "number", min: "1", max: "9999", step: "1", inputmode: "numeric" }),
          el("div", { class: "field case-clock-unit" }, [fieldLabel(unit.id, n, TEXT.unit), unit]),
          input("basis", { pattern: "[^;\\|]*" }),
          this.stopChoices(row, n, declared),
        ]),
        remove,
      ]);
    }

    stopChoices(row, n, declared) {
      const choices = declared.map((s) => ({ key: s.key, text: s.fi ? `${s.fi} (${s.key})` : s.key }));
      row.stops.filter((key) => !declared.some((s) => s.key === key))
        .forEach((key) => choices.push({ key: key, text: format(TEXT.stopUnknown, { key: key }) }));
      const group = el("fieldset", { class: "case-clock-stops", id: `case-clock-${n}-stops` }, [
        el("legend", {}, [el("span", { class: "visually-hidden", text: format(TEXT.prefix, { n: n }) }), TEXT.stops]),
      ]);
      if (!choices.length) group.append(el("p", { class: "help", text: TEXT.noStates }));
      const boxes = choices.map((choice, index) => {
        const box = el("input", { type: "checkbox", id: `case-clock-${n}-stop-${index + 1}`, value: choice.key });
        box.checked = row.stops.includes(choice.key);
        box.addEventListener("change", () => {
          row.stops = boxes.filter((b) => b.checked).map((b) => b.value);
          this.save();
        });
        group.append(el("div", { class: "case-clock-stop" }, [box, el("label", { for: box.id, text: choice.text })]));
        return box;
      });
      return group;
    }

    rawRow(row, n) {
      const input = el("input", {
        type: "text", id: `case-clock-${n}-raw`, "aria-invalid": "true",
        "aria-describedby": `case-clock-${n}-raw-help`, spellcheck: "false",
      });
      input.value = row.raw;
      input.addEventListener("change", () => {
        const parsed = parseClock(input.value.trim());
        this.rows[n - 1] = parsed;
        this.save();
        if (parsed.raw === undefined) {  // readable now: shown as fields
          this.render();
          $(`case-clock-${n}-key`).focus();
        }
      });
      const remove = el("button", { type: "button", class: "secondary case-clock-remove", text: "×" });
      const text = format(TEXT.removeClock, { n: n, key: "" }).trim();
      remove.setAttribute("aria-label", text);
      remove.title = text;
      remove.addEventListener("click", () => this.remove(n - 1));
      return el("fieldset", { class: "case-clock case-clock-raw", id: `case-clock-${n}` }, [
        el("legend", { text: format(TEXT.rawLegend, { n: n }) }),
        el("p", { class: "help case-clock-warning", id: `case-clock-${n}-raw-help` }, ["⚠ " + TEXT.rawHelp]),
        el("div", { class: "field" }, [fieldLabel(input.id, n, TEXT.raw), input]),
        remove,
      ]);
    }

    remove(index) {
      this.rows.splice(index, 1);
      this.save();
      this.render();
      const next = $(`case-clock-${Math.min(index + 1, this.rows.length)}-key`)
        || $(`case-clock-${Math.min(index + 1, this.rows.length)}-raw`);
      (next || $("add-case-clock")).focus();
    }

    save() {
      this.panel.setProperty("caseClocks", serializeClocks(this.rows));
    }
  }

  window.soteFlowModeler.caseRules = {
    buildFields: buildRuleFields,
    Editor: ClockEditor,
    parseClocks: parseClocks,
    serializeClocks: serializeClocks,
  };
})();
