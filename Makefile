# defidrill: `make demo` and `make test` bootstrap everything they need.
# .venv is rebuilt when pyproject.toml or constraints.txt change; node_modules when
# package-lock.json changes (stamp files record what was installed).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP_PY := $(VENV)/.installed
STAMP_NODE := node_modules/.installed
export SOLCX_BINARY_PATH := $(CURDIR)/.defidrill/solcx

.PHONY: bootstrap demo test test-fast lint bench clean

bootstrap: $(STAMP_PY) $(STAMP_NODE)

$(STAMP_NODE): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

$(STAMP_PY): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

demo: bootstrap
	$(VENV)/bin/defidrill demo

test: bootstrap lint
	$(VENV)/bin/defidrill ape test tests/ape -q
	$(PY) -m pytest -q

# Lint runs before any test: it takes seconds and a finding fails the build.
lint: bootstrap
	$(VENV)/bin/ruff check src tests bench

bench: bootstrap
	$(PY) -m bench

clean:
	rm -rf .defidrill runs
