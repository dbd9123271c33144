// A job's page: poll its status (JSON) every second while it is queued or running, and move the
// <progress> bar, the status line (aria-live) and the result link; reload once it has ended, so
// the buttons and the report match the job.
(function () {
  "use strict";
  const root = document.getElementById("job");
  if (!root || root.dataset.active !== "true") return;
  const bar = document.getElementById("job-progress");
  const label = document.getElementById("job-status-label");
  const count = document.getElementById("job-count");
  const message = document.getElementById("job-message");

  function show(state) {
    if (state.total) {
      bar.max = state.total;
      bar.value = state.done;
      count.textContent = state.done + " / " + state.total;
    } else {
      bar.removeAttribute("value");  // indeterminate until the work knows its size
      count.textContent = "";
    }
    label.textContent = state.status_label;
    message.textContent = state.message;
  }

  function poll() {
    fetch(root.dataset.statusUrl, {headers: {Accept: "application/json"}, credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (state) {
        show(state);
        if (state.active) window.setTimeout(poll, 1000);
        else window.location.reload();
      })
      .catch(function () {
        message.textContent = gettext("The progress could not be read; retrying…");
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 1000);
})();
