/* Shared pieces of the process owners' modeler (see modeler.js): the page's data and messages, the
   modeler's state, small DOM helpers and reading the spiffworkflow extension elements of a BPMN
   business object. Loaded before case-states.js, deploy.js and modeler.js, which find these on
   window.soteFlowModeler. */
(function () {
  "use strict";

  const data = JSON.parse(document.getElementById("modeler-data").textContent);
  const SPIFF = "spiffworkflow:";

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, key) => (values[key] === undefined ? "" : values[key]));
  }

  function $(id) { return document.getElementById(id); }

  function status(text) { $("modeler-status").textContent = text; }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([name, value]) => {
      if (name === "text") node.textContent = value; else node.setAttribute(name, value);
    });
    (children || []).forEach((child) => node.append(child));
    return node;
  }

  function select(modeler, element) {
    modeler.get("selection").select(element);
    try { modeler.get("canvas").scrollToElement(element); } catch (e) { /* off-canvas is fine */ }
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

  window.soteFlowModeler = {
    data: data,
    msg: data.messages,
    SPIFF: SPIFF,
    state: { forms: Object.assign({}, data.forms), edited: new Set(), marked: [], dirty: false },
    format: format,
    $: $,
    status: status,
    el: el,
    select: select,
    extValues: extValues,
    findExt: findExt,
    properties: properties,
    timerOf: timerOf,
  };
})();
