/* Tables reflow into cards on phones (site.css): each body cell is labelled with its column's
   header (data-label), unless the template gave it one; a table without the HDS class is marked
   .reflow to reflow too. Runs on load and on htmx swaps. */
(function () {
  "use strict";
  function label(table) {
    const head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!head) return;
    const names = [];
    for (const th of head.cells) {
      const text = th.textContent.replace(/\s+/g, " ").trim();
      for (let i = 0; i < (th.colSpan || 1); i++) names.push(text);
    }
    const rows = [];
    for (const body of table.tBodies) rows.push(...body.rows);
    if (table.tFoot) rows.push(...table.tFoot.rows);
    for (const row of rows) {
      let column = 0;
      for (const cell of row.cells) {
        const span = cell.colSpan || 1;
        // A cell across the whole row ("Ei tehtäviä.") needs no label.
        if (!cell.hasAttribute("data-label") && span < names.length && names[column]) {
          cell.setAttribute("data-label", names[column]);
        }
        column += span;
      }
    }
  }
  function labelAll(root) {
    root.querySelectorAll("main table").forEach(function (table) {
      // Calendars and the modeler's side panel keep their own grids.
      if (table.closest(".calendar, .fc, .modeler-side")) return;
      if (!table.matches(".hds-table, .timeline")) table.classList.add("reflow");
      label(table);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { labelAll(document); });
  document.addEventListener("htmx:load", function (event) { labelAll(event.target); });
})();
