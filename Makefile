# The two commands: `make run` (build the warehouse) and `make test` (the fast tests); `make
# test-all` is the whole suite, as CI runs it. They set up .venv themselves from requirements.lock.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

export DBT_PROFILES_DIR := $(CURDIR)
# LANDING_DIR is left as the user set it: unset, `make run` builds the generated sample in
# data/sample_landing (SAMPLE_LANDING_DIR) and never writes to a landing zone it did not make.
export WAREHOUSE_PATH ?= data/warehouse.duckdb
# The Dagster instance of `make run` and `make dagster-dev` (run history, run queue).
DAGSTER_HOME_DIR := $(or $(DAGSTER_HOME),$(CURDIR)/.dagster_home)

ACCOUNTS ?= 2000
DAYS ?= 400
SEED ?= 7

TEST_DIR := target/test
TEST_LANDING := $(TEST_DIR)/landing
TEST_WAREHOUSE := $(TEST_DIR)/warehouse.duckdb
FIXTURE_AS_OF := 2026-03-31

.PHONY: run test test-all fixture setup generate engine parse lint lock clean browser dashboard what-if

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

# Into LANDING_DIR, else data/sample_landing; only into an empty folder, or over an earlier
# sample with REPLACE=1.
generate: setup
	$(BIN)/python -m warehouse.generate --accounts $(ACCOUNTS) --days $(DAYS) --seed $(SEED) \
		$(if $(LANDING_DIR),--out $(LANDING_DIR)) $(if $(REPLACE),--replace)

# The engine dbt builds with, WAREHOUSE_ENGINE (duckdb, the default, or spark: profiles.yml's
# targets): an unknown one stops here with one message, before dbt starts.
engine: setup
	@$(BIN)/python -m commands.run --check-engine

# The manifest Dagster reads, parsed for the engine's target. Parsed without LANDING_DIR, which
# only the sources' locations read (dbt build renders them again with the real one), so that
# dbt's partial parse stays valid whichever landing zone a run uses.
parse: setup engine
	env -u LANDING_DIR $(BIN)/dbt parse --quiet

run: setup parse
	DAGSTER_HOME=$(DAGSTER_HOME_DIR) \
		$(BIN)/python -m commands.run --accounts $(ACCOUNTS) --days $(DAYS) --seed $(SEED)

# The tests in two tiers (pytest marker `slow`, pyproject.toml). Both run on DuckDB
# (test_spark.py builds the fixture on Spark itself and compares) and share one fixture build:
# the fixture landing zone built once with dbt, its data and unit tests, which the Python tests
# read (tests/python/conftest.py).
# - test: the fast tier, after every change: the fixture build and the Python tests that need
#   no Spark, no browser and no whole Dagster job or `make run`; then ruff.
# - test-all: everything, as CI runs it (.ci/run): adds the Dagster jobs, `make run`, Spark,
#   the dashboard in Chromium and the incremental equalities.
FIXTURE_ENV := FIXTURE_WAREHOUSE=$(CURDIR)/$(TEST_WAREHOUSE) FIXTURE_DBT_TARGET=$(CURDIR)/$(TEST_DIR)/dbt

fixture: export WAREHOUSE_ENGINE := duckdb
fixture: setup parse
	rm -rf $(TEST_DIR)
	$(BIN)/python -m warehouse.fixtures $(TEST_LANDING)
	LANDING_DIR=$(CURDIR)/$(TEST_LANDING) WAREHOUSE_PATH=$(TEST_WAREHOUSE) \
		$(BIN)/dbt build --quiet --target-path $(TEST_DIR)/dbt --vars '{as_of_date: $(FIXTURE_AS_OF)}'

test: export WAREHOUSE_ENGINE := duckdb
test: fixture
	$(FIXTURE_ENV) $(BIN)/pytest -q -m "not slow"
	$(BIN)/ruff check warehouse orchestration dashboard commands tests/python

# test-all runs the suite as two pytest processes side by side, one per core (most of a test's
# time is a dbt, make or Dagster process of one busy core): the files of TEST_SECOND_HALF (the
# incremental equalities, the rule changes, the partial run, the incomplete day) in the
# background, logged to $(TEST_DIR)/second-half.log and printed when both are done, and every
# other file in the foreground. A new test file joins the foreground half.
TEST_SECOND_HALF := tests/python/test_incremental.py tests/python/test_incremental_credits.py \
	tests/python/test_incremental_creators.py tests/python/test_rule_changes.py \
	tests/python/test_partial_run.py tests/python/test_incomplete_day.py
test-all: export WAREHOUSE_ENGINE := duckdb
test-all: browser fixture
	@$(FIXTURE_ENV) $(BIN)/pytest -q -p no:cacheprovider --durations=20 $(TEST_SECOND_HALF) \
		> $(TEST_DIR)/second-half.log 2>&1 & second=$$!; \
	$(FIXTURE_ENV) $(BIN)/pytest -q --durations=20 $(addprefix --ignore=,$(TEST_SECOND_HALF)); first=$$?; \
	wait $$second; second_status=$$?; \
	echo "--- the second half of the suite ($(TEST_SECOND_HALF)):"; cat $(TEST_DIR)/second-half.log; \
	test $$first -eq 0 && test $$second_status -eq 0
	$(BIN)/ruff check warehouse orchestration dashboard commands tests/python

