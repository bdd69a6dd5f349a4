"""The one job: observe the landing zone, build and check the warehouse as of one day, write
that day's notifications to the outbox and export its file, publish the BI copy."""

import dagster as dg

# Every run of this job writes the one DuckDB file; the run queue in orchestration/dagster.yaml
# lets one run with this tag go at a time (steps of runs started outside the queue, such as
# `make run`'s, share the `warehouse` pool instead).
WRITER_TAG = {"warehouse/duckdb": "writer"}

warehouse_build = dg.define_asset_job(
    name="warehouse_build",
    selection=dg.AssetSelection.all(include_sources=True),
    tags=WRITER_TAG,
    description=(
        "Observe the landing zone, dbt build as of the run's as-of date (config as_of_date, "
        "else its partition key: the outbox day it exports) with the tests as checks, run the "
        "GX suites, write the day's outbox, export its file and publish the marts for BI."
    ),
)
