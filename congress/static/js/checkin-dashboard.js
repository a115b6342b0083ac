// Live arrivals: redraws the chart and the tables from dashboard.json every 10 seconds.
(function () {
  "use strict";
  var root = document.querySelector(".dashboard");
  if (!root) return;
  var chart = null;

  function rows(tableId, values) {
    var body = document.querySelector("#" + tableId + " tbody");
    body.textContent = "";
    values.forEach(function (cells) {
      var tr = document.createElement("tr");
      tr.className = "utrecht-table__row";
      cells.forEach(function (value) {
        var td = document.createElement("td");
        td.className = "utrecht-table__cell";
        td.textContent = value;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  function draw(data) {
    ["checked_in", "registered", "no_shows", "registered_online", "joined_online"].forEach(function (field) {
      var node = root.querySelector('[data-field="' + field + '"]');
      if (node) node.textContent = data[field];
    });
    rows("arrivals-table", data.arrivals.map(function (a) { return [a.time, a.count]; }));
    rows("sectors-table", data.sectors.map(function (s) { return [s.sector, s.registered, s.checked_in]; }));
    rows("workshops-table", data.workshops.map(function (w) { return [w.title, w.enrolled, w.waiting, w.checked_in, w.online]; }));
    if (!window.Chart) return;
    var labels = data.arrivals.map(function (a) { return a.time; });
    var counts = data.arrivals.map(function (a) { return a.count; });
    if (!chart) {
      chart = new window.Chart(document.getElementById("arrivals-chart"), {
        type: "bar",
        data: { labels: labels, datasets: [{ label: root.querySelector("h2").textContent, data: counts, backgroundColor: "#154273" }] },
        options: { animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      });
    } else {
      chart.data.labels = labels;
      chart.data.datasets[0].data = counts;
      chart.update();
    }
  }

  function poll() {
    fetch(root.dataset.source, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(draw)
      .catch(function () {})
      .finally(function () { window.setTimeout(poll, 10000); });
  }
  window.addEventListener("load", poll);
})();
