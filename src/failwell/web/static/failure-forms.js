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

// A searchable choice over a plain <select multiple data-fw-picker>: type to filter, arrows and
// Enter (or a tap) to add, a chip's button (or Backspace in the empty box) to remove. The select
// stays in the form, hidden and kept in step, so what is sent and its "change" events are as before.
(function () {
  "use strict";
  var count = 0;

  function enhance(select) {
    if (select.dataset.fwPickerReady) return;
    select.dataset.fwPickerReady = "1";
    var id = "fw-picker-" + (++count);
    var label = document.querySelector("label[for='" + select.id + "']");
    var help = document.getElementById(select.id + "-help");
    var wrap = document.createElement("div");
    wrap.className = "fw-picker";
    var chips = document.createElement("ul");
    chips.className = "fw-picker-chips";
    chips.setAttribute("aria-label", "Chosen");
    var input = document.createElement("input");
    input.type = "text";
    input.id = id + "-input";
    input.className = "fw-picker-input";
    input.autocomplete = "off";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id + "-list");
    if (select.getAttribute("aria-describedby")) input.setAttribute("aria-describedby", select.getAttribute("aria-describedby"));
    var list = document.createElement("ul");
    list.id = id + "-list";
    list.className = "fw-picker-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-multiselectable", "true");
    list.hidden = true;
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    wrap.append(chips, input, list, status);
    select.after(wrap);
    select.classList.add("fw-picker-source");
    select.tabIndex = -1;
    if (label) label.htmlFor = input.id;
    list.setAttribute("aria-label", "Matches");
    if (help) help.textContent = ("Type to find one; Enter or a tap adds it. " + help.textContent.replace(/Hold Ctrl[^.]*\.\s*/, "")).trim();

    var options = Array.prototype.filter.call(select.options, function (o) { return o.value !== ""; });
    var shown = [];
    var active = -1;

    function say(text) { status.textContent = text; }
    function changed() { select.dispatchEvent(new Event("change", { bubbles: true })); }
    function drawChips() {
      chips.textContent = "";
      options.forEach(function (o) {
        if (!o.selected) return;
        var li = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "fw-chip";
        button.textContent = o.text + " \u00d7";
        button.setAttribute("aria-label", "Remove " + o.text);
        button.addEventListener("click", function () { toggle(o); input.focus(); });
        li.appendChild(button);
        chips.appendChild(li);
      });
    }
    function drawList() {
      var needle = input.value.trim().toLowerCase();
      shown = options.filter(function (o) { return o.text.toLowerCase().indexOf(needle) >= 0; });
      list.textContent = "";
      shown.forEach(function (o, i) {
        var li = document.createElement("li");
        li.id = id + "-opt-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", o.selected ? "true" : "false");
        li.textContent = o.text;
        if (i === active) li.className = "is-active";
        // pointerdown, not click: the input keeps the focus, so the list stays open on touch too.
        li.addEventListener("pointerdown", function (e) { e.preventDefault(); toggle(o); });
        list.appendChild(li);
      });
      if (!shown.length) {
        var none = document.createElement("li");
        none.className = "fw-picker-none";
        none.textContent = "No service matches “" + input.value.trim() + "”.";
        list.appendChild(none);
      }
      if (active >= 0 && shown[active]) input.setAttribute("aria-activedescendant", id + "-opt-" + active);
      else input.removeAttribute("aria-activedescendant");
    }
    function open() { list.hidden = false; input.setAttribute("aria-expanded", "true"); drawList(); }
    function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; input.removeAttribute("aria-activedescendant"); }
    function toggle(o) {
      o.selected = !o.selected;
      say(o.text + (o.selected ? " added." : " removed."));
      drawChips();
      if (!list.hidden) drawList();
      changed();
    }
    function move(step) {
      if (list.hidden) open();
      if (!shown.length) return;
      active = (active + step + shown.length) % shown.length;
      drawList();
      var current = document.getElementById(id + "-opt-" + active);
      if (current && current.scrollIntoView) current.scrollIntoView({ block: "nearest" });
    }

    // Typing starts a new search: nothing is active until an arrow key moves (Enter takes the first).
    input.addEventListener("input", function () { active = -1; open(); });
    input.addEventListener("focus", open);
    input.addEventListener("blur", close);
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); move(1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); move(-1); }
      else if (e.key === "Enter") {
        if (list.hidden) return;  // a closed list: Enter submits the form as usual
        e.preventDefault();
        var o = shown[active >= 0 ? active : 0];
        if (o) { toggle(o); input.value = ""; active = -1; drawList(); }
      } else if (e.key === "Escape") { if (!list.hidden) { e.preventDefault(); close(); } }
      else if (e.key === "Backspace" && input.value === "") {
        var chosen = options.filter(function (o) { return o.selected; });
        if (chosen.length) toggle(chosen[chosen.length - 1]);
      }
    });
    drawChips();
  }

  function enhanceAll(root) { root.querySelectorAll("select[multiple][data-fw-picker]").forEach(enhance); }
  document.addEventListener("DOMContentLoaded", function () { enhanceAll(document); });
  document.addEventListener("htmx:afterSwap", function (e) { enhanceAll(e.target); });
})();
