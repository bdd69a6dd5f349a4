# The two commands: `make run` (build the warehouse) and `make test` (the whole test suite).
# Both set up .venv themselves from requirements.lock; nothing needs installing by hand.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

export DBT_PROFILES_DIR := $(CURDIR)
export LANDING_DIR ?= data/landing
export WAREHOUSE_PATH ?= data/warehouse.duckdb

ACCOUNTS ?= 2000
DAYS ?= 400
SEED ?= 7

TEST_DIR := target/test
TEST_LANDING := $(TEST_DIR)/landing
TEST_WAREHOUSE := $(TEST_DIR)/warehouse.duckdb
FIXTURE_AS_OF := 2026-03-31

.PHONY: run test setup generate parse lint lock clean browser dashboard

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.lock
	rm -f $(VENV)/.installed-*
	touch $@

# Refresh the lock file after changing dependencies in pyproject.toml.
lock: setup
	$(BIN)/uv pip compile --quiet pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

generate: setup
	$(BIN)/python -m warehouse.generate --accounts $(ACCOUNTS) --days $(DAYS) --seed $(SEED) --out $(LANDING_DIR)

parse: setup
	$(BIN)/dbt parse --quiet

run: setup parse
	$(BIN)/python -m warehouse.run --accounts $(ACCOUNTS) --days $(DAYS) --seed $(SEED)

test: setup browser
	rm -rf $(TEST_DIR)
	$(BIN)/python -m warehouse.fixtures $(TEST_LANDING)
	$(BIN)/dbt parse --quiet
	LANDING_DIR=$(TEST_LANDING) WAREHOUSE_PATH=$(TEST_WAREHOUSE) \
		$(BIN)/dbt build --quiet --target-path $(TEST_DIR)/dbt --vars '{as_of_date: $(FIXTURE_AS_OF)}'
	FIXTURE_WAREHOUSE=$(CURDIR)/$(TEST_WAREHOUSE) $(BIN)/pytest -q
	$(BIN)/ruff check warehouse orchestration dashboard tests/python

lint: setup
	$(BIN)/ruff check warehouse orchestration dashboard tests/python
	$(BIN)/ruff format --check warehouse orchestration dashboard tests/python

clean:
	rm -rf target data/warehouse.duckdb

# Chromium and its driver (Debian packages) for the dashboard's browser tests, installed when
# missing: a fresh machine has neither. Needs root, or sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; else \
		$(SUDO) apt-get update && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends \
			chromium chromium-driver; \
	fi

# The dashboard (README, Dashboard) on http://127.0.0.1:$(DASHBOARD_PORT), reading
# the published BI copy (PUBLISHED_WAREHOUSE_PATH, default data/published/tiktok_one_bi.duckdb).
DASHBOARD_PORT ?= 8501
dashboard: setup
	$(BIN)/python -m dashboard.serve --port $(DASHBOARD_PORT)

# The Dagster UI on http://127.0.0.1:3000 (orchestration/README.md); its instance (run history,
# the run queue of orchestration/dagster.yaml) lives in .dagster_home.
.PHONY: dagster-dev
dagster-dev: setup parse
	mkdir -p .dagster_home
	cp orchestration/dagster.yaml .dagster_home/dagster.yaml
	DAGSTER_HOME=$(CURDIR)/.dagster_home PATH=$(CURDIR)/$(BIN):$$PATH \
		$(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

# Benchmark at scale (warehouse/bench.py; results in bench/results/). Not part of `make test`.
BENCH_ACCOUNTS ?= 100000
BENCH_DAYS ?= 730
BENCH_COMPARE_DAYS ?= 365
BENCH_DIR ?= /tmp/t1-bench
.PHONY: bench
bench: setup parse
	$(BIN)/python -m warehouse.bench --accounts $(BENCH_ACCOUNTS) --days $(BENCH_DAYS) \
		--compare-days $(BENCH_COMPARE_DAYS) --work-dir $(BENCH_DIR)
