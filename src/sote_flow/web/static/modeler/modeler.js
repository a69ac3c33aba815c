/* The process owners' modeler: bpmn-js with a side panel for what sote-flow reads off a diagram
   (lanes = groups, forms, properties, case states, service operators, timers, conditions), a form
   editor with a server-rendered preview, and deploy with the server's problems marked on their
   elements. Loaded after common.js, case-states.js, case-rules.js and deploy.js
   (window.soteFlowModeler). */
(function () {
  "use strict";

  const {
    data, msg, SPIFF, state, format, $, status, select, extValues, findExt, properties, timerOf, caseStates, caseRules,
    deploy,
  } = window.soteFlowModeler;


  async function start() {
    // The side panel saves as you type; Enter in a field must not submit (and reload) the page.
    $("properties").addEventListener("submit", (event) => event.preventDefault());
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
    caseStates.buildFields();  // before the panel binds its inputs
    caseRules.buildFields();
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

  class Panel {
    constructor(modeler) {
      this.modeler = modeler;
      this.modeling = modeler.get("modeling");
      this.moddle = modeler.get("moddle");
      this.registry = modeler.get("elementRegistry");
      this.element = null;
      this.bind();
      this.cases = new caseStates.Editor(this);
      this.clocks = new caseRules.Editor(this);
    }

    kinds(element) {
      const bo = element.businessObject;
      const type = bo.$type;
      const kinds = new Set();
      if (type === "bpmn:Lane") kinds.add("lane");
      else if (type !== "bpmn:Process" && type !== "bpmn:Collaboration") kinds.add("named");
      if (type === "bpmn:UserTask" || type === "bpmn:ManualTask") { kinds.add("form"); kinds.add("task"); }
      if (type === "bpmn:StartEvent" && !timerOf(bo)) { kinds.add("form"); kinds.add("start"); }
      if (caseStates.CARRIERS.includes(type)) kinds.add("casestate");
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
      if (kinds.has("casestate")) this.cases.showState(bo);
      if (kinds.has("start")) { this.cases.showStates(bo); this.clocks.show(bo); }
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

  document.addEventListener("DOMContentLoaded", start);
})();
