"""The BI copy: the marts, copied into a separate DuckDB file that BI opens read-only.

The rules the marts were computed with (the seeds in schema `rules`: tier thresholds, offers,
regions) are copied too, so that a dashboard can show a threshold without reading the build.

BI never opens the warehouse itself, so a dashboard holding a connection can never stop a
build (DuckDB allows one writer or many readers per file, not both). The copy is written beside
the published file under a temporary name and renamed over it (os.replace): a reader that has
the old file open keeps reading the old copy until it reconnects, and no reader ever sees a
half-written one. It is written in DuckDB's v1.0.0 storage format, which every DuckDB from 1.0
on opens, so BI tools need not run the DuckDB that built it.
"""

from __future__ import annotations

import os
import shutil
import stat
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

# The oldest storage format DuckDB 2.0 writes; DuckDB 1.0 and later read it.
STORAGE_VERSION = "v1.0.0"
READ_ONLY = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
# The column each published mart is sorted by, when it has it (module docstring).
SORT_COLUMN = "account_id"


@dataclass(frozen=True)
class Publication:
    path: Path
    as_of_date: date
    tables: tuple[str, ...]
    run_id: str
    rules: tuple[str, ...] = ()


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def published_as_of(path: Path) -> date | None:
    """The as-of date of the copy at `path`; None when there is none."""
    if not path.exists():
        return None
    connection = duckdb.connect(str(path), read_only=True)
    try:
        row = connection.execute("select max(as_of_date) from meta.publication").fetchone()
    except duckdb.CatalogException:
        return None
    finally:
        connection.close()
    return row[0] if row else None


def publish_marts(
    warehouse: Path, target: Path, tables: Sequence[str], as_of_date: date, run_id: str
) -> Publication:
    """Copy the `marts` tables named into a new file at `target`, then swap it in atomically.

    The copy also holds every table of the warehouse's `rules` schema (the seeds), and
    `meta.publication`: the as-of date, when and by which run it was made, and which marts and
    rules tables it holds.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    # Sorting the largest marts may spill: the same limits as the build, spilling beside the copy.
    spill = temporary.with_name(temporary.name + ".spill")
    connection = duckdb.connect(
        config={
            "threads": os.environ.get("DUCKDB_THREADS", "2"),
            "memory_limit": os.environ.get("DUCKDB_MEMORY_LIMIT", "6GB"),
            "temp_directory": str(spill),
            "preserve_insertion_order": True,
        }
    )
    try:
        connection.execute(f"attach {_quoted(warehouse)} as source (read_only)")
        connection.execute(
            f"attach {_quoted(temporary)} as published (storage_version '{STORAGE_VERSION}')"
        )
        connection.execute("create schema published.marts")
        sorted_by_account = {
            name
            for (name,) in connection.execute(
                "select table_name from duckdb_columns() where database_name = 'source' "
                "and schema_name = 'marts' and column_name = $column",
                {"column": SORT_COLUMN},
            ).fetchall()
        }
        for table in sorted(tables):
            order = f' order by "{SORT_COLUMN}"' if table in sorted_by_account else ""
            connection.execute(
                f'create table published.marts."{table}" as '
                f'select * from source.marts."{table}"{order}'
            )
        rules = [
            name
            for (name,) in connection.execute(
                "select table_name from duckdb_tables() "
                "where database_name = 'source' and schema_name = 'rules' order by 1"
            ).fetchall()
        ]
        connection.execute("create schema published.rules")
        for table in rules:
            connection.execute(
                f'create table published.rules."{table}" as select * from source.rules."{table}"'
            )
        connection.execute("create schema published.meta")
        connection.execute(
            """
            create table published.meta.publication as
            select
                cast($as_of_date as date) as as_of_date,
                cast($published_at as timestamp) as published_at,
                cast($run_id as varchar) as run_id,
                cast($tables as varchar[]) as tables,
                cast($rules as varchar[]) as rules
            """,
            {
                "as_of_date": as_of_date,
                "published_at": datetime.now(UTC).replace(tzinfo=None),
                "run_id": run_id,
                "tables": sorted(tables),
                "rules": rules,
            },
        )
        connection.execute("detach published")
        connection.execute("detach source")
    except Exception:
        temporary.unlink(missing_ok=True)
        raise
    finally:
        connection.close()
        shutil.rmtree(spill, ignore_errors=True)
    os.chmod(temporary, READ_ONLY)
    os.replace(temporary, target)
    return Publication(target, as_of_date, tuple(sorted(tables)), run_id, tuple(rules))
