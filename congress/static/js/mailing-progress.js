// The mailing's progress bar: polls the page's JSON endpoint and fills in the <progress> element and the
// counts (the page shows the same figures without JavaScript, on reload).
(function () {
  "use strict";
  var box = document.querySelector(".mailing-progress[data-progress-url]");
  if (!box || box.dataset.finished === "yes" || !window.fetch) { return; }
  var bar = box.querySelector("progress");
  var pause = 1500;
  function show(data) {
    bar.value = data.percent;
    bar.textContent = data.percent + " %";
    box.querySelectorAll("[data-count]").forEach(function (cell) {
      var value = data[cell.dataset.count];
      if (value !== undefined) { cell.textContent = value; }
    });
  }
  function poll() {
    fetch(box.dataset.progressUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (data) {
        show(data);
        if (data.finished) { return; }
        window.setTimeout(poll, pause);
      })
      .catch(function () { pause = Math.min(pause * 2, 30000); window.setTimeout(poll, pause); });
  }
  window.setTimeout(poll, pause);
})();
