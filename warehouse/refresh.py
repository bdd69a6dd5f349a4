"""How much a build recomputes, decided in the open before it runs, per model.

Every model is a function of the landing zone, the seeds, the code and the as-of date. The
large day-grained models are incremental: a build recomputes the days from the window's first
day on (`recompute_from()`, macros/recompute_window.sql: the as-of date less
`recompute_days` - 1, or the dbt var `recompute_from` when it is earlier) and keeps the days
before. Days before the window change only when:

- **code** reaching the model changed since it was last built: its SQL or config, a macro it
  calls, a seed or a model upstream of it (dbt's own checksums in the manifest, compared per
  model). The build then full-refreshes (`--full-refresh`).
- **data** reaching the model arrived since it was last built: a landing file new to it. Its
  rows are dated by the columns the sources YAML declares (`meta.dates_moved`, with the rows
  of older files that share a record key, since a restated row can move from one day to
  another); the earliest of those days, when before the window, becomes `recompute_from`. A
  file that was removed or rewritten in place cannot be dated: full refresh.
- **dated rules** reaching the model changed: a seed whose YAML config declares
  `meta.dates_moved` (tier_thresholds, by `effective_from`) is data, not code: its rows are
  left out of the code fingerprint, and each model records the rows it consumed. A row added,
  changed or removed is dated by those columns: dated after the model's last as-of date, it
  changes no stored day (the tables rebuilt on every run, like the outlook, read it); dated
  inside the window, the window recomputes it; dated before, its day becomes
  `recompute_from`. A change of the seed's columns or types is still code.

What a model has consumed is recorded per model, from what dbt reports: after a run, each
model that `run_results.json` lists as succeeded records the fingerprint of its code, the
landing files and the dated seed rows it read, through the relations it read (a table not
rebuilt in the run passes on what it had consumed; a view passes on what is in the landing
zone now; a seed, the rows it loaded when it last succeeded). A model left out
of a run, or failed, keeps its old record, so the next run that includes it still catches it
up. A run that would build a model on top of an incremental model left out of it, while that
one needs more than its usual window, is refused with the reason (`RefreshPlan.blocked`).

Nothing here is read by a model: the plan is passed to dbt as vars and flags, and its reasons
go to the run's log, tags and metadata. The record lives in `<warehouse>.state/` beside the
warehouse it describes, with the manifest of the last run (for `dbt --state` by hand).
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import yaml

from warehouse.config import PROJECT_DIR
from warehouse.contract import landing_sources

Snapshot = dict[str, dict[str, list[int]]]
# Dated seed name to its rows, each a JSON object of the CSV's text values.
SeedRows = dict[str, list[str]]
Manifest = Mapping[str, Any]

STATE_FILE = "models.json"
# The config keys that change what a model stores (not its docs, tags or meta).
STORED_CONFIG = (
    "materialized",
    "incremental_strategy",
    "unique_key",
    "on_schema_change",
    "partition_by",
    "file_format",
    "full_refresh",
    "pre-hook",
    "post-hook",
    "contract",
)


def state_dir(warehouse: Path) -> Path:
    """Where the record of what each model of this warehouse consumed is kept."""
    return warehouse.with_name(warehouse.name + ".state")


@cache
def project_vars() -> dict[str, Any]:
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    return dict(project.get("vars", {}))


def recompute_days() -> int:
    """The default window length, from dbt_project.yml (one place for dbt and this module)."""
    return int(project_vars()["recompute_days"])


# --- The landing zone -----------------------------------------------------------------------


def landing_snapshot(landing: Path) -> Snapshot:
    """Every landing file by source: name to [size, modification time in ns]."""
    snapshot: Snapshot = {}
    for folder in sorted(path for path in landing.iterdir() if path.is_dir()):
        snapshot[folder.name] = {
            file.name: [file.stat().st_size, file.stat().st_mtime_ns]
            for file in sorted(folder.iterdir())
            if file.is_file()
        }
    return snapshot


def earliest_day_moved(landing: Path, source: str, new_files: list[str]) -> date | None:
    """The earliest day that the rows of a source's new files can change: the least of the
    columns its YAML declares (`dates_moved`) over the new rows and the older rows that share
    their record key (a restated row may move its days), and of the columns of another source
    (`dates_moved_through`) over that source's rows with those keys. None when nothing in them
    is dated."""
    declared = landing_sources()[source]
    key = ", ".join(declared.record_key)
    new_rows = "read_parquet($new, union_by_name = true)"
    new_keys = f"select ({key}) from {new_rows}"
    parameters: dict[str, Any] = {"new": [str(landing / source / name) for name in new_files]}
    candidates = []
    if declared.dates_moved:
        if set(declared.dates_moved) <= set(declared.record_key):
            rows = new_rows  # Every copy of a key has the new row's days.
        else:
            rows = f"read_parquet($all, union_by_name = true) where ({key}) in ({new_keys})"
            parameters["all"] = str(landing / source / "*.parquet")
        candidates.append(f"(select min({_least(declared.dates_moved)}) from {rows})")
    through = declared.meta.get("dates_moved_through")
    if through:
        parameters["through"] = str(landing / through["source"] / "*.parquet")
        candidates.append(
            f"(select min({_least(through['dates'])}) "
            f"from read_parquet($through, union_by_name = true) where ({key}) in ({new_keys}))"
        )
    if not candidates:
        return None
    connection = duckdb.connect()
    try:
        connection.execute("set TimeZone = 'UTC'")
        rows = connection.execute(f"select {_least_of(candidates)}", parameters).fetchall()
    finally:
        connection.close()
    return rows[0][0] if rows else None


def _least(columns: list[str]) -> str:
    return _least_of([f"cast({column} as date)" for column in columns])


def _least_of(expressions: list[str]) -> str:
    """The least non-null of the expressions (null when all are null)."""
    return expressions[0] if len(expressions) == 1 else f"least({', '.join(expressions)})"


# --- The code -------------------------------------------------------------------------------


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:20]


def code_fingerprints(manifest: Manifest) -> dict[str, str]:
    """Per model and seed: a fingerprint of everything in the code that decides its rows: its
    own SQL or file, its stored config, the project's macros and vars, and the fingerprints
    of the nodes and source definitions it reads. Equal fingerprints: the code would store the
    same rows from the same data. Every project macro counts for every model (a macro called
    only when a model runs incrementally is not in the parse's lists of what a model calls),
    so a macro change rebuilds whole whatever stores days."""
    nodes = manifest["nodes"]
    sources = manifest["sources"]
    project = manifest["metadata"].get("project_name") or "tiktok_one_warehouse"
    macros = _digest(
        *sorted(
            f"{unique_id}:{macro['macro_sql']}"
            for unique_id, macro in manifest["macros"].items()
            if macro.get("package_name") == project
        )
    )
    project_vars_digest = json.dumps(project_vars(), sort_keys=True, default=str)

    @cache
    def node(unique_id: str) -> str:
        if unique_id in sources:
            found = sources[unique_id]
            columns = json.dumps(
                {name: column.get("data_type") for name, column in found["columns"].items()},
                sort_keys=True,
            )
            meta = {k: v for k, v in found["meta"].items() if k != "external_location"}
            return _digest(unique_id, columns, json.dumps(meta, sort_keys=True, default=str))
        found = nodes[unique_id]
        config = {key: found["config"].get(key) for key in STORED_CONFIG}
        if dated_seed_columns(manifest, unique_id):
            # Dated rules are data (model_need dates their rows): only their shape is code.
            return _digest(
                unique_id,
                ",".join(seed_header(manifest, unique_id)),
                json.dumps(found["config"].get("column_types"), sort_keys=True),
                json.dumps(found["config"].get("meta"), sort_keys=True, default=str),
            )
        return _digest(
            unique_id,
            found["checksum"]["checksum"],
            json.dumps(config, sort_keys=True, default=str),
            project_vars_digest,
            macros,
            *sorted(node(parent) for parent in found.get("depends_on", {}).get("nodes", [])),
        )

    return {
        unique_id: node(unique_id)
        for unique_id, found in nodes.items()
        if found["resource_type"] in ("model", "seed")
    }


# --- Dated seeds ----------------------------------------------------------------------------


def dated_seed_columns(manifest: Manifest, unique_id: str) -> list[str]:
    """The columns that date a seed's rows (`meta.dates_moved` of its YAML config); empty for
    a seed that is code, and for anything but a seed."""
    found = manifest["nodes"].get(unique_id)
    if not found or found["resource_type"] != "seed":
        return []
    return list((found["config"].get("meta") or {}).get("dates_moved") or [])


def _seed_file(manifest: Manifest, unique_id: str) -> Path:
    found = manifest["nodes"][unique_id]
    return Path(found["root_path"]) / found["original_file_path"]


def seed_header(manifest: Manifest, unique_id: str) -> list[str]:
    with _seed_file(manifest, unique_id).open(newline="") as file:
        return next(csv.reader(file), [])


def seed_rows(manifest: Manifest, unique_id: str) -> list[str]:
    """A seed's rows as its CSV holds them now, each a JSON object of its text values (the
    handful of rows of a rules file, compared as sets)."""
    with _seed_file(manifest, unique_id).open(newline="") as file:
        return sorted(
            json.dumps({key: (value or "").strip() for key, value in row.items()}, sort_keys=True)
            for row in csv.DictReader(file)
        )


def earliest_row_day(rows: Iterable[str], columns: list[str]) -> date | None:
    """The earliest day in the dating columns of the rows (None for no rows). Raises
    ValueError for a row that cannot be dated."""
    days = [date.fromisoformat(json.loads(row)[column]) for row in rows for column in columns]
    return min(days) if days else None


def upstream_dated_seeds(manifest: Manifest, unique_id: str) -> set[str]:
    """The dated seeds a node reads, directly or through any relation."""
    return {
        ancestor
        for ancestor in ancestors(manifest, [unique_id])
        if dated_seed_columns(manifest, ancestor)
    }


# --- Lineage --------------------------------------------------------------------------------


def materialization(manifest: Manifest, unique_id: str) -> str:
    if unique_id in manifest["sources"]:
        return "source"
    found = manifest["nodes"][unique_id]
    if found["resource_type"] == "seed":
        return "seed"
    return str(found["config"].get("materialized"))


def parents(manifest: Manifest, unique_id: str) -> list[str]:
    return list(manifest["nodes"][unique_id].get("depends_on", {}).get("nodes", []))


def is_stored(manifest: Manifest, unique_id: str) -> bool:
    """A relation that holds rows of its own (a table, an incremental model, a seed); a view
    reads its parents whenever it is read."""
    return materialization(manifest, unique_id) in ("table", "incremental", "seed")


def ancestors(manifest: Manifest, unique_ids: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    stack = list(unique_ids)
    while stack:
        current = stack.pop()
        if current in manifest["sources"]:
            continue
        for parent in parents(manifest, current):
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def landing_source_name(manifest: Manifest, unique_id: str) -> str:
    return str(manifest["sources"][unique_id]["name"])


def _intersect(left: dict[str, list[int]], right: dict[str, list[int]]) -> dict[str, list[int]]:
    return {name: stat for name, stat in left.items() if right.get(name) == stat}


def _merge(into: Snapshot, other: Snapshot) -> None:
    for source, files in other.items():
        into[source] = _intersect(into[source], files) if source in into else dict(files)


# --- The record -----------------------------------------------------------------------------


@dataclass
class BuildState:
    """What each model of one warehouse consumed when it last succeeded."""

    landing_dir: str | None = None
    models: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, warehouse: Path) -> BuildState:
        path = state_dir(warehouse) / STATE_FILE
        if not path.exists():
            return cls()
        recorded = json.loads(path.read_text())
        return cls(recorded.get("landing_dir"), recorded.get("models", {}))

    def save(self, warehouse: Path, manifest_path: Path | None = None) -> Path:
        folder = state_dir(warehouse)
        folder.mkdir(parents=True, exist_ok=True)
        written = folder / f".{STATE_FILE}.tmp"
        written.write_text(
            json.dumps({"landing_dir": self.landing_dir, "models": self.models}, indent=1) + "\n"
        )
        written.replace(folder / STATE_FILE)
        if manifest_path is not None and manifest_path.exists():
            shutil.copyfile(manifest_path, folder / "manifest.json")
        return folder


def consumed_landing(
    manifest: Manifest,
    unique_id: str,
    snapshot: Snapshot,
    recorded: Mapping[str, Mapping[str, Any]],
) -> Snapshot:
    """The landing files a model read when it was built with `snapshot` in the landing zone:
    through views, the files there now; through a stored relation, what that one had
    consumed (as recorded, for this run already updated if it was rebuilt before)."""
    consumed: Snapshot = {}
    for parent in parents(manifest, unique_id):
        kind = materialization(manifest, parent)
        if kind == "source":
            name = landing_source_name(manifest, parent)
            _merge(consumed, {name: dict(snapshot.get(name, {}))})
        elif kind == "seed":
            continue
        elif is_stored(manifest, parent):
            # A stored parent never recorded has consumed nothing we know of.
            known = recorded.get(parent, {}).get("landing")
            _merge(
                consumed,
                known
                if known is not None
                else {source: {} for source in upstream_sources(manifest, parent)},
            )
        else:
            _merge(consumed, consumed_landing(manifest, parent, snapshot, recorded))
    return consumed


def consumed_seeds(
    manifest: Manifest, unique_id: str, recorded: Mapping[str, Mapping[str, Any]]
) -> SeedRows:
    """The dated seed rows a model read when it was built: a seed's rows as recorded when it
    last succeeded (for this run already updated if it was loaded before); through a stored
    relation, what that one had consumed; through a view, what its parents give. Rows two
    parents disagree on are left out (unknown: the next plan dates them again)."""
    consumed: SeedRows = {}

    def merge(rows: Mapping[str, list[str]]) -> None:
        for name, values in rows.items():
            if name in consumed:
                consumed[name] = sorted(set(consumed[name]) & set(values))
            else:
                consumed[name] = list(values)

    for parent in parents(manifest, unique_id):
        kind = materialization(manifest, parent)
        if kind == "source":
            continue
        name = manifest["nodes"][parent]["name"]
        if kind == "seed":
            if dated_seed_columns(manifest, parent):
                merge({name: recorded.get(parent, {}).get("seeds", {}).get(name, [])})
        elif is_stored(manifest, parent):
            known = recorded.get(parent, {}).get("seeds")
            merge(
                known
                if known is not None
                else {
                    manifest["nodes"][seed]["name"]: []
                    for seed in upstream_dated_seeds(manifest, parent)
                }
            )
        else:
            merge(consumed_seeds(manifest, parent, recorded))
    return consumed


def upstream_sources(manifest: Manifest, unique_id: str) -> set[str]:
    """The landing sources (folder names) a node reads, directly or through any relation."""
    return {
        landing_source_name(manifest, ancestor)
        for ancestor in ancestors(manifest, [unique_id])
        if ancestor in manifest["sources"]
    }


def record_build(
    manifest: Manifest,
    state: BuildState,
    succeeded: Iterable[str],
    snapshot: Snapshot,
    landing: Path,
    as_of: date | None,
) -> BuildState:
    """The record after a run: every model and seed dbt reported as succeeded, in the order
    dbt built them (parents first), records its code and what it consumed."""
    fingerprints = code_fingerprints(manifest)
    done = set(succeeded)
    landing_dir = str(landing.resolve())
    models = {} if state.landing_dir not in (None, landing_dir) else dict(state.models)
    order = [unique_id for unique_id in topological(manifest) if unique_id in done]
    for unique_id in order:
        if unique_id not in fingerprints:
            continue
        models[unique_id] = {
            "code": fingerprints[unique_id],
            "landing": consumed_landing(manifest, unique_id, snapshot, models),
            "seeds": (
                {manifest["nodes"][unique_id]["name"]: seed_rows(manifest, unique_id)}
                if dated_seed_columns(manifest, unique_id)
                else consumed_seeds(manifest, unique_id, models)
            ),
            "as_of_date": as_of.isoformat() if as_of else None,
        }
    return BuildState(landing_dir, models)


def topological(manifest: Manifest) -> list[str]:
    """Models and seeds, parents before children."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(unique_id: str) -> None:
        if unique_id in seen or unique_id not in manifest["nodes"]:
            return
        seen.add(unique_id)
        for parent in parents(manifest, unique_id):
            visit(parent)
        order.append(unique_id)

    for unique_id, node in sorted(manifest["nodes"].items()):
        if node["resource_type"] in ("model", "seed"):
            visit(unique_id)
    return order


