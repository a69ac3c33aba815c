/* Deploying from the modeler: posts the diagram and the edited forms to the server and, when the
   server rejects them, lists its problems and marks them on their elements. Needs common.js;
   modeler.js calls window.soteFlowModeler.deploy(modeler). */
(function () {
  "use strict";

  const { data, msg, SPIFF, state, format, $, status, select, extValues } = window.soteFlowModeler;

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

  window.soteFlowModeler.deploy = deploy;
})();
