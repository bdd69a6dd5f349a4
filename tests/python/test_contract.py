"""The landing contract has one home, the sources YAML: what reads it elsewhere agrees."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from orchestration.project import warehouse_dbt_project
from warehouse.contract import LANDING_SCHEMAS, arrow_type, landing_sources


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads(warehouse_dbt_project.manifest_path.read_text())


def test_the_python_schemas_are_the_sources_yaml(manifest):
    """The generator and the fixtures write what dbt checks: the same folders, columns, types."""
    sources = {
        source["name"]: {name: column["data_type"] for name, column in source["columns"].items()}
        for source in manifest["sources"].values()
    }
    assert set(LANDING_SCHEMAS) == set(sources)
    for name, schema in LANDING_SCHEMAS.items():
        assert schema.names == list(sources[name]), name
        for field in schema:
            assert field.type == arrow_type(sources[name][field.name]), (name, field.name)


def test_the_audit_models_read_every_landing_source_and_no_other(manifest):
    """landing_sources() names the sources for dbt's parser: the audit models must depend on
    the base model of each source of the YAML, and on nothing else of staging."""
    audit = manifest["nodes"]["model.tiktok_one_warehouse.quarantined_landing_rows"]
    read = {
        name
        for name in (uid.split(".")[-1] for uid in audit["depends_on"]["nodes"])
        if name.startswith(("base_", "stg_"))
    }
    expected = {
        f"base_{source['source_name']}__{source['name']}" for source in manifest["sources"].values()
    }
    assert read == expected


def test_every_source_says_how_its_rows_are_named_and_dated(manifest):
    for source in landing_sources().values():
        assert source.record_key, source.name
        assert set(source.record_key) <= set(source.columns), source.name
        assert set(source.dates_moved) <= set(source.columns), source.name
        through = source.meta.get("dates_moved_through")
        if through:
            other = landing_sources()[through["source"]]
            assert set(through["dates"]) <= set(other.columns), source.name
            assert set(source.record_key) <= set(other.columns), source.name
        assert source.dates_moved or through, source.name


def test_a_contract_type_the_project_cannot_write_is_refused():
    assert arrow_type("decimal(5, 2)") == pa.decimal128(5, 2)
    with pytest.raises(ValueError, match="cannot write: geometry"):
        arrow_type("geometry")