lint: setup
	$(BIN)/ruff check warehouse orchestration dashboard tests/python
	$(BIN)/ruff format --check warehouse orchestration dashboard tests/python

clean:
	rm -rf target data/warehouse.duckdb

# The program under proposed tier rules since FROM, from the built warehouse, into a DuckDB file
# of its own (docs/rule-changes.md): RULES=path/to/proposal.csv (the columns of
# seeds/tier_thresholds.csv), FROM=YYYY-MM-DD (default: the proposal's effective_from, else 90
# days before the as-of date), WHAT_IF_OUT (default: <warehouse>_what_if.duckdb beside it).
what-if: setup
	@if [ -z "$(RULES)" ]; then echo "make what-if: give the proposal, RULES=path/to/proposal.csv" >&2; exit 2; fi
	@$(BIN)/python -m commands.what_if --rules "$(RULES)" $(if $(FROM),--from $(FROM)) \
		$(if $(WHAT_IF_OUT),--out "$(WHAT_IF_OUT)")

# Chromium and its driver (Debian packages) for the dashboard's browser tests, installed when
# missing: a fresh machine has neither. Needs root, or sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; else \
		$(SUDO) apt-get update && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends \
			chromium chromium-driver; \
	fi

# The dashboard (docs/dashboard.md) on http://127.0.0.1:$(DASHBOARD_PORT), reading
# the published BI copy (PUBLISHED_WAREHOUSE_PATH, default data/published/warehouse_bi.duckdb);
# WHAT_IF=<file of make what-if> adds its What-if page.
DASHBOARD_PORT ?= 8501
dashboard: setup
	$(BIN)/python -m dashboard.serve --port $(DASHBOARD_PORT) $(if $(WHAT_IF),--what-if "$(WHAT_IF)")

# The Dagster UI on http://127.0.0.1:3000 (orchestration/README.md); its instance (run history,
# the run queue of orchestration/dagster.yaml) lives in .dagster_home, as `make run`'s does.
.PHONY: dagster-dev
dagster-dev: setup parse
	mkdir -p $(DAGSTER_HOME_DIR)
	cp orchestration/dagster.yaml $(DAGSTER_HOME_DIR)/dagster.yaml
	DAGSTER_HOME=$(DAGSTER_HOME_DIR) PATH=$(CURDIR)/$(BIN):$$PATH \
		$(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

# Benchmark at scale (commands/bench.py; results in docs/performance.md). Not part of `make test`.
BENCH_ACCOUNTS ?= 100000
BENCH_DAYS ?= 730
BENCH_DIR ?= /tmp/t1-bench
.PHONY: bench
bench: setup parse
	$(BIN)/python -m commands.bench --accounts $(BENCH_ACCOUNTS) --days $(BENCH_DAYS) \
		--work-dir $(BENCH_DIR)

# The what-if at scale against the same floor, equal to a full build under the proposal
# (commands/bench_what_if.py): the "What-if" section of docs/performance.md. Not part of `make test`.
.PHONY: bench-what-if
bench-what-if: setup parse
	$(BIN)/python -m commands.bench_what_if --accounts $(BENCH_ACCOUNTS) --days $(BENCH_DAYS) \
		--work-dir $(BENCH_DIR)

# The local Spark cluster (docs/engines.md, warehouse/spark_cluster.py): a Master, a Worker and
# the Thrift server dbt's spark target talks to, on 127.0.0.1, from the pyspark wheel (Java 17).
# spark-down stops what spark-up started (its PID files in SPARK_CLUSTER_DIR), nothing else.
.PHONY: spark-up spark-down spark-publish
spark-up: setup
	@$(BIN)/python -m warehouse.spark_cluster up

spark-down: setup
	@$(BIN)/python -m warehouse.spark_cluster down

# After a plain `dbt build` on the spark target (its artifacts in DBT_TARGET_PATH, default
# target/): every table the checks and BI read, read in place from the cluster's Parquet files
# into WAREHOUSE_PATH, then the BI copy published from it. `make run` does this itself.
spark-publish: setup
	@$(BIN)/python -m warehouse.spark publish

# The full build on DuckDB and on a local Spark cluster (its own, on free ports) side by side,
# every mart compared, and where Spark's time goes (warehouse/bench_engines.py). Not part of
# `make test`.
ENGINE_SCALES ?= 2000x365 20000x365
.PHONY: bench-engines
bench-engines: setup parse
	$(BIN)/python -m warehouse.bench_engines --scales $(ENGINE_SCALES) --work-dir $(BENCH_DIR)-engines
