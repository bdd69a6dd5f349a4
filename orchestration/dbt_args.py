"""The dbt invocation of one orchestrated run, as pure functions of its as-of date and plan."""

from __future__ import annotations

from datetime import date

from warehouse.refresh import RefreshPlan


def dbt_vars(as_of: date | None, plan: RefreshPlan) -> dict[str, str]:
    """The run's parameters: the as-of date when the run gives one (else dbt's default, the
    latest spend day) and what the refresh plan adds (the window's first day, tests sized like
    the run). They are dbt vars (macros/as_of_date.sql `run_var`)."""
    values = {"as_of_date": as_of.isoformat()} if as_of else {}
    return {**values, **{name: str(value).lower() for name, value in plan.dbt_vars().items()}}


def dbt_environment(vars_: dict[str, str]) -> dict[str, str]:
    """The run's vars as the environment variables dbt reads them from (WAREHOUSE_<NAME>):
    passed that way, a new as-of date every day does not make dbt parse the whole project
    again, as a changed --vars would; the outbox's step passes the same ones."""
    return {f"WAREHOUSE_{name.upper()}": value for name, value in vars_.items()}


RUN_VAR_NAMES = ("as_of_date", "recompute_from", "test_recomputed_days_only")


def dbt_build_args(full_refresh: bool = False) -> list[str]:
    """`dbt build` of the selected models, seeds and data tests.

    dbt unit tests check SQL logic, not data: `make test` runs them, not every build.
    dagster-dbt adds the selection (every asset of the step, or the subset chosen)."""
    return [
        "build",
        "--exclude-resource-type",
        "unit_test",
        *(["--full-refresh"] if full_refresh else []),
    ]
