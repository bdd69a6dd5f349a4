"""The parameters of the checks' bands, one setting each, read from the environment.

A band is a day's value against its own history: the median of the history, plus or minus
k robust standard deviations (1.4826 x the median absolute deviation, never less than
`min_spread` x the median, so that a flat history does not make every change an anomaly).
Two families of bands (orchestration/bands.py):

- **volume** (blocking below, warning above): the as-of day of a landing source (rows,
  accounts or creators reporting, spend) against the same weekday of the trailing weeks;
- **shift** (a warning above): the tier mix's daily movements (share of members changing
  tier, new downgrade warnings, spend-match credits newly missing) against the trailing days.

A band needs `min_*` points of history; with fewer (a young warehouse) the check passes and
says so. The settings are a Dagster resource (`check_bands`), so the UI shows them with each run.
"""

from __future__ import annotations

import os

import dagster as dg


class BandSettings(dg.ConfigurableResource):
    """How far a day may stray from its history before a check blocks or warns."""

    volume_weeks: int = 6
    volume_k: float = 3.0
    volume_min_weeks: int = 3
    volume_min_spread: float = 0.05
    shift_days: int = 28
    shift_k: float = 4.0
    shift_min_days: int = 14
    shift_min_spread: float = 0.25
    # Not a band: the days back from the as-of date that gx_spend_reconciled compares (unset:
    # the days the run recomputed; 0: the whole history). Its query reads every staged row in
    # the range.
    reconcile_spend_days: int | None = None


# Setting name -> (field, type); the defaults are the fields' defaults above.
ENVIRONMENT = {
    "CHECK_VOLUME_WEEKS": ("volume_weeks", int),
    "CHECK_VOLUME_K": ("volume_k", float),
    "CHECK_VOLUME_MIN_WEEKS": ("volume_min_weeks", int),
    "CHECK_VOLUME_MIN_SPREAD": ("volume_min_spread", float),
    "CHECK_SHIFT_DAYS": ("shift_days", int),
    "CHECK_SHIFT_K": ("shift_k", float),
    "CHECK_SHIFT_MIN_DAYS": ("shift_min_days", int),
    "CHECK_SHIFT_MIN_SPREAD": ("shift_min_spread", float),
    "CHECK_RECONCILE_SPEND_DAYS": ("reconcile_spend_days", int),
}


def band_settings() -> BandSettings:
    """The band settings from the environment (CHECK_*), defaults where unset."""
    values = {
        field: kind(os.environ[name])
        for name, (field, kind) in ENVIRONMENT.items()
        if os.environ.get(name)
    }
    return BandSettings(**values)
