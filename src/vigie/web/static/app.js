// vigie: light progressive enhancement, no dependency. Works without it (plain forms).
"use strict";
(function () {
  function pollJob(box) {
    var id = box.getAttribute("data-job");
    var bar = box.querySelector("progress");
    var status = box.querySelector("[data-job-status]");
    function tick() {
      fetch("/api/jobs/" + encodeURIComponent(id), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (job) {
          if (job.total > 0) { bar.value = Math.round(100 * job.done / job.total); }
          if (job.status === "done") {
            bar.value = 100;
            status.textContent = box.getAttribute("data-done-text") + " (" +
              job.summary.records_loaded + " / " + job.summary.records_read + ", " + job.summary.findings + ")";
            var links = box.querySelector("[data-job-links]");
            links.querySelector("[data-report]").href = "/runs/" + job.run_id + "/report.html";
            links.querySelector("[data-xlsx]").href = "/runs/" + job.run_id + "/decisions.xlsx";
            links.hidden = false;
          } else if (job.status === "failed") {
            status.textContent = box.getAttribute("data-failed-text") + ": " + job.error;
          } else {
            setTimeout(tick, 500);
          }
        })
        .catch(function () { setTimeout(tick, 2000); });
    }
    tick();
  }

  function uploadWithProgress(form) {
    form.addEventListener("submit", function (event) {
      var bar = form.querySelector("[data-upload-progress]");
      if (!window.XMLHttpRequest || !bar) { return; }
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      bar.hidden = false;
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
      };
      xhr.onload = function () {
        if (xhr.status < 400 && xhr.responseURL) { window.location = xhr.responseURL; }
        else {
          var out = form.querySelector("[data-upload-error]");
          out.textContent = xhr.status + " " + xhr.statusText;
          out.hidden = false;
        }
      };
      xhr.send(new FormData(form));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-job]").forEach(pollJob);
    document.querySelectorAll("form[data-upload]").forEach(uploadWithProgress);
  });
})();
