"""The landing zone: one observable source asset per landing folder, keyed like the dbt source.

Dagster does not write the landing zone; upstream systems drop Parquet files there. Each run
observes it first: files, bytes and rows per source, and a data version that changes when a
file is added, replaced or removed, so that the UI shows which builds saw which landing data.
The same asset keys are the dbt sources' (the translator's), which links them to staging.
"""

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from orchestration.project import warehouse_dbt_project
from orchestration.translator import WarehouseDbtTranslator


def landing_specs() -> dict[str, dg.AssetSpec]:
    """One spec per dbt source, by landing folder, with the key the dbt translator gives it."""
    manifest = json.loads(warehouse_dbt_project.manifest_path.read_text())
    translator = WarehouseDbtTranslator()
    specs = {}
    for unique_id, source in sorted(manifest["sources"].items()):
        dbt_spec = translator.get_asset_spec(manifest, unique_id, warehouse_dbt_project)
        specs[source["name"]] = dg.AssetSpec(
            key=dbt_spec.key,
            description=source.get("description") or None,
            group_name="landing",
            kinds={"parquet"},
            metadata={"landing_folder": source["name"]},
        )
    return specs


def observe_folder(folder: Path) -> tuple[dg.DataVersion, dict[str, Any]]:
    """Files, bytes and rows of one landing folder, and a version of what is in it."""
    files = sorted(folder.glob("*.parquet"))
    fingerprint = hashlib.sha256()
    for file in files:
        stat = file.stat()
        fingerprint.update(f"{file.name}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    rows: int | None = 0
    if files:
        connection = duckdb.connect()
        try:
            row = connection.execute(
                "select coalesce(sum(num_rows), 0) from parquet_file_metadata(?)",
                [[str(file) for file in files]],
            ).fetchone()
            rows = int(row[0]) if row else 0
        except duckdb.Error:
            # A damaged file: dbt's landing contract check names it and stops the build.
            rows = None
        finally:
            connection.close()
    metadata: dict[str, Any] = {
        "path": dg.MetadataValue.path(str(folder)),
        "files": len(files),
        "bytes": sum(file.stat().st_size for file in files),
        "rows": rows if rows is not None else "unreadable file",
    }
    return dg.DataVersion(fingerprint.hexdigest()[:16]), metadata


LANDING_SPECS = landing_specs()


@dg.multi_observable_source_asset(
    specs=list(LANDING_SPECS.values()), name="landing_zone", required_resource_keys={"warehouse"}
)
def landing_zone(context: dg.AssetExecutionContext) -> Iterator[dg.ObserveResult]:
    landing = Path(context.resources.warehouse.landing_dir)
    for folder, spec in LANDING_SPECS.items():
        version, metadata = observe_folder(landing / folder)
        yield dg.ObserveResult(asset_key=spec.key, data_version=version, metadata=metadata)
