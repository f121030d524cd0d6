# Dealership: developer and CI entry points (GNU make).
#
#   make install       create .venv and install the dependencies from pyproject.toml
#   make run           migrate, seed the demo store once, serve http://127.0.0.1:8000 + Celery
#   make test          lint, migration check, then pytest on every CPU (TEST_WORKERS=0: one
#                      process; PYTEST_ARGS="-k contracts -x" ...)
#   make test-clock    the suite (browser journeys aside) on a faked clock: just after the
#                      store's midnight on New Year's Day (CLOCK="YYYY-MM-DD HH:MM:SS" in UTC)
#   make lint          ruff check, and lint-imports (the apps' layers, pyproject.toml)
#   make bench         gunicorn benchmark, ratios to the account page (BENCH_ARGS="--no-load")
#   make messages      compile the translation catalogues (needs Debian's gettext)
#   make makemessages  refresh the .po files from the source
#   make clean         remove the venv and everything generated

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
MANAGE := $(VPY) manage.py
PYTEST_ARGS ?=
# pytest-xdist: one worker per logical CPU; a test file stays on one worker, so a module's
# seeded demo is built once (0 runs in this process, as `-x` and `--pdb` need).
TEST_WORKERS ?= logical
BENCH_ARGS ?=

# Management commands that load the settings but use no secret (i18n, migration checks):
# with DEBUG off the settings refuse to load without a SECRET_KEY, so lend them a dummy one.
NO_SECRET := SECRET_KEY="$${SECRET_KEY:-build-only-not-a-secret-0123456789abcdef}"
TEST_SECRET := test-only-secret-key-not-for-production-0123456789

# 16:03 UTC on 31 December is 00:03 on 1 January in the demo stores' Asia/Shanghai: the
# store's day, month and year turn while UTC's date does not. This year's, so the business
# ranges of typed dates (this year ± 1) stay the ones the tests were written against.
CLOCK ?= $(shell date -u +%Y)-12-31 16:03:00

.PHONY: help install messages makemessages run test test-clock lint bench clean

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

install: $(STAMP)
	@# A random key for this checkout, so manage.py works here without exporting one.
	@key="$${DATA_DIR:-var}/secret_key"; test -s "$$key" || { mkdir -p "$$(dirname "$$key")"; \
	  $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > "$$key"; chmod 600 "$$key"; }

# Re-installs only when pyproject.toml is newer than the stamp. `pip install .` installs
# the dependencies; the code itself runs from the checkout (the package list is empty).
$(STAMP): pyproject.toml
	@test -x $(VPY) || { echo "Creating $(VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(VENV); }
	$(VPY) -m pip install --disable-pip-version-check ".[dev]"
	@rm -rf build *.egg-info
	@touch $@

messages: install
	@command -v msgfmt >/dev/null 2>&1 || { \
	  echo "error: msgfmt not found: the translation catalogues need GNU gettext." >&2; \
	  echo "       Install it with:  apt-get install gettext   (Debian; as root)" >&2; exit 1; }
	@if [ -z "$$(find . -path ./.venv -prune -o -name '*.po' -print -quit)" ]; then \
	  echo "warning: no .po catalogues yet (make makemessages creates them); nothing to compile." >&2; \
	else \
	  echo '$(NO_SECRET) $(MANAGE) compilemessages --ignore=.venv'; \
	  $(NO_SECRET) $(MANAGE) compilemessages --ignore=.venv; \
	fi

makemessages: install
	@command -v xgettext >/dev/null 2>&1 || { \
	  echo "error: xgettext not found: makemessages needs GNU gettext." >&2; \
	  echo "       Install it with:  apt-get install gettext   (Debian; as root)" >&2; exit 1; }
	$(NO_SECRET) $(MANAGE) makemessages -l zh_Hans -l en \
	  --ignore=.venv --ignore=staticfiles --ignore=var

# Everything else (migrate, seed, runserver + worker with embedded beat, Ctrl-C) is in the
# script. Without DATABASE_URL/REDIS_URL it needs no server: SQLite and a filesystem broker
# under var/.
run: install messages
	DEBUG=1 scripts/dev-run.sh

# --no-cache: import-linter would otherwise leave .import_linter_cache in the checkout.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

test: install lint messages
	export SECRET_KEY="$${SECRET_KEY:-$(TEST_SECRET)}"; \
	mkdir -p "$${DATA_DIR:-var}"; \
	$(MANAGE) makemigrations --check --dry-run; \
	$(VPY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# libfaketime starts the clock of pytest and its workers at CLOCK, ticking (Django then sets
# TZ to TIME_ZONE in each process, which reads the faked time as Shanghai's: hence TZ=UTC
# for faketime itself). The database and Redis servers keep the real clock: SQLite and the
# in-process cache and broker, so nothing compares the two clocks.
test-clock: install messages
	@command -v faketime >/dev/null 2>&1 || { \
	  echo "error: faketime not found: apt-get install faketime (Debian; as root)" >&2; exit 1; }
	export SECRET_KEY="$${SECRET_KEY:-$(TEST_SECRET)}"; \
	mkdir -p "$${DATA_DIR:-var}"; \
	env -u DATABASE_URL -u REDIS_URL -u DATABASE_REPLICA_URL -u CI TZ=UTC \
	  faketime -f "@$(CLOCK)" $(VPY) -m pytest -n $(TEST_WORKERS) --dist loadfile \
	  -m "not e2e" -p no:cacheprovider $(PYTEST_ARGS)

# Seeds the demo store only into an empty database (a no-op on any database with a store),
# then serves it with gunicorn and measures (reports/management/commands/benchmark.py).
bench: install messages
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo --if-empty --force
	$(MANAGE) benchmark $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var staticfiles build *.egg-info .pytest_cache .ruff_cache test-results .hypothesis .import_linter_cache