# --- The plan -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefreshPlan:
    """What one run recomputes: everything (full_refresh) or the days from recompute_from
    (None: each incremental model's usual window), and why; `blocked` names the models a
    partial run leaves out although the models it builds read them and they need more than
    their usual window (the run must not go ahead)."""

    full_refresh: bool
    # The window's first day (None: each model's usual window, the as-of date being dbt's).
    recompute_from: date | None = None
    reasons: tuple[str, ...] = ()
    blocked: tuple[str, ...] = ()

    def dbt_vars(self) -> dict[str, str | bool]:
        values: dict[str, str | bool] = {}
        if self.recompute_from and not self.full_refresh:
            values["recompute_from"] = self.recompute_from.isoformat()
            # The data tests check the days the run recomputed (macros/test_window.sql).
            values["test_recomputed_days_only"] = True
        return values

    def summary(self) -> str:
        if self.full_refresh:
            how = "full refresh"
        elif self.recompute_from:
            how = f"incremental from {self.recompute_from}"
        else:
            how = "incremental (each model's usual window)"
        return how + (": " + "; ".join(self.reasons) if self.reasons else "")


@dataclass(frozen=True)
class ModelNeed:
    """What one incremental model needs beyond its usual window."""

    full_refresh: bool = False
    recompute_from: date | None = None
    reasons: tuple[str, ...] = ()

    @property
    def beyond_usual_window(self) -> bool:
        return self.full_refresh or self.recompute_from is not None


