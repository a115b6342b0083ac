// Draws a chart from the data table beside each canvas (no inline script: the table is the data).
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  var colours = ["#154273", "#8a4b00", "#1e6b3a", "#8a2a72", "#00607a", "#5b3fa0", "#3d3d3d"];
  function number(cell) { return parseInt((cell && cell.textContent) || "0", 10) || 0; }
  document.querySelectorAll("canvas.js-chart").forEach(function (canvas) {
    var table = document.getElementById(canvas.dataset.table);
    if (!table) { return; }
    var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
    var labels = rows.map(function (row) { return row.cells[0].textContent.trim(); });
    var datasets = [];
    for (var col = 1; col < headers.length; col++) {
      datasets.push({
        label: headers[col],
        data: rows.map(function (row) { return number(row.cells[col]); }),
        backgroundColor: colours[(col - 1) % colours.length]
      });
    }
    var stacked = canvas.dataset.kind === "fill";
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: {
        indexAxis: "y", responsive: true, maintainAspectRatio: false,
        plugins: { legend: { display: datasets.length > 1 } },
        scales: { x: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: stacked } }
      }
    });
    canvas.parentElement.style.height = Math.max(16, rows.length * 2.5) + "rem";
  });
})();
