// Instance history: show the instance's own diagram version with bpmn-js and mark the path taken
// (elements and flows) and the current waiting points. The same facts are listed as text.
(function () {
  "use strict";
  var payload = JSON.parse(document.getElementById("history-data").textContent);
  var container = document.getElementById("diagram");
  var status = document.getElementById("diagram-status");
  if (typeof BpmnJS === "undefined") {
    status.textContent = status.dataset.failed;
    container.dataset.ready = "error";
    return;
  }
  var viewer = new BpmnJS({ container: container });
  viewer.importXML(payload.xml).then(function () {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    function mark(id, marker) {
      if (registry.get(id)) { canvas.addMarker(id, marker); }
    }
    payload.passed.forEach(function (id) { mark(id, "path-done"); });
    payload.flows.forEach(function (id) { mark(id, "path-flow"); });
    payload.waiting.forEach(function (id) { mark(id, "path-waiting"); });
    canvas.zoom("fit-viewport");
    status.textContent = status.dataset.ok;
    container.dataset.ready = "true";
  }).catch(function () {
    status.textContent = status.dataset.failed;
    container.dataset.ready = "error";
  });
})();
