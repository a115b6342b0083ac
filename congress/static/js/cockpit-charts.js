// The cockpit's charts, drawn from the table beside each canvas (the table is the data, no inline script).
// Cells carry their plain number in data-value (the text is formatted per locale: "1.234" in Dutch).
// Long labels are wrapped onto several lines so that they are never cut off, on a phone too.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  var colours = ["#154273", "#1e6b3a", "#8a4b00", "#8a2a72", "#00607a", "#5b3fa0", "#3d3d3d"];
  function value(cell) {
    var raw = cell && (cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent);
    var n = parseFloat(raw);
    return isNaN(n) ? 0 : n;
  }
  function wrap(text, width) {
    var words = text.split(/\s+/), lines = [], line = "";
    words.forEach(function (word) {
      if (line && (line + " " + word).length > width) { lines.push(line); line = word; }
      else { line = line ? line + " " + word : word; }
    });
    if (line) { lines.push(line); }
    return lines.length > 4 ? lines.slice(0, 3).concat([lines.slice(3).join(" ").slice(0, width - 1) + "…"]) : lines;
  }
  document.querySelectorAll("canvas.js-cockpit-chart").forEach(function (canvas) {
    var table = document.getElementById(canvas.dataset.table);
    if (!table) { return; }
    var kind = canvas.dataset.kind || "bar";
    var horizontal = kind === "hbar" || kind === "stacked";
    var narrow = canvas.parentElement.clientWidth < 420;
    var width = narrow ? 18 : 30;
    var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
    var labels = rows.map(function (row) {
      var text = row.cells[0].textContent.trim();
      return horizontal ? wrap(text, width) : text;
    });
    var series = (canvas.dataset.series || "1").split(",").map(function (s) { return parseInt(s, 10); });
    var datasets = series.map(function (col, i) {
      return {
        label: headers[col],
        data: rows.map(function (row) { return value(row.cells[col]); }),
        backgroundColor: colours[i % colours.length],
        borderColor: colours[i % colours.length],
        fill: false, tension: 0.2, pointRadius: rows.length > 60 ? 0 : 3
      };
    });
    var stacked = kind === "stacked";
    var locale = document.documentElement.lang || "nl";
    var numberAxis = { beginAtZero: true, stacked: stacked, ticks: { precision: 0, callback: function (v) { return Number(v).toLocaleString(locale); } } };
    var labelAxis = { stacked: stacked, ticks: { autoSkip: !horizontal, maxRotation: 60, font: { size: narrow ? 11 : 12 } } };
    new window.Chart(canvas, {
      type: kind === "line" ? "line" : "bar",
      data: { labels: labels, datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x", responsive: true, maintainAspectRatio: false, animation: false,
        locale: locale,
        plugins: { legend: { display: datasets.length > 1, position: "bottom" } },
        scales: horizontal ? { x: numberAxis, y: labelAxis } : { x: labelAxis, y: numberAxis }
      }
    });
    if (horizontal) {
      var lines = labels.reduce(function (sum, l) { return sum + Math.max(l.length, 1); }, 0);
      canvas.parentElement.style.height = Math.max(12, 3 + lines * 1.3 + rows.length * 0.9) + "rem";
    }
  });
})();
