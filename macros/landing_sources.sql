{#-
    The landing sources as the audit models see them: the dbt source, the base model (every
    raw row), the staged model (the usable ones), and how to name a row in quarantine without
    copying a secret (coupon codes and payment method ids hashed; never a birth date).
-#}
{% macro landing_sources() %}
    {{ return([
        {'name': 'accounts', 'source': 'ads_manager', 'base': 'base_ads_manager__accounts', 'staged': 'stg_ads_manager__accounts',
         'record_key': ['account_id']},
        {'name': 'ad_spend', 'source': 'ads_manager', 'base': 'base_ads_manager__ad_spend', 'staged': 'stg_ads_manager__ad_spend',
         'record_key': ['account_id', 'spend_date', 'campaign_id', 'creative_id']},
        {'name': 'fx_rates', 'source': 'reference', 'base': 'base_reference__fx_rates', 'staged': 'stg_reference__fx_rates',
         'record_key': ['currency', 'rate_date']},
        {'name': 'payment_methods', 'source': 'billing', 'base': 'base_billing__payment_methods', 'staged': 'stg_billing__payment_methods',
         'record_key': ['account_id', hash_secret('payment_method_id')]},
        {'name': 'coupon_codes', 'source': 'billing', 'base': 'base_billing__coupon_codes', 'staged': 'stg_billing__coupon_codes',
         'record_key': [hash_secret('coupon_code')]},
        {'name': 'coupon_redemption_attempts', 'source': 'billing', 'base': 'base_billing__coupon_redemption_attempts',
         'staged': 'stg_billing__coupon_redemption_attempts', 'record_key': ['attempt_id']},
        {'name': 'managed_credit_grants', 'source': 'billing', 'base': 'base_billing__managed_credit_grants',
         'staged': 'stg_billing__managed_credit_grants', 'record_key': ['grant_id']},
        {'name': 'billing_credits', 'source': 'billing', 'base': 'base_billing__billing_credits', 'staged': 'stg_billing__billing_credits',
         'record_key': ['credit_id']},
        {'name': 'invoices', 'source': 'billing', 'base': 'base_billing__invoices', 'staged': 'stg_billing__invoices',
         'record_key': ['invoice_id']},
        {'name': 'creative_requests', 'source': 'tiktok_one', 'base': 'base_tiktok_one__creative_requests',
         'staged': 'stg_tiktok_one__creative_requests', 'record_key': ['request_id']},
        {'name': 'creators', 'source': 'creators', 'base': 'base_creators__creators', 'staged': 'stg_creators__creators',
         'record_key': ['creator_id']},
        {'name': 'creator_daily_stats', 'source': 'creators', 'base': 'base_creators__creator_daily_stats',
         'staged': 'stg_creators__creator_daily_stats', 'record_key': ['creator_id', 'stat_date']},
    ]) }}
{% endmacro %}

{#-
    The rows of a landing source with the file each came from (`filename`, as
    `<LANDING_DIR>/<source>/<file>`) and its 0-based row in that file (`file_row_number`):
    DuckDB reads the source's external_location (the `_sources.yml` files); Spark reads the
    folder's Parquet files, merging their schemas by column name.
-#}
{% macro landing_rows(source_name, table_name) -%}
    {{ return(adapter.dispatch('landing_rows', 'tiktok_one_warehouse')(source(source_name, table_name))) }}
{%- endmacro %}
{% macro duckdb__landing_rows(relation) -%}
    {{ relation }}
{%- endmacro %}
{% macro spark__landing_rows(relation) -%}
    {%- set folder = landing_dir() ~ '/' ~ relation.identifier -%}
    (
        select
            *,
            '{{ folder }}/' || _metadata.file_name as filename,
            _metadata.row_index as file_row_number
        from parquet.`{{ folder }}/*.parquet`
    )
{%- endmacro %}
