// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // Charts: <canvas data-chart='{"type": ..., "data": ..., "options": ...}'> draws with Chart.js when it is loaded.
  function drawCharts(root) {
    if (typeof window.Chart === "undefined") return;
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      canvas.dataset.drawn = "1";
      var spec = JSON.parse(canvas.dataset.chart);
      var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
      window.Chart.defaults.color = dark ? "#c9d1d9" : "#3b4450";
      window.Chart.defaults.borderColor = dark ? "#30363d" : "#e3e7ec";
      spec.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, spec.options || {});
      new window.Chart(canvas, spec);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSwap", function (e) { drawCharts(e.target); });
  // Focus after an htmx swap: the server marks what keyboard users should land on (the new or
  // updated item, or the first wrong field) with data-fw-focus; without this, the focus would be
  // lost with the element that was swapped out.
  function focusAfterSwap() {
    var target = document.querySelector("[data-fw-focus]");
    if (!target) return;
    target.removeAttribute("data-fw-focus");
    target.focus({ preventScroll: false });
  }
  document.addEventListener("htmx:afterSettle", focusAfterSwap);
  // A new API token's Copy button (admin/_fields.html): select the field and copy it.
  document.addEventListener("focusin", function (e) {
    if (e.target && e.target.id === "new-token") e.target.select();
  });
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-copy]");
    if (!button) return;
    var field = document.getElementById(button.dataset.copy);
    var status = document.getElementById("copy-status");
    if (!field) return;
    field.select();
    var done = function () { if (status) status.textContent = "Copied to the clipboard."; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
    } else { document.execCommand("copy"); done(); }
  });
  // Removing a contributing factor in the review editor: the form then autosaves and re-coaches.
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest(".fw-factor .fw-remove");
    if (!button) return;
    var form = button.closest("form");
    button.closest(".fw-factor").remove();
    if (form && window.htmx) window.htmx.trigger(form, "factorschange");
  });
  // Close the account menu with Escape, for keyboard users.
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") document.querySelectorAll("details.menu[open]").forEach(function (d) { d.open = false; });
  });
})();
