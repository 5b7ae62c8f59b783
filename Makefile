# Two commands do all the set-up: `make site` builds the sample site, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: site serve test check bench page-bench clean node java

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TSTAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

site: $(STAMP)
	$(BIN)/studio build --strict

serve: $(STAMP)
	$(BIN)/studio serve

check: $(STAMP)
	$(BIN)/studio check

chromium:
	@{ command -v chromium && fc-list | grep -qi wqy; } >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium and a Chinese font for browser tests and PDFs"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null; }

java:
	@command -v java >/dev/null 2>&1 || { \
	  echo "installing Debian's openjdk-17-jre-headless for the Spark tests (tests/test_spark_metrics.py)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null; }

# npm tools for the page tests and the page benchmark, in a folder of the venv (never a CDN)
NPM := $(VENV)/npm
AXE := $(NPM)/node_modules/axe-core/axe.min.js
LIGHTHOUSE := $(NPM)/node_modules/lighthouse/cli/index.js

node:
	@command -v npm >/dev/null 2>&1 || { echo "installing Debian's nodejs and npm"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }

$(AXE): | node
	npm install --silent --no-audit --no-fund --prefix $(NPM) axe-core@4

$(LIGHTHOUSE): | node
	npm install --silent --no-audit --no-fund --prefix $(NPM) lighthouse@12.2.3

test: $(TSTAMP) chromium java $(AXE)
	$(BIN)/python -m pytest -q

bench: $(TSTAMP)
	$(BIN)/python bench/run.py

page-bench: $(STAMP) chromium $(LIGHTHOUSE)
	$(BIN)/python bench/page_bench.py

clean:
	rm -rf site .cache
