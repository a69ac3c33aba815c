/* The process owners' modeler: bpmn-js with a side panel for what sote-flow reads off a diagram
   (lanes = groups, forms, properties, service operators, timers, conditions), a form editor with a
   server-rendered preview, and deploy with the server's problems marked on their elements. */
(function () {
  "use strict";

  const data = JSON.parse(document.getElementById("modeler-data").textContent);
  const msg = data.messages;
  const SPIFF = "spiffworkflow:";
  const state = { forms: Object.assign({}, data.forms), edited: new Set(), marked: [], dirty: false };

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, key) => (values[key] === undefined ? "" : values[key]));
  }

  function $(id) { return document.getElementById(id); }

  function status(text) { $("modeler-status").textContent = text; }

  async function start() {
    const descriptor = await (await fetch(data.descriptorUrl)).json();
    const modeler = new window.BpmnJS({
      container: "#canvas",
      moddleExtensions: { spiffworkflow: descriptor },
    });
    window.soteModeler = modeler;  // for tests and the curious
    try {
      await modeler.importXML(data.diagram);
    } catch (error) {
      status(format(msg.importError, { message: error.message }));
      return;
    }
    modeler.get("canvas").zoom("fit-viewport", "auto");
    modeler.get("canvas").scroll({ dx: 70, dy: 0 });  // clear of the palette
    buildCaseFields();  // before the panel binds its inputs
    const panel = new Panel(modeler);
    $("canvas").dataset.ready = "true";
    modeler.on("selection.changed", (event) => panel.show(event.newSelection[0] || null));
    modeler.on("elements.changed", () => { panel.refreshPicker(); });
    modeler.on("commandStack.changed", () => { state.dirty = true; status(msg.changed); });
    // Leaving with changes that were not deployed asks first (the browser's own question).
    window.addEventListener("beforeunload", (event) => {
      if (state.dirty || state.edited.size) event.preventDefault();
    });
    panel.refreshPicker();
    refreshFormList();
    $("deploy").addEventListener("click", () => deploy(modeler));
    setUpFormEditor(panel);
  }

  /* ---- extension elements -------------------------------------------------------------- */

  function extValues(bo) {
    return (bo.extensionElements && bo.extensionElements.values) || [];
  }

  function findExt(bo, type) {
    return extValues(bo).find((value) => value.$type === type);
  }

  function properties(bo) {
    const holder = findExt(bo, SPIFF + "properties");
    const found = {};
    ((holder && holder.properties) || []).forEach((p) => { found[p.name] = p.value; });
    return found;
  }

  function timerOf(bo) {
    return (bo.eventDefinitions || []).find((d) => d.$type === "bpmn:TimerEventDefinition");
  }

  class Panel {
    constructor(modeler) {
      this.modeler = modeler;
      this.modeling = modeler.get("modeling");
      this.moddle = modeler.get("moddle");
      this.registry = modeler.get("elementRegistry");
      this.element = null;
      this.caseRows = [];
      this.bind();
    }

    kinds(element) {
      const bo = element.businessObject;
      const type = bo.$type;
      const kinds = new Set();
      if (type === "bpmn:Lane") kinds.add("lane");
      else if (type !== "bpmn:Process" && type !== "bpmn:Collaboration") kinds.add("named");
      if (type === "bpmn:UserTask" || type === "bpmn:ManualTask") { kinds.add("form"); kinds.add("task"); }
      if (type === "bpmn:StartEvent" && !timerOf(bo)) { kinds.add("form"); kinds.add("start"); }
      if (CASE_STATE_CARRIERS.includes(type)) kinds.add("casestate");
      if (type === "bpmn:ServiceTask") kinds.add("service");
      if (timerOf(bo)) kinds.add("timer");
      if (type === "bpmn:SequenceFlow") kinds.add("flow");
      return kinds;
    }

    show(element) {
      this.element = element && element.type !== "label" ? element : (element && element.labelTarget) || null;
      const form = $("properties");
      $("element-picker").value = this.element ? this.element.id : "";
      if (!this.element || this.element.type === "bpmn:Process" || this.element.type === "bpmn:Collaboration") {
        form.hidden = true;
        $("props-empty").hidden = false;
        return;
      }
      form.hidden = false;
      $("props-empty").hidden = true;
      const bo = this.element.businessObject;
      const kinds = this.kinds(this.element);
      form.querySelectorAll("[data-kinds]").forEach((node) => {
        node.hidden = !node.dataset.kinds.split(" ").some((k) => kinds.has(k));
      });
      $("prop-type").textContent = msg.kinds[bo.$type] || bo.$type;
      $("prop-id").textContent = bo.id;
      $("prop-name").value = bo.name || "";
      $("prop-name").setAttribute("list", kinds.has("lane") ? "group-list" : "");
      form.querySelectorAll("[data-ext]").forEach((input) => {
        const ext = findExt(bo, input.dataset.ext);
        input.value = (ext && ext.value) || "";
      });
      const props = properties(bo);
      form.querySelectorAll("[data-property]").forEach((input) => {
        input.value = props[input.dataset.property] || "";
      });
      if (kinds.has("casestate")) this.showCaseState(bo);
      if (kinds.has("start")) this.showCaseStates(bo);
      if (kinds.has("service")) this.showOperator(bo);
      if (kinds.has("timer")) {
        const timer = timerOf(bo);
        const kind = ["timeDuration", "timeDate", "timeCycle"].find((k) => timer[k]) || "timeDuration";
        $("prop-timer-kind").value = kind;
        $("prop-timer").value = (timer[kind] && timer[kind].body) || "";
      }
      if (kinds.has("flow")) {
        $("prop-condition").value = (bo.conditionExpression && bo.conditionExpression.body) || "";
      }
    }

    showOperator(bo) {
      const operator = findExt(bo, SPIFF + "serviceTaskOperator");
      const select = $("prop-operator");
      select.querySelectorAll("option[data-unknown]").forEach((o) => o.remove());
      const id = (operator && operator.id) || "";
      if (id && !data.operators.includes(id)) {
        const option = new Option(format(msg.unknownOperator, { operator: id }), id);
        option.dataset.unknown = "true";
        select.add(option);
      }
      select.value = id;
      $("prop-result").value = (operator && operator.resultVariable) || "";
      const body = $("param-table").querySelector("tbody");
      body.replaceChildren();
      const params = (operator && operator.parameterList && operator.parameterList.parameters) || [];
      params.forEach((p) => this.addParamRow(p.id || "", p.type || "str", p.value || ""));
    }

    addParamRow(name, type, value) {
      const body = $("param-table").querySelector("tbody");
      const row = document.createElement("tr");
      const cells = [["name", name, msg.paramName], ["type", type, msg.paramType], ["value", value, msg.paramValue]];
      cells.forEach(([field, text, label]) => {
        const cell = document.createElement("td");
        const input = document.createElement("input");
        input.type = "text";
        input.value = text;
        input.dataset.param = field;
        input.setAttribute("aria-label", label);
        input.addEventListener("change", () => this.saveOperator());
        cell.append(input);
        row.append(cell);
      });
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "secondary";
      remove.textContent = "×";
      remove.setAttribute("aria-label", format(msg.removeParam, { name: name }));
      remove.addEventListener("click", () => { row.remove(); this.saveOperator(); });
      const cell = document.createElement("td");
      cell.append(remove);
      row.append(cell);
      body.append(row);
      return row;
    }

    bind() {
      $("prop-name").addEventListener("change", (e) => this.update({ name: e.target.value || undefined }));
      document.querySelectorAll("#properties [data-ext]").forEach((input) => {
        input.addEventListener("change", () => this.setTextExt(input.dataset.ext, input.value.trim()));
      });
      document.querySelectorAll("#properties [data-property]").forEach((input) => {
        input.addEventListener("change", () => this.setProperty(input.dataset.property, input.value.trim()));
      });
      $("prop-operator").addEventListener("change", () => this.saveOperator());
      $("prop-result").addEventListener("change", () => this.saveOperator());
      $("add-param").addEventListener("click", () => {
        this.addParamRow("", "str", "").querySelector("input").focus();
      });
      $("prop-case-state").addEventListener("change", (e) => this.setProperty("caseState", e.target.value));
      $("add-case-state").addEventListener("click", () => {
        this.caseRows.push({ key: "", fi: "", sv: "", en: "" });
        this.renderCaseRows();
        $(`case-state-${this.caseRows.length}-key`).focus();
      });
      $("prop-timer-kind").addEventListener("change", () => this.saveTimer());
      $("prop-timer").addEventListener("change", () => this.saveTimer());
      $("prop-condition").addEventListener("change", (e) => {
        const text = e.target.value.trim();
        const expression = text ? this.moddle.create("bpmn:FormalExpression", { body: text }) : undefined;
        this.update({ conditionExpression: expression });
      });
      $("element-picker").addEventListener("change", (e) => {
        const element = this.registry.get(e.target.value);
        if (element) select(this.modeler, element);
      });
    }

    update(props) {
      if (this.element) this.modeling.updateProperties(this.element, props);
    }

    setExtensions(values) {
      const ext = this.moddle.create("bpmn:ExtensionElements", { values: values });
      values.forEach((value) => { value.$parent = ext; });
      this.update({ extensionElements: values.length ? ext : undefined });
    }

    replaceExt(type, replacement) {
      const values = extValues(this.element.businessObject).slice();
      const index = values.findIndex((value) => value.$type === type);
      if (index >= 0 && replacement) values[index] = replacement;
      else if (index >= 0) values.splice(index, 1);
      else if (replacement) values.push(replacement);
      this.setExtensions(values);
    }

    setTextExt(type, text) {
      this.replaceExt(type, text ? this.moddle.create(type, { value: text }) : null);
      refreshFormList();
    }

    setProperty(name, value) {
      const current = properties(this.element.businessObject);
      if (value) current[name] = value; else delete current[name];
      const list = Object.entries(current).map(([n, v]) => this.moddle.create(SPIFF + "property", { name: n, value: v }));
      const holder = list.length ? this.moddle.create(SPIFF + "properties", { properties: list }) : null;
      this.replaceExt(SPIFF + "properties", holder);
    }

    saveOperator() {
      const rows = Array.from($("param-table").querySelectorAll("tbody tr"));
      const params = rows.map((row) => {
        const get = (field) => row.querySelector(`[data-param="${field}"]`).value.trim();
        return { id: get("name"), type: get("type") || "str", value: get("value") };
      }).filter((p) => p.id);
      const old = findExt(this.element.businessObject, SPIFF + "serviceTaskOperator");
      const operator = this.moddle.create(SPIFF + "serviceTaskOperator", {
        id: $("prop-operator").value,
        resultVariable: $("prop-result").value.trim() || undefined,
        parameterList: this.moddle.create(SPIFF + "parameters", {
          parameters: params.map((p) => this.moddle.create(SPIFF + "parameter", p)),
        }),
      });
      if (old && old.retry) operator.retry = old.retry;
      this.replaceExt(SPIFF + "serviceTaskOperator", operator);
    }

    saveTimer() {
      const timer = timerOf(this.element.businessObject);
      const text = $("prop-timer").value.trim();
      const props = { timeDuration: undefined, timeDate: undefined, timeCycle: undefined };
      if (text) props[$("prop-timer-kind").value] = this.moddle.create("bpmn:FormalExpression", { body: text });
      this.modeling.updateModdleProperties(this.element, timer, props);
    }

    /* The state list of the start event (caseStates) and the state of a task or event. */

    showCaseState(bo) {
      const select = $("prop-case-state");
      const declared = declaredCaseStates(this.registry);
      const current = properties(bo).caseState || "";
      select.replaceChildren(new Option(CASE_TEXT.stateNone, ""));
      declared.forEach((s) => select.add(new Option(s.fi ? `${s.fi} (${s.key})` : s.key, s.key)));
      if (current && !declared.some((s) => s.key === current)) {
        select.add(new Option(format(CASE_TEXT.stateUnknown, { key: current }), current));
      }
      select.value = current;
      $("case-state-help").textContent = declared.length ? CASE_TEXT.stateHelp : CASE_TEXT.noStates;
    }

    showCaseStates(bo) {
      this.caseRows = parseCaseStates(properties(bo).caseStates);
      this.renderCaseRows();
    }

    renderCaseRows() {
      const body = $("case-states-table").querySelector("tbody");
      body.replaceChildren();
      this.caseRows.forEach((row, index) => {
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
            this.saveCaseStates();
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
        button("moveUp", "↑", index === 0, () => this.moveCaseRow(index, -1, "moveUp"));
        button("moveDown", "↓", index === this.caseRows.length - 1, () => this.moveCaseRow(index, 1, "moveDown"));
        button("removeState", "×", false, () => this.removeCaseRow(index));
        nameButtons();
        tr.append(actions);
        body.append(tr);
      });
    }

    moveCaseRow(index, step, action) {
      const rows = this.caseRows;
      [rows[index], rows[index + step]] = [rows[index + step], rows[index]];
      this.saveCaseStates();
      this.renderCaseRows();
      const moved = $("case-states-table").querySelectorAll("tbody tr")[index + step];
      const same = moved.querySelector(`[data-action="${action}"]`);
      (same.disabled ? moved.querySelector("input") : same).focus();
    }

    removeCaseRow(index) {
      this.caseRows.splice(index, 1);
      this.saveCaseStates();
      this.renderCaseRows();
      const next = $(`case-state-${Math.min(index + 1, this.caseRows.length)}-key`);
      (next || $("add-case-state")).focus();
    }

    saveCaseStates() {
      this.setProperty("caseStates", serializeCaseStates(this.caseRows));
    }

    refreshPicker() {
      const picker = $("element-picker");
      const chosen = picker.value;
      const options = this.registry.filter((e) => e.type !== "label" && e.businessObject && e.businessObject.$type !== "bpmn:Process"
        && e.businessObject.$type !== "bpmn:Collaboration" && e.type !== "bpmndi:BPMNDiagram" && !e.isRoot);
      options.sort((a, b) => a.id.localeCompare(b.id));
      picker.replaceChildren(picker.options[0]);
      options.forEach((e) => {
        const name = e.businessObject.name ? ` – ${e.businessObject.name}` : "";
        picker.add(new Option(`${e.id}${name}`, e.id));
      });
      picker.value = chosen;
    }
  }

  /* ---- case states -------------------------------------------------------------------------
     The start event declares the states (caseStates: key=suomeksi|ruotsiksi|englanniksi; …, in
     queue-tab order) and the case-number prefix; a user or manual task, an intermediate catch
     event or an end event names the state the case is in there (caseState). */

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

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([name, value]) => {
      if (name === "text") node.textContent = value; else node.setAttribute(name, value);
    });
    (children || []).forEach((child) => node.append(child));
    return node;
  }

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

  function select(modeler, element) {
    modeler.get("selection").select(element);
    try { modeler.get("canvas").scrollToElement(element); } catch (e) { /* off-canvas is fine */ }
  }

  function refreshFormList() {
    const list = $("form-list");
    list.replaceChildren(...Object.keys(state.forms).sort().map((name) => new Option(name, name)));
  }

  /* ---- form editor ----------------------------------------------------------------------- */

  function setUpFormEditor(panel) {
    const editor = $("form-editor");
    const schema = $("form-schema");
    const ui = $("form-ui-schema");
    $("edit-form").addEventListener("click", () => {
      const file = $("prop-form").value.trim();
      const uiFile = $("prop-ui-form").value.trim();
      if (!file.endsWith(".json")) { status(msg.noFormFile); $("prop-form").focus(); return; }
      if (!(file in state.forms)) {
        state.forms[file] = JSON.stringify({ type: "object", required: [], properties: {} }, null, 2);
        state.edited.add(file);
        status(format(msg.newForm, { file: file }));
        refreshFormList();
      }
      editor.dataset.file = file;
      editor.dataset.uiFile = uiFile;
      $("form-editor-file").textContent = file;
      $("form-ui-file").textContent = uiFile;
      schema.value = state.forms[file];
      $("form-ui-field").hidden = !uiFile;
      ui.value = uiFile ? (state.forms[uiFile] || "{}") : "";
      editor.hidden = false;
      $("form-editor-heading").focus();
      window.htmx.trigger($("form-editor-form"), "submit");
    });
    schema.addEventListener("input", () => {
      state.forms[editor.dataset.file] = schema.value;
      state.edited.add(editor.dataset.file);
    });
    ui.addEventListener("input", () => {
      if (!editor.dataset.uiFile) return;
      state.forms[editor.dataset.uiFile] = ui.value;
      state.edited.add(editor.dataset.uiFile);
    });
    $("form-editor-close").addEventListener("click", () => { editor.hidden = true; $("edit-form").focus(); });
    void panel;
  }

  /* ---- deploy and problems --------------------------------------------------------------- */

  function clearProblems(modeler) {
    const canvas = modeler.get("canvas");
    state.marked.forEach((id) => canvas.removeMarker(id, "sote-problem"));
    state.marked = [];
    modeler.get("overlays").remove({ type: "sote-problem" });
    $("deploy-problems").hidden = true;
  }

  function elementsForProblem(modeler, problem) {
    const registry = modeler.get("elementRegistry");
    if (problem.element_id && registry.get(problem.element_id)) return [registry.get(problem.element_id)];
    if (problem.file && problem.file.endsWith(".json")) {
      return registry.filter((e) => e.businessObject && extValues(e.businessObject).some(
        (v) => v.$type.startsWith(SPIFF + "form") && v.value === problem.file));
    }
    return [];
  }

  function showProblems(modeler, problems) {
    const canvas = modeler.get("canvas");
    const overlays = modeler.get("overlays");
    const list = $("deploy-problems").querySelector("ul");
    list.replaceChildren();
    let first = null;
    problems.forEach((problem) => {
      const elements = elementsForProblem(modeler, problem);
      const item = document.createElement("li");
      const text = problem.element_id
        ? format(msg.elementProblem, { id: problem.element_id, message: problem.message })
        : format(msg.fileProblem, { file: problem.file || "?", message: problem.message });
      elements.forEach((element) => {
        if (!state.marked.includes(element.id)) {
          canvas.addMarker(element.id, "sote-problem");
          state.marked.push(element.id);
          const badge = document.createElement("span");
          badge.className = "sote-problem-badge";
          badge.textContent = "⚠ " + msg.problemBadge;
          badge.title = text;
          overlays.add(element.id, "sote-problem", { position: { top: -14, left: 0 }, html: badge });
        }
        first = first || element;
      });
      if (elements.length) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "link-button";
        button.textContent = text;
        button.addEventListener("click", () => select(modeler, elements[0]));
        item.append(button);
      } else {
        item.textContent = text;
      }
      item.dataset.element = problem.element_id || "";
      list.append(item);
    });
    $("deploy-problems").hidden = false;
    if (first) select(modeler, first);
    $("deploy-problems-heading").focus();
  }

  async function deploy(modeler) {
    clearProblems(modeler);
    status(msg.deploying);
    const button = $("deploy");
    button.disabled = true;
    try {
      const { xml } = await modeler.saveXML({ format: true });
      const forms = {};
      state.edited.forEach((name) => { forms[name] = state.forms[name]; });
      const response = await fetch(data.deployUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": data.csrf },
        body: JSON.stringify({ diagram: xml, forms: forms }),
      });
      const body = await response.json().catch(() => ({ message: msg.networkError, errors: [] }));
      if (response.ok) {
        status(body.message);
        if (body.created) {
          state.dirty = false;
          state.edited.clear();
          window.location.assign(body.url);
        }
        return;
      }
      status(body.message || msg.networkError);
      if (body.errors && body.errors.length) showProblems(modeler, body.errors);
    } catch (error) {
      status(msg.networkError);
    } finally {
      button.disabled = false;
    }
  }

  document.addEventListener("DOMContentLoaded", start);
})();
