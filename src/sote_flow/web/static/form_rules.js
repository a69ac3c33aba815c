// A choice that follows another field's choice (the form schema's "if X then Y" rules, e.g. the
// producer follows the service): only the allowed options are offered, and a single allowed
// option is chosen for the person. The server checks the same rules on sending.
(function () {
  "use strict";

  function currentValue(form, name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    if (checked) { return checked.value; }
    var select = form.querySelector('select[name="' + name + '"]');
    return select ? select.value : "";
  }

  function allowedValues(select, rules) {
    var allowed = null;
    Object.keys(rules).forEach(function (other) {
      var value = currentValue(select.form, other);
      var values = rules[other][value];
      if (!values) { return; }
      allowed = allowed === null ? values.slice()
        : allowed.filter(function (v) { return values.indexOf(v) >= 0; });
    });
    return allowed;
  }

  function apply(select, rules) {
    var allowed = allowedValues(select, rules);
    Array.prototype.forEach.call(select.options, function (option) {
      var shown = option.value === "" || allowed === null || allowed.indexOf(option.value) >= 0;
      option.hidden = !shown;
      option.disabled = !shown;
    });
    if (allowed === null) { return; }
    if (allowed.length === 1) {
      select.value = allowed[0];
    } else if (select.value && allowed.indexOf(select.value) < 0) {
      select.value = "";
    }
  }

  function init() {
    document.querySelectorAll("select[data-option-rules]").forEach(function (select) {
      var rules = JSON.parse(select.getAttribute("data-option-rules"));
      Object.keys(rules).forEach(function (other) {
        select.form.querySelectorAll('[name="' + other + '"]').forEach(function (input) {
          input.addEventListener("change", function () { apply(select, rules); });
        });
      });
      apply(select, rules);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
