// The week view of a worker's calendar, drawn by FullCalendar from /calendar/entries.json.
// The server-rendered list and form on the same page do everything by keyboard without it.
(function () {
  "use strict";

  function pad(n) { return String(n).padStart(2, "0"); }

  function fillForm(start, end) {
    var day = document.getElementById("day");
    if (!day) { return; }
    // Finnish formats, as the form asks: 24.11.2026 and 9.30
    day.value = start.getDate() + "." + (start.getMonth() + 1) + "." + start.getFullYear();
    document.getElementById("start").value = start.getHours() + "." + pad(start.getMinutes());
    document.getElementById("end").value = end.getHours() + "." + pad(end.getMinutes());
    document.getElementById("new-entry").scrollIntoView();
    document.getElementById("type_key").focus();
  }

  function moveEntry(el, info) {
    var status = document.getElementById("calendar-status");
    var url = el.dataset.move.replace(/\/0\/move$/, "/" + info.event.id + "/move");
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": el.dataset.csrf },
      body: JSON.stringify({ start: info.event.start.toISOString(), end: info.event.end.toISOString() })
    }).then(function (response) {
      return response.json().then(function (body) {
        status.textContent = body.message || "";
        if (!response.ok) { info.revert(); }
      });
    }).catch(function () {
      status.textContent = el.dataset.failed || "Siirto epäonnistui.";
      info.revert();
    });
  }

  function start() {
    var el = document.getElementById("calendar");
    if (!el || !window.FullCalendar) { return; }
    var editable = el.dataset.editable === "true";
    var calendar = new FullCalendar.Calendar(el, {
      initialView: window.matchMedia("(max-width: 40rem)").matches ? "timeGridDay" : "timeGridWeek",
      initialDate: el.dataset.day,
      now: el.dataset.now,
      locale: el.dataset.locale || "fi",
      firstDay: 1,
      weekNumbers: true,
      nowIndicator: true,
      slotMinTime: "07:00:00",
      slotMaxTime: "20:00:00",
      allDaySlot: false,
      height: "auto",
      buttonIcons: false, // words, not icon fonts: screen readers and axe get a name
      headerToolbar: { left: "prev,next today", center: "title", right: "timeGridWeek,timeGridDay" },
      events: el.dataset.events,
      eventInteractive: true,
      editable: false,
      eventStartEditable: editable,
      eventDurationEditable: editable,
      selectable: editable,
      selectMirror: true,
      select: function (info) { fillForm(info.start, info.end); calendar.unselect(); },
      eventDrop: function (info) { moveEntry(el, info); },
      eventResize: function (info) { moveEntry(el, info); }
    });
    calendar.render();
  }

  document.addEventListener("DOMContentLoaded", start);
})();
