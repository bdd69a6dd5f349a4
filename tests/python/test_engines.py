"""What a Spark build copies into the DuckDB file (warehouse/spark.py, READ_AFTER_BUILD_*) is
what the steps after the build read: every relation named in the SQL of the checks, the bands,
the outbox and the run's summary is copied, and every relation copied is a model of the
project. (The Spark build itself, and its marts against DuckDB's, are tested on the fixture.)
"""

from __future__ import annotations

import json
import re

from orchestration.project import warehouse_dbt_project
from warehouse.config import PROJECT_DIR
from warehouse.spark import READ_AFTER_BUILD_RELATIONS, READ_AFTER_BUILD_SCHEMAS, engines

# The code that reads the DuckDB file after a build (the BI copy reads the marts and rules
# schemas whole, by listing them).
READERS = (
    "orchestration/expectations.py",
    "orchestration/bands.py",
    "orchestration/assets/outbox.py",
    "warehouse/outbox.py",
    "warehouse/summary.py",
)
RELATION = re.compile(r"\b(marts|audit|rules|intermediate|staging)\.([a-z_0-9]+)\b")


def named_relations() -> set[str]:
    names = set()
    for reader in READERS:
        text = (PROJECT_DIR / reader).read_text()
        names |= {f"{schema}.{table}" for schema, table in RELATION.findall(text)}
    return names


def test_every_relation_the_checks_and_delivery_read_is_copied_after_a_spark_build():
    named = named_relations()
    assert "staging.stg_ads_manager__ad_spend" in named  # the scan finds the checks' SQL
    not_copied = sorted(
        name
        for name in named
        if name.split(".")[0] not in READ_AFTER_BUILD_SCHEMAS
        and name not in READ_AFTER_BUILD_RELATIONS
    )
    assert not_copied == []


def test_every_relation_copied_is_a_model_in_its_schema():
    manifest = json.loads(warehouse_dbt_project.manifest_path.read_text())
    models = {
        f"{node['schema']}.{node['alias']}"
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }
    assert sorted(set(READ_AFTER_BUILD_RELATIONS) - models) == []


def test_the_engines_are_the_dbt_profiles_targets():
    assert engines() == ["duckdb", "spark"]
