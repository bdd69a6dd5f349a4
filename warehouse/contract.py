"""The landing contract (RULES.md section 1) as Arrow schemas.

The dbt sources YAML is the contract the build enforces; this module mirrors it for the Python
code that writes landing files (the sample generator and the test fixtures).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

MONEY = pa.decimal128(18, 2)
TIMESTAMP = pa.timestamp("us")

LANDING_SCHEMAS: dict[str, pa.Schema] = {
    "accounts": pa.schema(
        [
            ("account_id", pa.string()),
            ("account_name", pa.string()),
            ("country_code", pa.string()),
            ("ads_manager_created_on", pa.date32()),
            ("tiktok_one_joined_on", pa.date32()),
            ("is_first_time_advertiser", pa.bool_()),
            ("business_profile_completed_on", pa.date32()),
            ("is_managed", pa.bool_()),
            ("agency_id", pa.string()),
        ]
    ),
    "ad_spend": pa.schema(
        [
            ("account_id", pa.string()),
            ("spend_date", pa.date32()),
            ("campaign_id", pa.string()),
            ("campaign_type", pa.string()),
            ("creative_id", pa.string()),
            ("is_tiktok_one_creative", pa.bool_()),
            ("spend", MONEY),
            ("currency", pa.string()),
            ("reported_at", TIMESTAMP),
        ]
    ),
    "fx_rates": pa.schema(
        [("currency", pa.string()), ("rate_date", pa.date32()), ("usd_per_unit", pa.float64())]
    ),
    "payment_methods": pa.schema(
        [
            ("payment_method_id", pa.string()),
            ("account_id", pa.string()),
            ("linked_at", TIMESTAMP),
            ("removed_at", TIMESTAMP),
        ]
    ),
    "coupon_codes": pa.schema(
        [
            ("coupon_code", pa.string()),
            ("credit_amount", MONEY),
            ("currency", pa.string()),
            ("redeem_by", TIMESTAMP),
            ("credit_validity_days", pa.int32()),
            ("max_redemptions", pa.int32()),
        ]
    ),
    "coupon_redemption_attempts": pa.schema(
        [
            ("attempt_id", pa.string()),
            ("account_id", pa.string()),
            ("coupon_code", pa.string()),
            ("attempted_at", TIMESTAMP),
        ]
    ),
    "managed_credit_grants": pa.schema(
        [
            ("grant_id", pa.string()),
            ("account_id", pa.string()),
            ("agreement_type", pa.string()),
            ("credit_type", pa.string()),
            ("amount", MONEY),
            ("discount_pct", pa.decimal128(5, 2)),
            ("max_discount_amount", MONEY),
            ("currency", pa.string()),
            ("granted_at", TIMESTAMP),
            ("expires_at", TIMESTAMP),
            ("granted_by", pa.string()),
        ]
    ),
    "billing_credits": pa.schema(
        [
            ("credit_id", pa.string()),
            ("account_id", pa.string()),
            ("credit_source", pa.string()),
            ("source_ref", pa.string()),
            ("amount", MONEY),
            ("currency", pa.string()),
            ("issued_at", TIMESTAMP),
            ("expires_at", TIMESTAMP),
        ]
    ),
    "invoices": pa.schema(
        [
            ("invoice_id", pa.string()),
            ("account_id", pa.string()),
            ("issued_on", pa.date32()),
            ("due_on", pa.date32()),
            ("paid_on", pa.date32()),
            ("amount", MONEY),
            ("currency", pa.string()),
        ]
    ),
    "creative_requests": pa.schema(
        [
            ("request_id", pa.string()),
            ("account_id", pa.string()),
            ("project_id", pa.string()),
            ("requested_at", TIMESTAMP),
            ("creatives_requested", pa.int32()),
        ]
    ),
    "creators": pa.schema(
        [
            ("creator_id", pa.string()),
            ("birth_date", pa.date32()),
            ("country_code", pa.string()),
            ("account_type", pa.string()),
        ]
    ),
    "creator_daily_stats": pa.schema(
        [
            ("creator_id", pa.string()),
            ("stat_date", pa.date32()),
            ("follower_count", pa.int32()),
            ("video_views", pa.int32()),
            ("posts", pa.int32()),
            ("in_good_standing", pa.bool_()),
        ]
    ),
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
