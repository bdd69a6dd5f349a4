"""How dbt resources become Dagster assets: dagster-dbt's defaults, with groups by domain.

Keys name the relation: `[schema, alias]` for models and seeds (e.g.
`marts/fct_account_tier_daily`, `rules/tier_thresholds`, `outbox/tier_events`) and `[source,
table]` for sources (e.g. `ads_manager/ad_spend`), which the landing assets reuse. Groups follow
the project's folders (conventions.md): the domain of `intermediate/<domain>/` and
`marts/<domain>/` (tiering, credits, creators), `audit` for the audit marts, `staging` for
staging, `rules` for the seeds and `landing` for the sources.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtProject


def domain_group(resource_props: Mapping[str, Any]) -> str:
    """The asset group of a dbt resource, from its type and folder (fqn)."""
    resource_type = resource_props["resource_type"]
    if resource_type == "source":
        return "landing"
    if resource_type == "seed":
        return "rules"
    # fqn: [project, layer, <domain or system>, ..., name]
    folders = resource_props["fqn"][1:-1]
    layer = folders[0] if folders else ""
    if layer in ("intermediate", "marts") and len(folders) > 1:
        return folders[1]
    # Staging, and what sits at the root of intermediate/ (int_as_of_date, the build's as-of
    # date that every domain reads).
    return "staging"


# The outbox is written only after the checks of the staged spend (its volume band: an
# incomplete day holds the notifications back) have passed; dbt need not read the staged rows
# for that, so the dependency is Dagster's alone.
EXTRA_DEPS = {
    "model.tiktok_one_warehouse.outbox_tier_events": [
        dg.AssetKey(["staging", "stg_ads_manager__ad_spend"])
    ]
}


class WarehouseDbtTranslator(DagsterDbtTranslator):
    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        key = spec.key
        if props["resource_type"] in ("model", "seed"):
            key = dg.AssetKey([props["schema"], props.get("alias") or props["name"]])
        spec = spec.replace_attributes(key=key, group_name=domain_group(props))
        extra = EXTRA_DEPS.get(unique_id)
        return spec.merge_attributes(deps=extra) if extra else spec
