"""The dbt command line of one orchestrated run, as a pure function of its as-of date and plan."""

from __future__ import annotations

import json
from datetime import date

from warehouse.refresh import RefreshPlan


def dbt_vars(as_of: date | None, plan: RefreshPlan) -> dict[str, str | bool]:
    """The run's vars: the as-of date when the run gives one (else dbt's default, the latest
    spend day) and what the refresh plan adds (the window's first day, tests sized like the
    run). The outbox's dbt step passes the same vars, so that dbt reuses its parse."""
    values: dict[str, str | bool] = {"as_of_date": as_of.isoformat()} if as_of else {}
    return {**values, **plan.dbt_vars()}


def dbt_build_args(vars_: dict[str, str | bool], full_refresh: bool = False) -> list[str]:
    """`dbt build` of the selected models, seeds and data tests with these vars.

    dbt unit tests check SQL logic, not data: `make test` runs them, not every build.
    dagster-dbt adds the selection (every asset of the step, or the subset chosen)."""
    return [
        "build",
        "--vars",
        json.dumps(vars_, sort_keys=True),
        "--exclude-resource-type",
        "unit_test",
        *(["--full-refresh"] if full_refresh else []),
    ]
