# Two commands do all the set-up: `make site` builds the sample site, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: site serve test check bench clean

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

test: $(TSTAMP) chromium
	$(BIN)/python -m pytest -q

bench: $(TSTAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf site .cache
