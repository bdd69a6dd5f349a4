"""The as-of dates of a run, as plain dates (no Dagster here, so that it is cheap to test).

A partition key D means "the warehouse as of the end of day D" (RULES.md, conventions). Every
mart is a full rebuild from the whole history as of D, so the warehouse holds one as-of at a
time; only the outbox keeps one slice per day. A run over a range of keys (a single-run
backfill) is therefore one as-of window: the marts are built once, as of its last day, and the
outbox writes each of its days in order (orchestration/README.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

# Run tags Dagster sets on a partitioned run: one key, or the two ends of a range.
PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


@dataclass(frozen=True)
class AsOfWindow:
    """The as-of dates of one run, first to last inclusive (one day for a daily run)."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.first > self.last:
            raise ValueError(f"as-of window starts after it ends: {self.first} > {self.last}")

    @classmethod
    def single(cls, day: date) -> AsOfWindow:
        return cls(day, day)

    @classmethod
    def from_keys(cls, first_key: str, last_key: str) -> AsOfWindow:
        return cls(date.fromisoformat(first_key), date.fromisoformat(last_key))

    def days(self) -> list[date]:
        """Every day of the window, in order."""
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def window_from_tags(tags: Mapping[str, str]) -> AsOfWindow | None:
    """The as-of window of a run from its tags; None for a run without partitions.

    Asset checks read it this way: they are not partitioned themselves, but they judge the
    build of the run they belong to.
    """
    if PARTITION_TAG in tags:
        return AsOfWindow.single(date.fromisoformat(tags[PARTITION_TAG]))
    if RANGE_START_TAG in tags and RANGE_END_TAG in tags:
        return AsOfWindow.from_keys(tags[RANGE_START_TAG], tags[RANGE_END_TAG])
    return None


def previous_day(moment: datetime) -> date:
    """The as-of date of a daily run started at `moment`: the last complete day before it."""
    return moment.date() - timedelta(days=1)
