"""The Dagster code location of the warehouse (orchestration/README.md)."""
