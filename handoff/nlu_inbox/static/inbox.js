// NLU inbox: keyboard shortcuts and labelling without page reloads.
// The page works without this script (every action is a plain form post with the CSRF token);
// with it, a label is saved with fetch() and the next message gets the focus.
(function () {
  "use strict";
  var table = document.querySelector("[data-inbox]");
  if (!table) return;
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = tokenMeta ? tokenMeta.getAttribute("content") : "";
  var rows = Array.prototype.slice.call(table.querySelectorAll("tr.inbox-row"));
  var announce = document.getElementById("inbox-announce");
  var current = -1;

  function say(text) { if (announce) announce.textContent = text; }

  function focusRow(index) {
    if (!rows.length) return;
    index = Math.max(0, Math.min(rows.length - 1, index));
    if (current >= 0 && rows[current]) rows[current].classList.remove("is-current");
    current = index;
    var row = rows[current];
    row.classList.add("is-current");
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function nextOpenRow(from) {
    for (var i = from + 1; i < rows.length; i++) if (!rows[i].classList.contains("is-done")) return i;
    return Math.min(from + 1, rows.length - 1);
  }

  function labelWord(value) {
    return value ? value.charAt(0).toUpperCase() + value.slice(1).replace(/_/g, " ") : "";
  }

  function markDone(row, data) {
    row.classList.add("is-done");
    row.classList.remove("has-error");
    var cell = row.querySelector(".inbox-status");
    if (cell) {
      cell.textContent = "";
      var badge = document.createElement("span");
      badge.className = "badge review-" + data.status;
      badge.textContent = labelWord(data.status);
      cell.appendChild(badge);
      if (data.label && data.status !== "out_of_scope") {
        var label = document.createElement("div");
        label.textContent = labelWord(data.label);
        cell.appendChild(label);
      }
    }
    var select = row.querySelector(".label-select");
    if (select && data.label) select.value = data.label;
    say("Message " + data.event_id + ": " + labelWord(data.status) + (data.label ? " " + labelWord(data.label) : ""));
  }

  function showError(row, message) {
    row.classList.add("has-error");
    var cell = row.querySelector(".inbox-status");
    if (cell) cell.textContent = message;
    say(message);
  }

  function act(row, action, label) {
    var body = new FormData();
    body.append("action", action);
    if (label) body.append("label", label);
    body.append("csrf_token", csrf);
    row.classList.add("is-saving");
    return fetch("/admin/inbox/" + row.getAttribute("data-event-id") + "/label", {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        row.classList.remove("is-saving");
        if (!response.ok) {
          if (response.status === 401 || response.status === 403) {
            showError(row, "Your session has ended or the form expired: reload the page.");
          } else {
            showError(row, data.error || "Could not save (" + response.status + ").");
          }
          return false;
        }
        markDone(row, data);
        return true;
      });
    }).catch(function () {
      row.classList.remove("is-saving");
      showError(row, "Could not reach the server. Try again.");
      return false;
    });
  }

  function actAndAdvance(row, action, label) {
    var index = rows.indexOf(row);
    act(row, action, label).then(function (ok) { if (ok) focusRow(nextOpenRow(index)); });
  }

  // Per-row forms: save in place instead of reloading the page.
  rows.forEach(function (row) {
    var form = row.querySelector("form.label-form");
    if (!form) return;
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (!submitter || !submitter.value) return;  // let the browser post it
      event.preventDefault();
      var label = submitter.value === "relabel" ? form.querySelector(".label-select").value : null;
      actAndAdvance(row, submitter.value, label);
    });
    row.addEventListener("click", function (event) {
      if (event.target.closest("a, button, select, input, label")) return;
      focusRow(rows.indexOf(row));
    });
  });

  // Bulk selection.
  var selectAll = document.getElementById("select-all");
  var selectedCount = document.getElementById("selected-count");
  function boxes() { return Array.prototype.slice.call(document.querySelectorAll(".row-select")); }
  function updateCount() {
    var n = boxes().filter(function (b) { return b.checked; }).length;
    if (selectedCount) selectedCount.textContent = n ? n + " selected" : "";
  }
  if (selectAll) {
    selectAll.addEventListener("change", function () {
      boxes().forEach(function (b) { b.checked = selectAll.checked; });
      updateCount();
    });
  }
  boxes().forEach(function (b) { b.addEventListener("change", updateCount); });
  var bulkForm = document.getElementById("bulk-form");
  if (bulkForm) {
    bulkForm.addEventListener("submit", function (event) {
      if (!boxes().some(function (b) { return b.checked; })) {
        event.preventDefault();
        say("Select at least one message first (x selects the current one).");
        if (selectedCount) selectedCount.textContent = "Select at least one message first.";
      }
    });
  }

  // Keyboard shortcuts.
  var help = document.getElementById("shortcuts-help");
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    var tag = target && target.tagName;
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || (target && target.isContentEditable)) {
      if (event.key === "Escape" && current >= 0) focusRow(current);
      return;
    }
    var key = event.key;
    if (key === "?") { if (help) help.open = !help.open; event.preventDefault(); return; }
    if (!rows.length) return;
    if (key === "j" || key === "ArrowDown") { focusRow(current + 1); event.preventDefault(); return; }
    if (key === "k" || key === "ArrowUp") { focusRow(current < 0 ? 0 : current - 1); event.preventDefault(); return; }
    if (current < 0) {
      if ("cosxl123456789".indexOf(key) >= 0) focusRow(0); else return;
    }
    var row = rows[current];
    if (key === "c") {
      var confirm = row.querySelector('button[value="confirm"]');
      if (confirm && !confirm.disabled) actAndAdvance(row, "confirm");
      event.preventDefault();
    } else if (key === "o") {
      actAndAdvance(row, "out_of_scope"); event.preventDefault();
    } else if (key === "s") {
      actAndAdvance(row, "skip"); event.preventDefault();
    } else if (key === "x") {
      var box = row.querySelector(".row-select");
      if (box) { box.checked = !box.checked; updateCount(); }
      event.preventDefault();
    } else if (key === "l") {
      var select = row.querySelector(".label-select");
      if (select) select.focus();
      event.preventDefault();
    } else if (/^[1-9]$/.test(key)) {
      var names = (row.getAttribute("data-shortcuts") || "").split(",").filter(Boolean);
      var name = names[parseInt(key, 10) - 1];
      if (name) actAndAdvance(row, "relabel", name);
      event.preventDefault();
    }
  });

  // Enter in a row's label list saves that label.
  rows.forEach(function (row) {
    var select = row.querySelector(".label-select");
    if (!select) return;
    select.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); actAndAdvance(row, "relabel", select.value); }
    });
  });
})();
