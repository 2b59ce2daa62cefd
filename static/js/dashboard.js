/* Dashboard charts: each canvas names a JSON block with its labels and series; the same
   numbers are in the tables below the charts. */
(function () {
  "use strict";
  if (!window.Chart) { return; }
  var palette = ["#4f46e5", "#0ea5e9", "#10b981", "#f59e0b", "#ef4444", "#8b5cf6", "#14b8a6", "#64748b"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    var datasets = spec.series.map(function (series, index) {
      var colour = palette[index % palette.length];
      return {
        label: series.label,
        data: series.data,
        backgroundColor: spec.kind === "doughnut" ? palette.slice(0, series.data.length) : colour,
        borderColor: colour,
        tension: 0.25,
        fill: false
      };
    });
    canvas.chart = new window.Chart(canvas, {
      type: spec.kind,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: spec.kind !== "bar" } },
        scales: spec.kind === "doughnut" ? {} : {
          x: { beginAtZero: true, ticks: { precision: 0 } },
          y: { beginAtZero: true, ticks: { precision: 0 } }
        }
      }
    });
    canvas.dataset.drawn = "1";
  });
})();
