{#-
    The landing sources as the audit models read them. The contract (columns, types, how a
    row is named, which columns are secrets) is the sources YAML; this list only names the
    sources for dbt's parser, which must see every `ref` before the YAML is read (a test holds
    it equal to the YAML's sources). Each source has a base model that keeps every raw row
    (`base_<system>__<table>`) and a staged model with the usable ones (`stg_<system>__<table>`);
    the rest comes from the source's `meta` when the model runs: `record_key`, the columns that
    name a row in quarantine, with `secret_columns` hashed (never a coupon code or a payment
    method id in the clear; never a birth date).
-#}
{% macro landing_sources() %}
    {%- set sources = [] -%}
    {%- for system, table in [
        ('ads_manager', 'accounts'), ('ads_manager', 'ad_spend'), ('reference', 'fx_rates'),
        ('billing', 'payment_methods'), ('billing', 'coupon_codes'), ('billing', 'coupon_redemption_attempts'),
        ('billing', 'managed_credit_grants'), ('billing', 'billing_credits'), ('billing', 'invoices'),
        ('tiktok_one', 'creative_requests'), ('creators', 'creators'), ('creators', 'creator_daily_stats')] -%}
        {%- set meta = landing_source_meta(system, table) -%}
        {%- set secrets = meta.get('secret_columns', []) -%}
        {%- set record_key = [] -%}
        {%- for column in meta.get('record_key', []) -%}
            {%- do record_key.append(hash_secret(column) if column in secrets else column) -%}
        {%- endfor -%}
        {%- do sources.append({'name': table, 'source': system, 'base': 'base_' ~ system ~ '__' ~ table,
            'staged': 'stg_' ~ system ~ '__' ~ table, 'record_key': record_key}) -%}
    {%- endfor -%}
    {{ return(sources) }}
{% endmacro %}

{#- A landing source's meta from the sources YAML (empty while dbt parses, when only the refs matter). -#}
{% macro landing_source_meta(system, table) -%}
    {%- for node in graph.get('sources', {}).values() if node.source_name == system and node.name == table -%}
        {{ return(node.meta) }}
    {%- endfor -%}
    {%- if execute -%}
        {{ exceptions.raise_compiler_error("No landing source " ~ system ~ "." ~ table ~ " in the sources YAML") }}
    {%- endif -%}
    {{ return({'record_key': ['1']}) }}
{%- endmacro %}

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
