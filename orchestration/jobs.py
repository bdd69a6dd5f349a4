"""The one job: observe the landing zone, build and check the warehouse, write the outbox,
publish the BI copy, all for one as-of date (a partition) or a range of them."""

import dagster as dg

# Every run of this job writes the one DuckDB file; the run queue in orchestration/dagster.yaml
# lets one run with this tag go at a time.
WRITER_TAG = {"warehouse/duckdb": "writer"}

warehouse_build = dg.define_asset_job(
    name="warehouse_build",
    selection=dg.AssetSelection.all(include_sources=True),
    tags=WRITER_TAG,
    description=(
        "Observe the landing zone, dbt build as of the partition's date (tests as checks), run "
        "the GX suites, write the day's notifications outbox and publish the marts for BI."
    ),
)
