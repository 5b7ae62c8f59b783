#!/bin/sh
# Rebuild plotly-studio.min.js: plotly.js with only the trace types Studio draws (scatter is
# in plotly's core; bar, heatmap, funnel, pie are registered in entry.js). Match the
# version to the plotly.js inside the Python plotly package (plotly/package_data/plotly.min.js).
# Run by hand when plotly is upgraded; the result is committed, so builds need no npm.
set -eu
PLOTLY=${PLOTLY:-4.1.1}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/entry.js" "$work/"
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent "plotly.js@$PLOTLY" esbuild@0.28.2
npx esbuild entry.js --bundle --minify --format=iife --global-name=Plotly --target=es2016 \
  --define:global=window --define:define.amd=false --alias:stream=stream-browserify \
  --loader:.css=empty --legal-comments=eof \
  "--banner:js=/* plotly.js v$PLOTLY, partial bundle for Studio: scatter, bar, heatmap, funnel, pie. MIT licence (plotly.js.LICENSE). Rebuild: studio/assets/plotly/build.sh */" \
  --outfile="$here/plotly-studio.min.js"
cp node_modules/plotly.js/LICENSE "$here/plotly.js.LICENSE"
