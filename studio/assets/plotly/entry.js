'use strict';
// Studio's plotly.js bundle: only the trace types Studio draws (studio/features/datasets/charts.py).
var Plotly = require('plotly.js/lib/core');
Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/heatmap'),
    require('plotly.js/lib/funnel'),
    require('plotly.js/lib/pie')
]);
module.exports = Plotly;