def model_need(
    manifest: Manifest,
    unique_id: str,
    state: BuildState,
    landing: Path,
    snapshot: Snapshot,
    fingerprints: Mapping[str, str],
    window_start: date | None,
) -> ModelNeed:
    """Whether an incremental model's stored days before the window are still right."""
    name = manifest["nodes"][unique_id]["name"]
    recorded = state.models.get(unique_id)
    if state.landing_dir not in (None, str(landing.resolve())):
        return ModelNeed(True, reasons=(f"{name}: built from another landing zone",))
    if recorded is None:
        return ModelNeed(True, reasons=(f"{name}: no record of a build",))
    if recorded["code"] != fingerprints[unique_id]:
        return ModelNeed(True, reasons=(f"{name}: its code or code upstream of it changed",))
    earliest: date | None = None
    reasons: list[str] = []
    for source in sorted(upstream_sources(manifest, unique_id)):
        before = recorded["landing"].get(source, {})
        now = snapshot.get(source, {})
        changed = sorted(file for file in before if now.get(file) != before[file])
        if changed:
            return ModelNeed(
                True, reasons=(f"{name}: {source} files removed or rewritten: {changed[0]}",)
            )
        new_files = sorted(file for file in now if file not in before)
        if not new_files:
            continue
        try:
            day = earliest_day_moved(landing, source, new_files)
        except duckdb.Error:
            return ModelNeed(True, reasons=(f"{name}: new {source} files could not be dated",))
        if day is None:
            continue
        last_as_of = recorded.get("as_of_date")
        # Days after the model's last build are in the window of a build that catches up.
        if last_as_of and day > date.fromisoformat(last_as_of):
            continue
        if window_start is not None and day >= window_start:
            continue
        if earliest is None or day < earliest:
            earliest = day
        reasons.append(f"{name}: new {source} rows from {day}")
    for seed in sorted(upstream_dated_seeds(manifest, unique_id)):
        seed_name = manifest["nodes"][seed]["name"]
        before = set(recorded.get("seeds", {}).get(seed_name, []))
        now = set(seed_rows(manifest, seed))
        try:
            day = earliest_row_day(before ^ now, dated_seed_columns(manifest, seed))
        except (ValueError, KeyError, TypeError):
            return ModelNeed(True, reasons=(f"{name}: {seed_name} rows could not be dated",))
        if day is None:
            continue
        last_as_of = recorded.get("as_of_date")
        if last_as_of and day > date.fromisoformat(last_as_of):
            reasons.append(
                f"{name}: {seed_name} rows from {day}, after its last as-of date {last_as_of}: "
                "no stored day changes"
            )
            continue
        if window_start is not None and day >= window_start:
            reasons.append(f"{name}: {seed_name} rows from {day}, inside the window")
            continue
        if earliest is None or day < earliest:
            earliest = day
        reasons.append(f"{name}: {seed_name} rows from {day}, before the window")
    return ModelNeed(False, earliest, tuple(reasons))


