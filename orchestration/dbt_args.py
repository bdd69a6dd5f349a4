"""The dbt command line of one orchestrated run, as a pure function of its as-of window."""

from __future__ import annotations

import json

from orchestration.as_of import AsOfWindow
from orchestration.refresh import RefreshPlan


def dbt_build_args(window: AsOfWindow, plan: RefreshPlan | None = None) -> list[str]:
    """`dbt build` for an as-of window: every model, seed and data test, as of its last day.

    Every mart is computed from the whole history as of a date, so a window of several days
    (a single-run backfill) needs one build, as of its last day: that build holds each earlier
    day of the window exactly as a build as of that day would (see orchestration/README.md).
    dbt unit tests check SQL logic, not data; they run in `make test`, not on every build.
    The refresh plan (orchestration/refresh.py) adds `--full-refresh` or widens the window.
    """
    plan = plan or RefreshPlan(full_refresh=False)
    return [
        "build",
        "--vars",
        json.dumps({"as_of_date": window.last.isoformat(), **plan.dbt_vars()}),
        "--exclude-resource-type",
        "unit_test",
        *(["--full-refresh"] if plan.full_refresh else []),
    ]
