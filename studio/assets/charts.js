/* Studio charts: draw each figure built at build time with the local plotly.js, in the
   colours of Material's current palette, and redraw when the reader switches light/dark. */
(function () {
  "use strict";
  var SERIES = ["#00897b", "#ef6c00", "#5c6bc0", "#c2185b", "#7cb342", "#8d6e63", "#00acc1", "#fdd835"];

  function palette() {
    var s = getComputedStyle(document.body);
    var get = function (name, fallback) { return (s.getPropertyValue(name) || "").trim() || fallback; };
    var primary = get("--md-primary-fg-color", SERIES[0]);
    return {
      fg: get("--md-default-fg-color", "#333"),
      light: get("--md-default-fg-color--light", "#777"),
      grid: get("--md-default-fg-color--lightest", "#eee"),
      bg: get("--md-default-bg-color", "#fff"),
      colorway: [primary].concat(SERIES.slice(1))
    };
  }

  function themed(layout, p) {
    var out = Object.assign({}, layout, {
      font: Object.assign({}, layout.font || {}, { color: p.fg }),
      colorway: p.colorway, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
      hoverlabel: { bgcolor: p.bg, bordercolor: p.grid, font: { color: p.fg } },
      autosize: true
    });
    ["xaxis", "yaxis"].forEach(function (name) {
      var a = Object.assign({}, layout[name] || {});
      a.gridcolor = p.grid; a.zerolinecolor = p.grid; a.linecolor = p.grid;
      a.tickfont = Object.assign({}, a.tickfont || {}, { color: p.light });
      a.title = Object.assign({}, a.title || {});
      a.title.font = Object.assign({}, a.title.font || {}, { color: p.light });
      out[name] = a;
    });
    if (out.title) { out.title = Object.assign({}, out.title, { font: Object.assign({}, out.title.font || {}, { color: p.fg }) }); }
    out.annotations = (layout.annotations || []).map(function (a) {
      return Object.assign({}, a, { font: Object.assign({}, a.font || {}, { color: p.light }) });
    });
    return out;
  }

  var figures = [];

  function draw() {
    if (!window.Plotly) { return; }
    var p = palette();
    document.querySelectorAll("figure.studio-chart").forEach(function (fig) {
      var holder = fig.querySelector(".studio-chart__plot");
      var source = fig.querySelector("script.studio-chart__figure");
      if (!holder || !source) { return; }
      var spec = JSON.parse(source.textContent);
      figures.push({ holder: holder, spec: spec });
      Plotly.newPlot(holder, spec.data || [], themed(spec.layout || {}, p),
                     { displayModeBar: false, responsive: true });
    });
  }

  function retheme() {
    var p = palette();
    figures.forEach(function (f) { Plotly.react(f.holder, f.spec.data || [], themed(f.spec.layout || {}, p), { displayModeBar: false, responsive: true }); });
  }

  function resizeAll() { figures.forEach(function (f) { Plotly.Plots.resize(f.holder); }); }

  function start() {
    draw();
    new MutationObserver(retheme).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme", "data-md-color-primary"] });
    window.addEventListener("beforeprint", resizeAll);
    window.addEventListener("afterprint", resizeAll);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
