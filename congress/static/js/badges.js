// Follows a badge print run without reloading the page (the page also refreshes itself without JS).
(function () {
  "use strict";
  var block = document.querySelector(".progress-block");
  if (!block || ["queued", "running"].indexOf(block.dataset.status) === -1) return;
  var bar = document.getElementById("badge-progress");
  var text = document.getElementById("badge-progress-text");
  function poll() {
    fetch(block.dataset.progressUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        bar.max = state.total;
        bar.value = state.done;
        text.textContent = text.textContent.replace(/\d+/, String(state.done));
        if (state.status === "done" || state.status === "failed") {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
