/* Studio charts: draw each figure built at build time with the local plotly.js, in the
   colours of Material's current palette, and redraw when the reader switches light/dark.

   A figure is drawn only when it comes near the viewport (IntersectionObserver), one figure
   per task so the page stays responsive between them: drawing every figure at load was one
   multi-second main-thread task on a report page. plotly.js itself (plotly.min.js, beside
   this file) is loaded only then, so a page whose charts are further down costs nothing to
   open. Printing (and Studio's PDF export, which lays the page out in print mode) draws
   every figure at once, at the printed width; a page printed before plotly.js arrived
   prints each chart's data table instead (studio.css). */
(function () {
  "use strict";
  var self = document.currentScript;
  var PLOTLY_URL = self && self.src ? self.src.replace(/charts\.js(\?.*)?$/, "plotly.min.js") : null;
  var loading = null;

  // plotly.js, once: already on the page (a standalone export inlines it) or fetched now.
  function withPlotly(then) {
    if (window.Plotly) { then(); return; }
    if (!loading) {
      loading = [];
      var tag = document.createElement("script");
      tag.src = PLOTLY_URL;
      tag.onload = function () { var waiting = loading; loading = []; waiting.forEach(function (fn) { fn(); }); };
      document.head.appendChild(tag);
    }
    loading.push(then);
  }
  // Each meets 3:1 against Material's light (#fff) and dark (slate, #1e2129) backgrounds.
  var SERIES = ["#00796b", "#d84315", "#5c6bc0", "#c2185b", "#558b2f", "#8d6e63", "#0288d1", "#9e7c00"];
  var SERIES_DARK = ["#4db6ac", "#ff8a65", "#9fa8da", "#f48fb1", "#aed581", "#bcaaa4", "#4fc3f7", "#ffd54f"];
  var PRINT_WIDTH = 600;  // A4 less Material's 25 mm print margins, in CSS pixels
  var CONFIG = { displayModeBar: false, responsive: true };

  function palette() {
    var s = getComputedStyle(document.body);
    var get = function (name, fallback) { return (s.getPropertyValue(name) || "").trim() || fallback; };
    var dark = document.body.getAttribute("data-md-color-scheme") === "slate";
    return {
      fg: get("--md-default-fg-color", "#333"),
      light: get("--md-default-fg-color--light", "#666"),
      grid: get("--md-default-fg-color--lightest", "#eee"),
      bg: get("--md-default-bg-color", "#fff"),
      colorway: dark ? SERIES_DARK : SERIES
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

  var figures = [];   // every chart on the page: {fig, holder, spec, drawn}
  var queue = [];     // charts in view, waiting for their turn
  var pumping = false;
  var observer = null;

  function drawOne(f, p) {
    if (f.drawn || !window.Plotly) { return; }
    f.drawn = true;
    if (observer) { observer.unobserve(f.fig); }
    f.spec = JSON.parse(f.source.textContent);
    Plotly.newPlot(f.holder, f.spec.data || [], themed(f.spec.layout || {}, p || palette()), CONFIG);
    f.fig.setAttribute("data-studio-drawn", "");
  }

  function nextTask(fn) {
    if (window.scheduler && typeof window.scheduler.postTask === "function") {
      window.scheduler.postTask(fn, { priority: "user-visible" });
    } else {
      setTimeout(fn, 0);
    }
  }

  function pump() {
    if (pumping) { return; }
    pumping = true;
    withPlotly(function () { nextTask(step); });
    function step() {
      var f = queue.shift();
      if (f) { drawOne(f); }
      if (queue.length) { nextTask(step); } else { pumping = false; }
    }
  }

  function drawAll() {
    if (!window.Plotly) { withPlotly(drawAll); return; }
    var p = palette();
    queue = [];
    figures.forEach(function (f) { drawOne(f, p); });
  }

  function collect() {
    document.querySelectorAll("figure.studio-chart").forEach(function (fig) {
      var holder = fig.querySelector(".studio-chart__plot");
      var source = fig.querySelector("script.studio-chart__figure");
      if (!holder || !source) { return; }
      figures.push({ fig: fig, holder: holder, source: source, spec: null, drawn: false });  // parsed when drawn
    });
  }

  function retheme() {
    if (!window.Plotly) { return; }
    var p = palette();
    figures.forEach(function (f) {
      if (f.drawn) { Plotly.react(f.holder, f.spec.data || [], themed(f.spec.layout || {}, p), CONFIG); }
    });
  }

  // Before printing: every figure drawn, at a width that fits the paper (relayout is
  // synchronous for SVG charts, so the print layout sees it); back to the screen after.
  function beforePrint() {
    drawAll();
    if (!window.Plotly) {  // on its way: the data tables print meanwhile
      figures.forEach(function (f) { var d = f.fig.querySelector("details.studio-chart__data"); if (d) { d.open = true; } });
      return;
    }
    figures.forEach(function (f) {
      var w = Math.min(f.holder.getBoundingClientRect().width || PRINT_WIDTH, PRINT_WIDTH);
      Plotly.relayout(f.holder, { width: w, autosize: false });
    });
  }

  function afterPrint() {
    if (!window.Plotly) { return; }
    figures.forEach(function (f) { if (f.drawn) { Plotly.relayout(f.holder, { width: null, autosize: true }); } });
  }

  function start() {
    collect();
    if (!figures.length) { return; }
    var printing = window.matchMedia && window.matchMedia("print").matches;
    var all = document.documentElement.getAttribute("data-studio-charts") === "all";  // a standalone export
    if (printing || all || !("IntersectionObserver" in window)) {
      drawAll();
    } else {
      observer = new IntersectionObserver(function (entries) {
        entries.forEach(function (e) {
          if (!e.isIntersecting) { return; }
          var f = figures.filter(function (x) { return x.fig === e.target; })[0];
          if (f && !f.drawn && queue.indexOf(f) < 0) { queue.push(f); }
        });
        if (queue.length) { pump(); }
      }, { rootMargin: "0px" });  // drawn when on screen: a chart just below the fold waits
      figures.forEach(function (f) { observer.observe(f.fig); });
    }
    new MutationObserver(retheme).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme", "data-md-color-primary"] });
    window.addEventListener("beforeprint", beforePrint);
    window.addEventListener("afterprint", afterPrint);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
