/* Reports' charts (issue 13 §6): draws each <canvas data-chart-source="ID"> with Chart.js
   from the JSON its page embeds with {{ data|json_script:"ID" }}. The table under the
   chart holds the exact figures; without scripts the page is complete without the chart.
   No inline script anywhere (the CSP forbids it): this file is the only caller. */
(function () {
  "use strict";

  var COLOURS = ["#0b5cad", "#1a7f37", "#b25e00", "#7a3db8", "#b42318", "#0e7c86",
                 "#5d6875", "#c2185b", "#6d8f00"];

  function options(spec) {
    var valueAxis = spec.horizontal ? "x" : "y";
    var scales = { x: { stacked: spec.stacked }, y: { stacked: spec.stacked } };
    scales[valueAxis].beginAtZero = true;
    if (spec.percent) {
      scales[valueAxis].max = 100;
      scales[valueAxis].ticks = { callback: function (value) { return value + "%"; } };
    } else {
      scales[valueAxis].ticks = { precision: spec.decimals ? 1 : 0 };
    }
    return {
      indexAxis: spec.horizontal ? "y" : "x",
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: scales,
      plugins: { legend: { display: spec.datasets.length > 1, position: "bottom" } }
    };
  }

  function draw(root) {
    if (typeof window.Chart === "undefined") {
      return;
    }
    root.querySelectorAll("canvas[data-chart-source]").forEach(function (canvas) {
      var source = document.getElementById(canvas.getAttribute("data-chart-source"));
      if (!source || canvas.getAttribute("data-drawn")) {
        return;
      }
      var spec = JSON.parse(source.textContent);
      var datasets = spec.datasets.map(function (set, index) {
        return { label: set.label, data: set.data,
                 backgroundColor: COLOURS[index % COLOURS.length] };
      });
      new window.Chart(canvas, {
        type: spec.type,
        data: { labels: spec.labels, datasets: datasets },
        options: options(spec)
      });
      canvas.setAttribute("data-drawn", "1");
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { draw(document); });
  } else {
    draw(document);
  }
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
