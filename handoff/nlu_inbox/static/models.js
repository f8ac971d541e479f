// Models page: follow a running retrain by polling its status (GET /admin/inbox/jobs/<id>).
(function () {
  "use strict";
  var card = document.querySelector(".job-card[data-job-id]");
  if (!card) return;
  var jobId = card.getAttribute("data-job-id");
  var log = document.getElementById("job-log");
  var timer = null;

  function word(value) { return value ? value.charAt(0).toUpperCase() + value.slice(1).replace(/_/g, " ") : ""; }

  function render(job) {
    var state = card.querySelector(".job-state");
    if (state) {
      state.textContent = "";
      var badge = document.createElement("span");
      badge.className = "badge job-" + job.state;
      badge.textContent = word(job.state);
      state.appendChild(badge);
    }
    (job.stages || []).forEach(function (stage) {
      var item = card.querySelector('[data-stage="' + stage.name + '"]');
      if (!item) return;
      item.className = "stage stage-" + stage.state;
      item.querySelector(".stage-state").textContent = word(stage.state);
      item.querySelector(".stage-detail").textContent = stage.detail || "";
    });
    var message = card.querySelector(".job-message");
    if (message) message.textContent = job.message || "";
    if (log) log.textContent = (job.log_tail || []).join("\n");
  }

  function poll() {
    fetch("/admin/inbox/jobs/" + encodeURIComponent(jobId), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) {
        if (!job) return;
        render(job);
        if (job.finished) {
          clearInterval(timer);
          if (card.getAttribute("data-job-finished") === "false") {
            // Show the registry as it is now (new model, gate result); once.
            card.setAttribute("data-job-finished", "true");
            window.setTimeout(function () { window.location.replace("/admin/inbox/models?job=" + encodeURIComponent(jobId)); }, 1500);
          }
        }
      })
      .catch(function () { /* keep polling */ });
  }

  poll();
  if (card.getAttribute("data-job-finished") === "false") timer = setInterval(poll, 2000);
})();
