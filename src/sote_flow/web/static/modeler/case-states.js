/* Case states in the modeler's side panel. The start event declares the states (caseStates:
   key=suomeksi|ruotsiksi|englanniksi; …, in queue-tab order) and the case-number prefix
   (caseNumberPrefix); a user or manual task, an intermediate catch event or an end event names the
   state the case is in there (caseState). Needs common.js; modeler.js uses window.soteFlowModeler.caseStates. */
(function () {
  "use strict";

  const { msg, format, $, el, properties } = window.soteFlowModeler;

  const CASE_STATE_CARRIERS = ["bpmn:UserTask", "bpmn:ManualTask", "bpmn:IntermediateCatchEvent", "bpmn:EndEvent"];
  const CASE_FIELDS = ["key", "fi", "sv", "en"];
  const CASE_TEXT = Object.assign({
    stateLabel: "Asian tila (caseState)",
    stateHelp: "Tila, jossa asia on, kun tämä tehtävä on auki tai tapahtuma odottaa (lopputapahtuma: kun prosessi on päättynyt tähän).",
    stateNone: "— ei tilaa —",
    stateUnknown: "{key} (ei esitelty alkutapahtumassa)",
    noStates: "Alkutapahtuma ei esittele asian tiloja. Lisää ne ensin alkutapahtuman kohtaan Asian tilat.",
    statesLegend: "Asian tilat (caseStates)",
    statesHelp: "Tilat jonon välilehtien järjestyksessä. Avain: pieniä kirjaimia a–z, numeroita ja alaviivoja (alussa kirjain). Nimet suomeksi, ruotsiksi ja englanniksi; merkit ; ja | eivät käy.",
    statesCaption: "Asian tilat",
    key: "Avain", fi: "Suomeksi", sv: "Ruotsiksi", en: "Englanniksi", actions: "Toiminnot",
    keyLabel: "Tilan {n} avain",
    fiLabel: "Tilan {n} nimi suomeksi",
    svLabel: "Tilan {n} nimi ruotsiksi",
    enLabel: "Tilan {n} nimi englanniksi",
    addState: "Lisää tila",
    moveUp: "Siirrä tila {n} {key} ylemmäs",
    moveDown: "Siirrä tila {n} {key} alemmas",
    removeState: "Poista tila {n} {key}",
    prefixLabel: "Asianumeron etuliite (caseNumberPrefix)",
    prefixHelp: "Valinnainen: 1–6 isoa kirjainta, esim. PT.",
  }, msg.cases || {});

  function parseCaseStates(text) {
    return (text || "").split(";").map((entry) => entry.trim()).filter(Boolean).map((entry) => {
      const at = entry.indexOf("=");
      const labels = entry.slice(at + 1).split("|").map((label) => label.trim());
      return { key: at >= 0 ? entry.slice(0, at).trim() : "", fi: labels[0] || "", sv: labels[1] || "", en: labels.slice(2).join("|") };
    });
  }

  function serializeCaseStates(rows) {
    return rows.filter((r) => r.key || r.fi || r.sv || r.en).map((r) => `${r.key}=${r.fi}|${r.sv}|${r.en}`).join("; ");
  }

  function declaredCaseStates(registry) {
    const starts = registry.filter((e) => e.type !== "label" && e.businessObject
      && e.businessObject.$type === "bpmn:StartEvent" && !(e.businessObject.eventDefinitions || []).length
      && e.businessObject.$parent && e.businessObject.$parent.$type === "bpmn:Process");
    const start = starts.find((e) => properties(e.businessObject).caseStates);
    const seen = new Set();
    return (start ? parseCaseStates(properties(start.businessObject).caseStates) : [])
      .filter((s) => s.key && !seen.has(s.key) && seen.add(s.key));
  }

  /* Adds the case-state select and the start event's states fieldset to the properties form; runs
     before the panel binds its inputs (the prefix input is an ordinary data-property input). */
  function buildCaseFields() {
    const stateField = el("div", { class: "field", "data-kinds": "casestate" }, [
      el("label", { for: "prop-case-state", text: CASE_TEXT.stateLabel }),
      el("p", { class: "help", id: "case-state-help", text: CASE_TEXT.stateHelp }),
      el("select", { id: "prop-case-state", "aria-describedby": "case-state-help" }),
    ]);
    document.querySelector('#properties fieldset[data-kinds="task"]').after(stateField);
    const heads = CASE_FIELDS.map((field) => el("th", { scope: "col" }, [
      field === "key" ? CASE_TEXT.key : el("abbr", { title: CASE_TEXT[field], text: field.toUpperCase() }),
    ]));
    heads.push(el("th", { scope: "col" }, [el("span", { class: "visually-hidden", text: CASE_TEXT.actions })]));
    const states = el("fieldset", { "data-kinds": "start", id: "case-states" }, [
      el("legend", { text: CASE_TEXT.statesLegend }),
      el("p", { class: "help", id: "case-states-help", text: CASE_TEXT.statesHelp }),
      el("div", { class: "case-states-scroll" }, [
        el("table", { id: "case-states-table", "aria-describedby": "case-states-help" }, [
          el("caption", { class: "visually-hidden", text: CASE_TEXT.statesCaption }),
          el("thead", {}, [el("tr", {}, heads)]),
          el("tbody"),
        ]),
      ]),
      el("button", { type: "button", id: "add-case-state", class: "secondary", text: CASE_TEXT.addState }),
      el("div", { class: "field" }, [
        el("label", { for: "prop-case-prefix", text: CASE_TEXT.prefixLabel }),
        el("p", { class: "help", id: "case-prefix-help", text: CASE_TEXT.prefixHelp }),
        el("input", { type: "text", id: "prop-case-prefix", "data-property": "caseNumberPrefix", "aria-describedby": "case-prefix-help", maxlength: "6", autocapitalize: "characters", spellcheck: "false" }),
      ]),
    ]);
    $("prop-start-roles").closest(".field").after(states);
  }

  /* Edits the case state of the panel's element and the start event's state list; saves through
     panel.setProperty (spiffworkflow properties of the selected element). */
  class CaseStateEditor {
    constructor(panel) {
      this.panel = panel;
      this.rows = [];
      $("prop-case-state").addEventListener("change", (e) => this.panel.setProperty("caseState", e.target.value));
      $("add-case-state").addEventListener("click", () => {
        this.rows.push({ key: "", fi: "", sv: "", en: "" });
        this.render();
        $(`case-state-${this.rows.length}-key`).focus();
      });
    }

    showState(bo) {
      const select = $("prop-case-state");
      const declared = declaredCaseStates(this.panel.registry);
      const current = properties(bo).caseState || "";
      select.replaceChildren(new Option(CASE_TEXT.stateNone, ""));
      declared.forEach((s) => select.add(new Option(s.fi ? `${s.fi} (${s.key})` : s.key, s.key)));
      if (current && !declared.some((s) => s.key === current)) {
        select.add(new Option(format(CASE_TEXT.stateUnknown, { key: current }), current));
      }
      select.value = current;
      $("case-state-help").textContent = declared.length ? CASE_TEXT.stateHelp : CASE_TEXT.noStates;
    }

    showStates(bo) {
      this.rows = parseCaseStates(properties(bo).caseStates);
      this.render();
    }

    render() {
      const body = $("case-states-table").querySelector("tbody");
      body.replaceChildren();
      this.rows.forEach((row, index) => {
        const n = index + 1;
        const tr = el("tr");
        const actions = el("td", { class: "case-state-actions" });
        const nameButtons = () => actions.querySelectorAll("button").forEach((b) => {
          const name = format(CASE_TEXT[b.dataset.action], { n: n, key: row.key }).replace(/\s+/g, " ");
          b.setAttribute("aria-label", name);
          b.title = name;
        });
        CASE_FIELDS.forEach((field) => {
          const input = el("input", { type: "text", id: `case-state-${n}-${field}` });
          input.value = row[field];
          if (field === "key") { input.spellcheck = false; input.setAttribute("autocapitalize", "none"); }
          input.addEventListener("change", () => {
            row[field] = input.value.trim();
            if (field === "key") nameButtons();
            this.save();
          });
          const label = el("label", { for: input.id, class: "visually-hidden", text: format(CASE_TEXT[field + "Label"], { n: n }) });
          tr.append(el("td", {}, [label, input]));
        });
        const button = (action, text, disabled, handler) => {
          const b = el("button", { type: "button", class: "secondary", text: text });
          b.dataset.action = action;
          b.disabled = disabled;
          b.addEventListener("click", handler);
          actions.append(b);
        };
        button("moveUp", "↑", index === 0, () => this.move(index, -1, "moveUp"));
        button("moveDown", "↓", index === this.rows.length - 1, () => this.move(index, 1, "moveDown"));
        button("removeState", "×", false, () => this.remove(index));
        nameButtons();
        tr.append(actions);
        body.append(tr);
      });
    }

    move(index, step, action) {
      const rows = this.rows;
      [rows[index], rows[index + step]] = [rows[index + step], rows[index]];
      this.save();
      this.render();
      const moved = $("case-states-table").querySelectorAll("tbody tr")[index + step];
      const same = moved.querySelector(`[data-action="${action}"]`);
      (same.disabled ? moved.querySelector("input") : same).focus();
    }

    remove(index) {
      this.rows.splice(index, 1);
      this.save();
      this.render();
      const next = $(`case-state-${Math.min(index + 1, this.rows.length)}-key`);
      (next || $("add-case-state")).focus();
    }

    save() {
      this.panel.setProperty("caseStates", serializeCaseStates(this.rows));
    }
  }

  window.soteFlowModeler.caseStates = {
    CARRIERS: CASE_STATE_CARRIERS,
    buildFields: buildCaseFields,
    Editor: CaseStateEditor,
    parse: parseCaseStates,
    serialize: serializeCaseStates,
  };
})();
