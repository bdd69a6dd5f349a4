"""The landing contract, read from where it is written: the dbt sources YAML.

`models/staging/<system>/_<system>__sources.yml` is the one home of the contract: each
source table is a landing folder (`<LANDING_DIR>/<table>/*.parquet`), each column has its
`data_type`, and `meta` says how the warehouse reads its rows (`record_key`: the columns
that name a row in quarantine; `base_model`, `staged_model`: the staging models that keep
every raw row and the usable ones; `dates_moved`: which columns date the earliest day a new
or restated row can change, see warehouse/refresh.py). dbt enforces the contract before
every build (macros/landing_checks.sql); this module gives the same YAML to the Python code
that writes or reads landing files (the sample generator, the fixtures, `make run`), as
Arrow schemas.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from warehouse.config import PROJECT_DIR

SOURCES_YAML = "models/staging/*/_*__sources.yml"

# The contract's engine-neutral type names, as Arrow writes them.
ARROW_TYPES: dict[str, pa.DataType] = {
    "varchar": pa.string(),
    "date": pa.date32(),
    "boolean": pa.bool_(),
    "integer": pa.int32(),
    "double": pa.float64(),
    "timestamp": pa.timestamp("us"),
}
DECIMAL = re.compile(r"^decimal\((\d+),\s*(\d+)\)$")


def arrow_type(data_type: str) -> pa.DataType:
    """The Arrow type of a contract type; an unknown one is an error in the contract."""
    name = data_type.strip().lower()
    decimal = DECIMAL.match(name)
    if decimal:
        return pa.decimal128(int(decimal.group(1)), int(decimal.group(2)))
    if name not in ARROW_TYPES:
        raise ValueError(f"The landing contract names a type this project cannot write: {name}")
    return ARROW_TYPES[name]


@dataclass(frozen=True)
class LandingSource:
    """One landing folder as the sources YAML declares it."""

    system: str
    name: str
    columns: dict[str, str]
    meta: dict[str, Any]

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([(column, arrow_type(kind)) for column, kind in self.columns.items()])

    @property
    def record_key(self) -> list[str]:
        return list(self.meta.get("record_key", []))

    @property
    def dates_moved(self) -> list[str]:
        return list(self.meta.get("dates_moved", []))


@cache
def landing_sources(project_dir: Path = PROJECT_DIR) -> dict[str, LandingSource]:
    """Every landing source of the contract, by folder name, in the YAML's order."""
    sources: dict[str, LandingSource] = {}
    for path in sorted(project_dir.glob(SOURCES_YAML)):
        for system in yaml.safe_load(path.read_text())["sources"]:
            for table in system["tables"]:
                sources[table["name"]] = LandingSource(
                    system=system["name"],
                    name=table["name"],
                    columns={column["name"]: column["data_type"] for column in table["columns"]},
                    meta=table.get("meta", {}),
                )
    return sources


LANDING_SCHEMAS: dict[str, pa.Schema] = {
    name: source.schema for name, source in landing_sources().items()
}


def write_landing_table(
    landing_dir: Path, source: str, rows: list[dict], file_name: str = "part-0000.parquet"
) -> Path:
    """Write rows (dicts keyed by contract column) as one Parquet file of a source folder."""
    schema = LANDING_SCHEMAS[source]
    table = pa.Table.from_pylist(rows, schema=schema)
    folder = landing_dir / source
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name
    pq.write_table(table, path)
    return path
