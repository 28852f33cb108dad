// Failure forms: progressive enhancements of the report, edit and failure pages (no framework;
// every form works without this file).
(function () {
  "use strict";
  // The timeline form's "Also set the failure's time": shown for detection, mitigation and
  // resolution events only, and checked when the failure does not have that time yet.
  var MILESTONES = ["detection", "mitigation", "resolution"];
  function followEventKind(select, userChange) {
    var form = select.form;
    var field = form && form.querySelector("[data-fw-sets-time]");
    if (!field) return;
    var milestone = MILESTONES.indexOf(select.value) >= 0;
    field.hidden = !milestone;
    if (userChange && milestone) {
      var empty = (field.getAttribute("data-empty-kinds") || "").split(" ");
      field.querySelector("input[type=checkbox]").checked = empty.indexOf(select.value) >= 0;
    }
  }
  function initEventKinds(root) {
    root.querySelectorAll("select[name=event_kind]").forEach(function (s) { followEventKind(s, false); });
  }
  document.addEventListener("DOMContentLoaded", function () { initEventKinds(document); });
  document.addEventListener("htmx:afterSwap", function (e) { initEventKinds(e.target); });
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("select[name=event_kind]")) followEventKind(e.target, true);
  });
})();
