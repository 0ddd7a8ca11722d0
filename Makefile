# defidrill: `make demo` and `make test` bootstrap everything they need.
# .venv is rebuilt when pyproject.toml or constraints.txt change; node_modules when
# package-lock.json changes (stamp files record what was installed).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP_PY := $(VENV)/.installed
STAMP_NODE := node_modules/.installed
export SOLCX_BINARY_PATH := $(CURDIR)/.defidrill/solcx

.PHONY: bootstrap demo test test-fast lint docs slither bench clean

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

# pytest-xdist workers: each test that starts a chain picks its own free port and writes only into its
# own tmp folder (compile caches are written atomically), so tests run side by side. TEST_WORKERS=0 runs
# them in this process (what a debugger needs).
TEST_WORKERS ?= 2

# The manual's strict build (tests/docs/test_site.py) runs first, in seconds; the full pytest run leaves that
# folder out so the site is built once.
test: bootstrap lint
	$(PY) -m pytest -q -n 0 tests/docs
	$(VENV)/bin/defidrill ape test tests/ape -q
	$(PY) -m pytest -q -n $(TEST_WORKERS) --ignore=tests/docs

# Lint and types run before any test: a finding fails the build. mypy is strict on src/defidrill
# (configured in pyproject.toml, with the pydantic plugin).
lint: bootstrap
	$(VENV)/bin/ruff check src tests bench tools
	$(VENV)/bin/mypy

# The manual (docs/, nav in mkdocs.yml) as a static site: open .defidrill/site/index.html, no network needed.
# --strict: a broken link, a missing anchor or a page left out of the nav fails. NO_MKDOCS_2_WARNING hides
# Material's end-of-life banner (a notice, not a finding).
docs: bootstrap
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict -d .defidrill/site

# Slither in its own virtualenv (its web3/crytic-compile pins stay out of .venv); findings are held to
# the triage table in docs/security.md (tools/slither_check.py).
SLITHER_VENV := .defidrill/slither-venv
$(SLITHER_VENV)/.installed:
	@test -x $(SLITHER_VENV)/bin/python || $(PYTHON) -m venv $(SLITHER_VENV)
	$(SLITHER_VENV)/bin/pip install --quiet slither-analyzer==0.11.6 crytic-compile==0.4.2
	@touch $@

slither: bootstrap $(SLITHER_VENV)/.installed
	$(VENV)/bin/defidrill toolchain >/dev/null
	$(PY) tools/slither_check.py $(SLITHER_VENV)/bin/slither $(SOLCX_BINARY_PATH)/solc-v0.8.28

bench: bootstrap
	$(PY) -m bench

clean:
	rm -rf .defidrill runs