def plan_refresh(
    manifest: Manifest,
    selected: Iterable[str],
    warehouse: Path,
    landing: Path,
    snapshot: Snapshot,
    as_of: date | None,
    full_refresh_requested: bool = False,
) -> RefreshPlan:
    """Decide how much a run of the `selected` models and seeds recomputes, with the reasons.

    `as_of` is the run's as-of date when it is known before dbt runs (None: dbt's default, the
    latest spend day); it only tells new rows inside the usual window from rows before it."""
    if full_refresh_requested:
        return RefreshPlan(True, reasons=("full refresh requested",))
    chosen = set(selected)
    state = BuildState.load(warehouse)
    fingerprints = code_fingerprints(manifest)
    window_start = None
    if as_of is not None:
        window_start = date.fromordinal(as_of.toordinal() - recompute_days() + 1)
    incremental = [
        unique_id
        for unique_id in topological(manifest)
        if materialization(manifest, unique_id) == "incremental"
        and manifest["nodes"][unique_id]["config"].get("full_refresh") is not False
    ]
    needs = {
        unique_id: model_need(
            manifest, unique_id, state, landing, snapshot, fingerprints, window_start
        )
        for unique_id in incremental
        if unique_id in chosen or unique_id in ancestors(manifest, chosen)
    }
    read_by_run = ancestors(manifest, chosen)
    blocked = tuple(
        f"{manifest['nodes'][unique_id]['name']} ({'; '.join(need.reasons)})"
        for unique_id, need in needs.items()
        if unique_id not in chosen and unique_id in read_by_run and need.beyond_usual_window
    )
    built = [need for unique_id, need in needs.items() if unique_id in chosen]
    reasons = tuple(reason for need in built for reason in need.reasons)
    if any(need.full_refresh for need in built):
        return RefreshPlan(True, reasons=reasons, blocked=blocked)
    starts = [need.recompute_from for need in built if need.recompute_from]
    earliest = min(starts) if starts else None
    # A model last built as of a day before the window (a pause): its window reaches back.
    last_days = [
        date.fromisoformat(state.models[unique_id]["as_of_date"])
        for unique_id in needs
        if unique_id in chosen and state.models.get(unique_id, {}).get("as_of_date")
    ]
    if window_start is not None and last_days:
        after_last = date.fromordinal(min(last_days).toordinal() + 1)
        if after_last < window_start and (earliest is None or after_last < earliest):
            earliest = after_last
            reasons += (f"the last build was as of {min(last_days)}",)
    # With the as-of date known, the window's first day is always said, so that the data
    # tests read the same days as the models (macros/test_window.sql).
    if window_start is not None and (earliest is None or window_start < earliest):
        earliest = window_start
    return RefreshPlan(False, earliest, reasons, blocked)
